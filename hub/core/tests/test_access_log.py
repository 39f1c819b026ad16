"""The access log: every view of a person's record, searchable by the data protection officer."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from hub.core.access_log import access_log_record
from hub.core.models import AccessLogEntry
from hub.organisations.acting import acting_for
from hub.organisations.models import Role
from hub.testing.factories import MembershipFactory, UserFactory


def _view(user, obj, purpose=""):
    request = RequestFactory().get("/")
    request.user = user
    request.acting = acting_for(user, None)
    return access_log_record(request=request, obj=obj, purpose=purpose)


def test_it_records_who_for_which_organisation_and_role_what_and_when(bob, partner, alice):
    entry = _view(bob, alice, purpose="checking contact details")
    assert entry.user == bob
    assert entry.organisation == partner
    assert entry.roles == Role.CASEWORKER
    assert entry.object_label == f"User {alice.pk}"
    assert "Alice" not in entry.object_label  # never a name
    assert entry.at is not None


def test_the_dpo_searches_the_log_by_person_and_record(dan_client, bob, alice, charlie):
    _view(bob, alice)
    _view(charlie, alice)
    _view(bob, charlie)
    everything = dan_client.get(reverse("core:access_log"))
    assert everything.context["page"].paginator.count == 3
    by_bob = dan_client.get(reverse("core:access_log"), {"person": bob.pk})
    assert {e.user for e in by_bob.context["page"]} == {bob}
    one_record = dan_client.get(
        reverse("core:access_log"), {"person": bob.pk, "record_id": str(alice.pk)}
    )
    assert one_record.context["page"].paginator.count == 1


def test_a_partner_dpo_sees_only_views_made_for_their_organisation(bob, charlie, alice, partner):
    from hub.conftest import signed_in

    partner_dpo = UserFactory(email="dee@example.org")
    MembershipFactory(user=partner_dpo, organisation=partner, role=Role.DATA_PROTECTION_OFFICER)
    _view(bob, alice)
    _view(charlie, alice)
    response = signed_in(partner_dpo).get(reverse("core:access_log"))
    assert [e.user for e in response.context["page"]] == [bob]


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dora", "ada"])
def test_it_refuses_the_log_to_anyone_but_a_dpo(request, who):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(reverse("core:access_log")).status_code == 403


def test_it_reads_the_log_in_a_fixed_number_of_queries(
    dan_client, bob, alice, django_assert_max_num_queries
):
    for _ in range(40):
        _view(bob, alice)
    with django_assert_max_num_queries(12):
        response = dan_client.get(reverse("core:access_log"))
    assert len(response.context["page"].object_list) == 40


def test_it_names_the_date_field_at_fault(dan_client):
    response = dan_client.get(
        reverse("core:access_log"), {"since": "31/13/2026", "until": "1/1/2020"}
    )
    page = response.content.decode()
    assert 'href="#id_since"' in page
    assert response.status_code == 200


def test_entries_are_never_changed_by_deleting_a_viewer(bob, alice):
    from django.db.models import ProtectedError

    _view(bob, alice)
    with pytest.raises(ProtectedError):
        bob.delete()
    assert AccessLogEntry.objects.count() == 1
