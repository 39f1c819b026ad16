"""Applying for a grant: who may, eligibility checked before anything is written, each
section saved and returned to, the checks made on submission, read-only once submitted,
withdrawing, and the lists each person sees."""

import threading
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from hub.conftest import signed_in
from hub.grants.models import Application, BudgetLine, Fund, SupportingDocument
from hub.grants.services import money
from hub.grants.services.applications import application_start
from hub.organisations.models import Organisation, Role
from hub.places.models import Area
from hub.strategy.selectors import tags_for
from hub.strategy.services import strategy_load_pack, tags_set
from hub.testing.factories import MembershipFactory, OrganisationFactory, UserFactory, as_actor

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def gina_client(gina):
    return signed_in(gina)


@pytest.fixture
def wards(db):
    return [
        Area.objects.create(code="E05000101", name="Brookside", level=Area.Level.WARD),
        Area.objects.create(code="E05000102", name="Hollingwood", level=Area.Level.WARD),
    ]


@pytest.fixture
def strategy(db):
    return strategy_load_pack(name="chesterfield-2020").strategy


@pytest.fixture
def targeted_fund(fund, strategy):
    """The fund targeting two priorities (and not a third)."""
    chosen = list(strategy.elements.filter(kind="priority").order_by("position")[:2])
    tags_set(obj=fund, elements=chosen)
    return fund


def _url(application, section=None):
    if section is None:
        return reverse("grants:application_detail", args=[application.pk])
    return reverse("grants:application_section", args=[application.pk, section])


def _start(client, fund, title="Lunch club for isolated older people"):
    return client.post(reverse("grants:application_start", args=[fund.pk]), {"title": title})


def _about(**overrides):
    data = {
        "title": "Lunch club",
        "summary": "A weekly lunch for 40 people living alone.",
        "starts_on": "1/2/2027",
        "ends_on": "31/7/2027",
        "then": "return",
    }
    data.update(overrides)
    return data


# Who may apply and see -----------------------------------------------------------------------


def test_bob_starts_an_application_for_his_organisation(fund, partner, bob, bob_client):
    response = _start(bob_client, fund)
    application = Application.objects.get(title="Lunch club for isolated older people")
    assert response["Location"] == _url(application)
    assert application.organisation == partner and application.created_by == bob
    assert application.status == Application.Status.DRAFT
    assert application.reference == "APP-000001"


@pytest.mark.parametrize("who", ["alice", "dora", "gina"])
def test_the_council_does_not_apply_to_its_own_funds(request, who, fund):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(reverse("grants:application_start", args=[fund.pk])).status_code == 403
    assert _start(client, fund).status_code == 403
    assert not Application.objects.exists()


def test_an_assessor_cannot_apply(fund, sam):
    assert _start(signed_in(sam), fund).status_code == 403
    assert not Application.objects.exists()


@pytest.mark.parametrize("who", ["charlie", "dora", "alice"])
def test_others_cannot_see_or_change_bobs_application(request, who, application):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(_url(application)).status_code == 404
    for section in ("about", "money", "outcomes", "documents", "declaration", "check", "withdraw"):
        assert client.get(_url(application, section)).status_code == 404, section
    assert client.post(_url(application, "about"), _about(title="Hijacked")).status_code == 404
    assert client.post(_url(application, "withdraw")).status_code == 404
    application.refresh_from_db()
    assert application.title == "Winter food parcels"
    assert application.status == Application.Status.DRAFT


def test_a_grants_officer_reads_any_application_but_cannot_change_it(application, gina_client):
    page = gina_client.get(_url(application))
    assert page.status_code == 200
    assert "Winter food parcels" in page.content.decode()
    assert "govuk-task-list" not in page.content.decode()  # read-only summary
    assert gina_client.post(_url(application, "about"), _about(title="X")).status_code == 403
    application.refresh_from_db()
    assert application.title == "Winter food parcels"


def test_the_list_shows_an_applicant_only_its_own_applications(
    fund, application, outsider_org, charlie, bob_client, charlie_client
):
    Application.objects.create(
        reference="APP-000077",
        fund=fund,
        organisation=outsider_org,
        title="Boxing for young people",
        created_by=charlie,
    )
    bob_rows = bob_client.get(reverse("grants:application_list")).context["rows"]
    assert [r["application"].reference for r in bob_rows] == ["APP-000001"]
    charlie_page = charlie_client.get(reverse("grants:application_list")).content.decode()
    assert "Boxing for young people" in charlie_page
    assert "Winter food parcels" not in charlie_page


