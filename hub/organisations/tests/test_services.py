import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from hub.accounts.models import User
from hub.organisations import services
from hub.organisations.acting import acting_for
from hub.organisations.models import Membership, Organisation, Role


def test_it_saves_an_organisation_with_a_unique_slug_and_tidy_numbers(db):
    first = services.organisation_save(
        organisation=Organisation(name="Food Bank", kind="vcs", charity_number=" 1123 456 ")
    )
    second = services.organisation_save(
        organisation=Organisation(name="Food  Bank", kind="vcs", company_number="sc123456")
    )
    assert first.slug == "food-bank"
    assert second.slug == "food-bank-2"
    assert first.charity_number == "1123456"
    assert second.company_number == "SC123456"


def test_it_refuses_an_organisation_with_a_bad_number_and_saves_nothing(db):
    with pytest.raises(ValidationError) as error:
        services.organisation_save(
            organisation=Organisation(name="Bad", kind="vcs", charity_number="12")
        )
    assert "charity_number" in error.value.message_dict
    assert not Organisation.objects.filter(name="Bad").exists()


def test_it_refuses_active_dates_in_the_wrong_order(db):
    import datetime

    with pytest.raises(ValidationError):
        services.organisation_save(
            organisation=Organisation(
                name="Backwards",
                kind="vcs",
                active_from=datetime.date(2021, 1, 1),
                active_until=datetime.date(2020, 1, 1),
            )
        )


def test_the_database_allows_only_one_host_organisation(council):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="Other", slug="other", kind="council", is_host=True)


def test_it_invites_a_new_person_with_a_role_and_emails_them_a_link(
    council, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user, membership = services.person_invite(
            email="New.Person@Example.org",
            full_name="New Person",
            organisation=council,
            role=Role.CASEWORKER,
        )
    assert user.email == "new.person@example.org"
    assert not user.has_usable_password()
    assert membership.role == Role.CASEWORKER
    assert len(mail.outbox) == 1
    assert "Ashworth Borough Council" in mail.outbox[0].body
    assert "/account/password-reset/" in mail.outbox[0].body


def test_it_gives_an_existing_person_a_new_role_without_a_second_account(
    bob, council, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.person_invite(
            email="BOB@example.org", full_name="Bob", organisation=council, role=Role.ASSESSOR
        )
    assert User.objects.filter(email__iexact="bob@example.org").count() == 1
    assert mail.outbox == []
    assert bob.memberships.filter(organisation=council, role=Role.ASSESSOR).exists()


def test_it_refuses_a_role_the_person_already_has(bob, partner):
    with pytest.raises(ValidationError, match="already caseworker"):
        services.membership_add(user=bob, organisation=partner, role=Role.CASEWORKER)


def test_it_ends_and_reopens_a_membership(bob, partner):
    membership = bob.memberships.get()
    services.membership_end(membership=membership)
    assert acting_for(bob, None).organisation is None
    reopened = services.membership_add(user=bob, organisation=partner, role=Role.CASEWORKER)
    assert reopened.pk == membership.pk and reopened.is_active
    assert Membership.objects.filter(user=bob).count() == 1


def test_it_keeps_history_of_organisation_changes(partner):
    partner.phone = "01246 345678"
    services.organisation_save(organisation=partner)
    assert partner.history.count() == 2