@pytest.mark.parametrize("who", ["dora", "alice"])
def test_people_who_neither_apply_nor_run_funds_have_no_application_list(request, who, application):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(reverse("grants:application_list")).status_code == 403


def test_a_grants_officer_sees_every_application_filtered_by_fund_and_status(
    council, fund, application, submitted_application, outsider_org, charlie, gina_client
):
    other = Fund.objects.create(
        name="Other fund",
        slug="other-fund",
        source="Reserve",
        budget_pence=100_000,
        opens_on=fund.opens_on,
        closes_on=fund.closes_on,
        owner=council,
    )
    Application.objects.create(
        reference="APP-000002",
        fund=other,
        organisation=outsider_org,
        title="Boxing",
        created_by=charlie,
    )
    url = reverse("grants:application_list")
    everything = gina_client.get(url).context["rows"]
    assert {r["application"].reference for r in everything} == {"APP-000001", "APP-000002"}
    by_fund = gina_client.get(url, {"fund": other.pk}).context["rows"]
    assert [r["application"].reference for r in by_fund] == ["APP-000002"]
    by_status = gina_client.get(url, {"status": "submitted"}).context["rows"]
    assert [r["application"].reference for r in by_status] == ["APP-000001"]


def test_the_application_list_takes_a_fixed_number_of_queries(
    fund, partner, bob, bob_client, gina_client, django_assert_max_num_queries
):
    for n in range(40):
        Application.objects.create(
            reference=f"APP-1{n:05d}",
            fund=fund,
            organisation=partner,
            title=f"Project {n}",
            created_by=bob,
        )
    for client in (bob_client, gina_client):
        with django_assert_max_num_queries(12):
            response = client.get(reverse("grants:application_list"))
        assert len(response.context["rows"]) == 40


# Eligibility, before anything is written ------------------------------------------------------


def test_a_closed_fund_refuses_to_start_an_application(fund, bob_client):
    Fund.objects.filter(pk=fund.pk).update(opens_on=date(2020, 4, 1), closes_on=date(2020, 6, 30))
    page = bob_client.get(reverse("grants:application_start", args=[fund.pk])).content.decode()
    assert "closed to applications on 30 June 2020" in page
    response = _start(bob_client, fund)
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_a_fund_not_yet_open_refuses_to_start_an_application(fund, bob_client):
    opens = timezone.localdate() + timedelta(days=5)
    Fund.objects.filter(pk=fund.pk).update(opens_on=opens, closes_on=opens + timedelta(days=30))
    response = _start(bob_client, fund)
    assert response.status_code == 400
    assert "is not open yet" in response.content.decode()
    assert not Application.objects.exists()


def test_an_organisation_of_the_wrong_kind_is_told_who_the_fund_is_for(fund, partner, bob_client):
    Organisation.objects.filter(pk=partner.pk).update(kind=Organisation.Kind.BUSINESS)
    response = _start(bob_client, fund)
    assert response.status_code == 400
    assert (
        "is only for voluntary or community organisations and mutual aid groups. "
        "Northfield Food Bank is recorded as business."
    ) in response.content.decode()
    assert not Application.objects.exists()


def test_a_voluntary_group_without_a_registration_number_is_sent_to_its_administrator(
    fund, partner, bob_client
):
    Organisation.objects.filter(pk=partner.pk).update(charity_number="", company_number="")
    response = _start(bob_client, fund)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Northfield Food Bank has no registered charity number or company number" in page
    assert "Ask your organisation&#x27;s administrator to add one" in page
    assert reverse("organisations:detail", args=[partner.pk]) in page
    assert not Application.objects.exists()


def test_a_registration_number_in_the_wrong_format_is_refused(fund, partner, bob_client):
    Organisation.objects.filter(pk=partner.pk).update(charity_number="12")
    response = _start(bob_client, fund)
    assert response.status_code == 400
    assert "charity number on Northfield Food Bank&#x27;s record is not in the right format" in (
        response.content.decode()
    )
    assert not Application.objects.exists()


def test_a_company_number_is_enough(fund, partner, bob_client):
    Organisation.objects.filter(pk=partner.pk).update(charity_number="", company_number="01234567")
    assert _start(bob_client, fund).status_code == 302


def test_a_mutual_aid_group_needs_no_registration_number(fund):
    group = OrganisationFactory(name="Spire Street Mutual Aid", kind=Organisation.Kind.MUTUAL_AID)
    helper = UserFactory(email="mo@example.org")
    MembershipFactory(user=helper, organisation=group, role=Role.VOLUNTEER_COORDINATOR)
    assert _start(signed_in(helper), fund).status_code == 302
    assert Application.objects.get().organisation == group


@pytest.mark.parametrize(
    ("title", "message"),
    [("", "Enter the name of your project"), ("x" * 201, "200 characters or fewer")],
)
def test_a_bad_project_name_is_named(fund, bob_client, title, message):
    response = _start(bob_client, fund, title=title)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_title"' in page and message in page
    assert not Application.objects.exists()


def test_references_follow_on_and_never_repeat(fund, bob, partner):
    actor = as_actor(bob)
    Application.objects.create(
        reference="APP-999999", fund=fund, organisation=partner, title="Old", created_by=bob
    )
    first = application_start(actor=actor, fund=fund, title="One")
    second = application_start(actor=actor, fund=fund, title="Two")
    assert (first.reference, second.reference) == ("APP-1000000", "APP-1000001")


@pytest.mark.postgres_only
def test_applications_started_at_the_same_moment_get_different_references(
    transactional_db, fund, bob
):
    """On PostgreSQL eight threads start at once and clash on the next number, so the
    service must retry; on SQLite (one writer at a time) they run in turn."""
    actor = as_actor(bob)
    starters = 8
    barrier = threading.Barrier(starters)
    results: list = [None] * starters

    def start(i):
        try:
            connections["default"].ensure_connection()
            barrier.wait(timeout=30)
            results[i] = application_start(actor=actor, fund=fund, title=f"Project {i}").reference
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=start, args=(i,)) for i in range(starters)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    else:
        for i in range(starters):
            results[i] = application_start(actor=actor, fund=fund, title=f"Project {i}").reference
    assert sorted(results) == [f"APP-{n:06d}" for n in range(1, starters + 1)]


# Save and return -----------------------------------------------------------------------------


def test_each_section_is_saved_and_there_when_bob_comes_back(fund, bob, bob_client, wards):
    _start(bob_client, fund)
    application = Application.objects.get()
    tasks = {t["slug"]: t["status"] for t in bob_client.get(_url(application)).context["tasks"]}
    assert tasks == {
        "about": "Not started",
        "money": "Not started",
        "outcomes": "Not started",
        "documents": "Not started",
        "declaration": "Not started",
    }
    response = bob_client.post(_url(application, "about"), _about(then="continue"))
    assert response["Location"] == _url(application, "money")
    bob_client.post(_url(application, "money"), {"action": "amount", "amount_requested": "1,200"})
    # Signed out and back in on another day: a new session sees what was saved.
    later = signed_in(bob)
    about = later.get(_url(application, "about")).content.decode()
    assert "A weekly lunch for 40 people living alone." in about
    assert 'value="01/02/2027"' in about and 'value="31/07/2027"' in about
    assert 'value="1,200"' in later.get(_url(application, "money")).content.decode()
    detail = later.get(_url(application))
    tasks = {t["slug"]: t["status"] for t in detail.context["tasks"]}
    assert tasks["about"] == "Completed" and tasks["money"] == "In progress"
    assert tasks["outcomes"] == "Not started"
    assert "Cannot start yet" in detail.content.decode()


def test_save_and_return_goes_back_to_the_task_list(application, bob_client):
    response = bob_client.post(_url(application, "about"), _about(then="return"))
    assert response["Location"] == _url(application)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ends_on", "1/1/2027", "The end date must be the same as or after the start date"),
        ("starts_on", "31/02/2027", "Enter the date your project starts as a real date"),
        ("starts_on", "", "Enter the date your project starts"),
        ("summary", "", "Enter a summary of your project"),
        ("summary", "x" * 5001, "5,000 characters or fewer"),
        ("title", "", "Enter the name of your project"),
    ],
)
def test_bad_answers_about_the_project_are_named_and_not_saved(
    application, bob_client, field, value, message
):
    response = bob_client.post(_url(application, "about"), _about(**{field: value}))
    assert response.status_code == 400
    page = response.content.decode()
    assert f'href="#id_{field}"' in page and message in page
    assert "<title>Error: " in page
    application.refresh_from_db()
    assert application.title == "Winter food parcels"
    assert application.starts_on == date(2026, 12, 1)


def test_hostile_text_is_saved_as_text_and_shown_escaped(application, bob_client):
    bob_client.post(_url(application, "about"), _about(title="<script>alert('x')</script>"))
    page = bob_client.get(_url(application)).content.decode()
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;" in page


# Money ---------------------------------------------------------------------------------------


def test_budget_lines_are_added_and_removed(application, bob_client):
    url = _url(application, "money")
    bob_client.post(
        url, {"action": "add_line", "line-description": "Venue", "line-amount": "£300.50"}
    )
    line = application.budget_lines.get(description="Venue")
    assert line.amount_pence == 30_050
    page = bob_client.get(url).content.decode()
    assert "Your budget lines add up to £2,800.50 but you are asking for £2,500.00" in page
    bob_client.post(url, {"action": "remove_line", "line": line.pk})
    assert list(application.budget_lines.values_list("description", flat=True)) == [
        "Food",
        "Van hire",
    ]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the amount requested"),
        ("0", "The amount requested must be more than £0"),
        ("-250", "The amount requested cannot be negative"),
        ("25.001", "to the nearest penny"),
        ("two grand", "Enter the amount requested in pounds and pence"),
        ("<script>", "Enter the amount requested in pounds and pence"),
        ("9" * 400, "£100,000,000 or less"),
        ("5,000.01", "awards at most £5,000.00"),
    ],
)
def test_bad_money_is_named_and_not_saved(application, bob_client, typed, message):
    response = bob_client.post(
        _url(application, "money"), {"action": "amount", "amount_requested": typed}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_amount_requested"' in page and message in page
    application.refresh_from_db()
    assert application.amount_requested_pence == 250_000


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"line-description": "", "line-amount": "10"}, "line-description", "Enter what the money"),
        ({"line-description": "Food", "line-amount": "0"}, "line-amount", "more than £0"),
        ({"line-description": "Food", "line-amount": "-1"}, "line-amount", "cannot be negative"),
        ({"line-description": "Food", "line-amount": "1.234"}, "line-amount", "nearest penny"),
    ],
)
def test_bad_budget_lines_are_named_and_not_saved(application, bob_client, data, field, message):
    response = bob_client.post(_url(application, "money"), {"action": "add_line", **data})
    assert response.status_code == 400
    page = response.content.decode()
    assert f'href="#id_{field}"' in page and message in page
    assert application.budget_lines.count() == 2


def test_budget_lines_must_add_up_to_the_amount_requested_on_submission(
    application, bob, bob_client
):
    _finish(application, bob, bob_client)
    BudgetLine.objects.filter(application=application, description="Van hire").update(
        amount_pence=40_000
    )
    response = bob_client.post(_url(application, "check"))
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "Your budget lines add up to £2,400.00 but you have asked for £2,500.00. Change the "
        "amount or the budget lines so they are the same"
    ) in page
    assert f'href="{_url(application, "money")}"' in page
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


# Outcomes and declaration --------------------------------------------------------------------


def test_outcomes_record_wards_and_the_funds_priorities(
    targeted_fund, application, bob_client, wards, strategy
):
    offered = list(tags_for(targeted_fund))
    not_targeted = (
        strategy.elements.filter(kind="priority").exclude(pk__in=[e.pk for e in offered]).first()
    )
    page = bob_client.get(_url(application, "outcomes"))
    assert set(page.context["form"].fields["priorities"].queryset) == set(offered)
    refused = bob_client.post(
        _url(application, "outcomes"),
        {"outcomes": "Fed", "wards": [wards[0].pk], "priorities": [not_targeted.pk]},
    )
    assert refused.status_code == 400
    assert 'href="#id_priorities_0"' in refused.content.decode()
    assert not tags_for(application).exists()
    bob_client.post(
        _url(application, "outcomes"),
        {
            "outcomes": "200 households fed",
            "wards": [w.pk for w in wards],
            "priorities": [offered[0].pk],
            "then": "return",
        },
    )
    application.refresh_from_db()
    assert application.outcomes == "200 households fed"
    assert set(application.wards.all()) == set(wards)
    assert list(tags_for(application)) == [offered[0]]


def test_the_declaration_needs_a_name_and_the_confirmation(application, bob_client):
    response = bob_client.post(_url(application, "declaration"), {"declaration_name": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_declaration_name"' in page and 'href="#id_confirm"' in page
    assert "Confirm the information is true" in page
    application.refresh_from_db()
    assert application.declared_at is None


# Submitting ----------------------------------------------------------------------------------


def _finish(application, bob, client):
    """Complete the sections the fixture leaves undone: a document and the declaration."""
    client.post(
        _url(application, "documents"),
        {
            "action": "upload",
            "doc-kind": "constitution",
            "doc-file": SimpleUploadedFile("constitution.pdf", PDF, "application/pdf"),
        },
    )
    client.post(
        _url(application, "declaration"),
        {"declaration_name": "Bob Baker", "confirm": "on", "then": "continue"},
    )


def test_a_complete_application_is_checked_submitted_and_then_read_only(
    application, bob, bob_client
):
    _finish(application, bob, bob_client)
    detail = bob_client.get(_url(application))
    assert detail.context["ready"]
    check = bob_client.get(_url(application, "check"))
    page = check.content.decode()
    for section in ("about", "money", "outcomes", "documents", "declaration"):
        assert f'href="{_url(application, section)}"' in page  # a Change link for each
    assert "Submit application" in page and "£2,500.00" in page
    response = bob_client.post(_url(application, "check"))
    assert response["Location"] == _url(application)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.submitted_at is not None
    # Read-only from now on.
    assert bob_client.get(_url(application, "about"))["Location"] == _url(application)
    bob_client.post(_url(application, "about"), _about(title="Changed after submission"))
    bob_client.post(_url(application, "money"), {"action": "amount", "amount_requested": "1"})
    application.refresh_from_db()
    assert application.title == "Winter food parcels"
    assert application.amount_requested_pence == 250_000
    page = bob_client.get(_url(application)).content.decode()
    assert "govuk-task-list" not in page and "Submitted" in page


def test_an_incomplete_application_cannot_be_submitted_and_says_what_is_missing(
    application, bob_client
):
    response = bob_client.post(_url(application, "check"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Upload at least one supporting document" in page
    assert "Complete the declaration" in page
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_an_application_cannot_be_submitted_once_the_fund_has_closed(application, bob, bob_client):
    _finish(application, bob, bob_client)
    Fund.objects.filter(pk=application.fund_id).update(
        opens_on=date(2020, 1, 1), closes_on=date(2020, 2, 1)
    )
    response = bob_client.post(_url(application, "check"))
    assert response.status_code == 400
    assert "is closed: applications can no longer be submitted" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_the_decision_letter_is_shown_once_decided(submitted_application, gina, bob_client):
    page = bob_client.get(_url(submitted_application)).content.decode()
    assert "Decision" not in page
    money.award_make(
        actor=as_actor(gina),
        application=submitted_application,
        amount_pence=200_000,
        reasons="Strong local need",
        letter="Dear Northfield Food Bank,\n\nWe are pleased to award you £2,000.",
    )
    page = bob_client.get(_url(submitted_application)).content.decode()
    assert "Awarded £2,000.00" in page
    assert "We are pleased to award you £2,000." in page


# Withdrawing ---------------------------------------------------------------------------------


def test_bob_withdraws_a_submitted_application(submitted_application, bob_client):
    confirm = bob_client.get(_url(submitted_application, "withdraw"))
    assert "Are you sure" in confirm.content.decode()
    submitted_application.refresh_from_db()
    assert submitted_application.status == Application.Status.SUBMITTED  # GET changes nothing
    response = bob_client.post(_url(submitted_application, "withdraw"))
    assert response["Location"] == _url(submitted_application)
    submitted_application.refresh_from_db()
    assert submitted_application.status == Application.Status.WITHDRAWN


def test_a_decided_application_cannot_be_withdrawn(submitted_application, gina, bob_client):
    money.application_decline(actor=as_actor(gina), application=submitted_application, reasons="No")
    bob_client.post(_url(submitted_application, "withdraw"))
    submitted_application.refresh_from_db()
    assert submitted_application.status == Application.Status.DECLINED


def test_a_grants_officer_cannot_withdraw_for_the_applicant(submitted_application, gina_client):
    assert gina_client.post(_url(submitted_application, "withdraw")).status_code == 403
    submitted_application.refresh_from_db()
    assert submitted_application.status == Application.Status.SUBMITTED


def test_an_unknown_section_is_404(application, bob_client):
    assert bob_client.get(_url(application, "payment-details")).status_code == 404
    assert not SupportingDocument.objects.exists()
