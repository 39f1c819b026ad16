"""Monitoring: due dates, grantees reporting against what they promised, officers accepting,
reminders sent once, and the overdue list. Time is controlled by passing ``today``."""

import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from hub.grants.models import Award, MonitoringReport
from hub.grants.selectors_monitoring import reports_overdue
from hub.grants.services import money
from hub.grants.services.monitoring import (
    add_months,
    monitoring_accept,
    monitoring_schedule,
    monitoring_send_reminders,
    monitoring_submit,
    monitoring_suggested_dates,
)
from hub.grants.tests.test_threesixty import make_award
from hub.organisations.models import Role
from hub.testing.factories import MembershipFactory, OrganisationFactory, UserFactory, as_actor

AWARDED = date(2026, 11, 20)


@pytest.fixture
def award(gina, submitted_application) -> Award:
    """£2,500 to Northfield Food Bank for a project running 1 Dec 2026 to 31 Mar 2027."""
    return money.award_make(
        actor=as_actor(gina),
        application=submitted_application,
        amount_pence=250_000,
        reasons="Meets the food priority",
        awarded_on=AWARDED,
    )


@pytest.fixture
def report(award) -> MonitoringReport:
    (first, _final) = monitoring_schedule(
        award=award, due_dates=[date(2027, 1, 31), date(2027, 3, 31)]
    )
    return first


@pytest.fixture
def submitted(report, bob) -> MonitoringReport:
    return monitoring_submit(
        actor=as_actor(bob), report=report, progress="120 households fed.", spend_pence=90_000
    )


def _member_of(organisation):
    user = UserFactory()
    MembershipFactory(user=user, organisation=organisation, role=Role.CASEWORKER)
    return as_actor(user)


def _url(name: str, obj) -> str:
    return reverse(f"grants:{name}", args=[obj.pk])


# Due dates -------------------------------------------------------------------------------


def test_it_suggests_a_report_every_three_months_until_the_project_ends(award):
    assert monitoring_suggested_dates(award=award) == [
        date(2027, 3, 1),  # three months from the project's start, which is after the award
        date(2027, 3, 31),  # and a final report on the last day
    ]


def test_without_an_end_date_it_suggests_a_year_of_quarterly_reports(award):
    award.application.starts_on = award.application.ends_on = None
    assert monitoring_suggested_dates(award=award) == [
        date(2027, 2, 20),
        date(2027, 5, 20),
        date(2027, 8, 20),
        date(2027, 11, 20),
    ]


def test_months_are_added_within_the_month():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)


def test_setting_dates_keeps_reports_already_sent_and_drops_unwanted_ones(submitted, award):
    reports = monitoring_schedule(award=award, due_dates=[date(2027, 2, 28), date(2027, 1, 31)])
    assert [(r.due_on, r.status) for r in reports] == [
        (date(2027, 1, 31), "submitted"),  # kept, with its content
        (date(2027, 2, 28), "due"),  # 31 March was dropped, 28 February added
    ]
    assert MonitoringReport.objects.get(pk=submitted.pk).progress == "120 households fed."


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ([], "at least one date"),
        ([date(2026, 11, 19)], "before the award was made on 20 November 2026"),
        ([date(2027, 1, 1) + timedelta(days=n) for n in range(61)], "at most 60"),
    ],
)
def test_it_refuses_bad_due_dates_and_changes_nothing(award, report, dates, message):
    before = list(MonitoringReport.objects.values_list("pk", "due_on"))
    with pytest.raises(ValidationError) as caught:
        monitoring_schedule(award=award, due_dates=dates)
    assert message in caught.value.message_dict["due_dates"][0]
    assert list(MonitoringReport.objects.values_list("pk", "due_on")) == before


# Reporting and accepting -------------------------------------------------------------------


def test_the_awarded_organisation_reports_progress_and_spend(submitted, bob):
    submitted.refresh_from_db()
    assert submitted.status == MonitoringReport.Status.SUBMITTED
    assert submitted.spend_pence == 90_000
    assert submitted.submitted_by == bob


def test_another_organisation_cannot_report_on_the_award(report, charlie):
    with pytest.raises(PermissionDenied):
        monitoring_submit(actor=as_actor(charlie), report=report, progress="x", spend_pence=1)
    report.refresh_from_db()
    assert report.status == MonitoringReport.Status.DUE


@pytest.mark.parametrize(
    ("progress", "spend", "field"),
    [
        ("", 1_000, "progress"),
        ("x" * 10_001, 1_000, "progress"),
        ("Going well", None, "spend_pence"),
        ("Going well", -1, "spend_pence"),
        ("Going well", 250_001, "spend_pence"),  # more than the award
    ],
)
def test_it_refuses_a_report_that_does_not_add_up(report, bob, progress, spend, field):
    with pytest.raises(ValidationError) as caught:
        monitoring_submit(actor=as_actor(bob), report=report, progress=progress, spend_pence=spend)
    assert field in caught.value.message_dict
    report.refresh_from_db()
    assert (report.status, report.progress, report.spend_pence) == ("due", "", None)


def test_a_grants_officer_accepts_a_report_and_it_is_then_closed(submitted, gina, bob):
    monitoring_accept(actor=as_actor(gina), report=submitted)
    submitted.refresh_from_db()
    assert submitted.status == MonitoringReport.Status.ACCEPTED
    assert submitted.reviewed_by == gina
    with pytest.raises(ValidationError, match="accepted"):
        monitoring_submit(actor=as_actor(bob), report=submitted, progress="New", spend_pence=1)


def test_only_grants_officers_accept_and_only_submitted_reports(report, submitted, bob, gina):
    with pytest.raises(PermissionDenied):
        monitoring_accept(actor=as_actor(bob), report=submitted)
    other = MonitoringReport.objects.exclude(pk=submitted.pk).get()
    with pytest.raises(ValidationError, match="only submitted reports"):
        monitoring_accept(actor=as_actor(gina), report=other)


# Reminders and the overdue list ------------------------------------------------------------


def test_it_reminds_the_organisation_once_before_a_report_is_due(report, partner, settings):
    settings.HUB_GRANT_REMINDER_DAYS = 14
    partner.email = "grants@northfield.example"
    partner.save()
    assert monitoring_send_reminders(today=date(2027, 1, 16)).sent == 0  # 15 days before
    assert monitoring_send_reminders(today=date(2027, 1, 17)).sent == 1  # 14 days before
    assert monitoring_send_reminders(today=date(2027, 1, 18)).sent == 0  # never twice
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["grants@northfield.example"]
    assert "31 January 2027" in message.subject
    assert _url("monitoring_report", report) in message.body
    assert "Northfield Food Bank's grant" in message.body  # not HTML-escaped
    report.refresh_from_db()
    assert report.reminder_sent_at is not None


def test_it_skips_organisations_without_an_email_and_reminds_them_once_they_have_one(
    report, partner
):
    result = monitoring_send_reminders(today=date(2027, 1, 20), days=14)
    assert (result.sent, result.no_email) == (0, 1)
    partner.email = "grants@northfield.example"
    partner.save()
    assert monitoring_send_reminders(today=date(2027, 1, 21), days=14).sent == 1


def test_it_does_not_remind_reports_already_sent_or_overdue(submitted, partner):
    partner.email = "grants@northfield.example"
    partner.save()
    # The January report is submitted; the March one is not yet in the window.
    assert monitoring_send_reminders(today=date(2027, 1, 25), days=14).sent == 0
    # Both past due: overdue reports go on the officers' list, not in a reminder.
    assert monitoring_send_reminders(today=date(2027, 4, 5), days=14).sent == 0
    assert mail.outbox == []


def test_the_reminders_command_sends_once_and_says_how_many(report, partner):
    partner.email = "grants@northfield.example"
    partner.save()
    out = io.StringIO()
    call_command("grant_reminders", "--today", "2027-01-20", stdout=out)
    call_command("grant_reminders", "--today", "2027-01-21", stdout=out)
    assert out.getvalue().splitlines() == [
        "1 reminder sent for reports due within 14 days",
        "0 reminders sent for reports due within 14 days",
    ]
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("args", [["--today", "31/01/2027"], ["--days", "-1"]])
def test_the_reminders_command_refuses_bad_options(db, args):
    with pytest.raises(CommandError):
        call_command("grant_reminders", *args, stdout=io.StringIO())


def test_the_overdue_list_holds_reports_past_due_and_not_sent(report, submitted, gina):
    # ``report`` and ``submitted`` are the same January report; March is still outstanding.
    overdue = reports_overdue(as_actor(gina), today=date(2027, 4, 1))
    assert [r.due_on for r in overdue] == [date(2027, 3, 31)]
    assert list(reports_overdue(as_actor(gina), today=date(2027, 3, 31))) == []


# Pages -------------------------------------------------------------------------------------


def test_bob_sees_what_was_promised_and_budgeted_beside_the_form(bob_client, report):
    response = bob_client.get(_url("monitoring_report", report))
    assert response.status_code == 200
    page = response.content.decode()
    assert "200 households fed through January." in page  # the promised outcomes
    assert "Van hire" in page and "£500.00" in page and "£2,500.00" in page  # budget lines
    assert 'name="progress"' in page and 'name="spend_pence"' in page
    assert "Accept this report" not in page


def test_bob_submits_his_report_from_the_page(bob_client, report):
    response = bob_client.post(
        _url("monitoring_report", report),
        {"progress": "120 households fed so far.", "spend_pence": "£1,250.50"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.spend_pence) == ("submitted", 125_050)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"progress": "", "spend_pence": "100"}, "progress"),
        ({"progress": "Fine"}, "spend_pence"),
        ({"progress": "Fine", "spend_pence": "lots"}, "spend_pence"),
        ({"progress": "Fine", "spend_pence": "-5"}, "spend_pence"),
        ({"progress": "Fine", "spend_pence": "10.505"}, "spend_pence"),
        ({"progress": "Fine", "spend_pence": "9" * 40}, "spend_pence"),
        ({"progress": "Fine", "spend_pence": "3,000"}, "spend_pence"),  # more than the award
        ({"progress": "x" * 10_001, "spend_pence": "100"}, "progress"),
    ],
)
def test_bad_reports_name_the_field_and_save_nothing(bob_client, report, data, field):
    response = bob_client.post(_url("monitoring_report", report), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'href="#id_{field}"' in page
    assert "Ensure this value" not in page  # our words, not Django's
    assert "<title>Error: " in page
    report.refresh_from_db()
    assert report.status == "due" and report.spend_pence is None


def test_hostile_text_is_shown_as_text(bob_client, gina_client, report):
    bob_client.post(
        _url("monitoring_report", report),
        {"progress": "<script>alert(1)</script>", "spend_pence": "10"},
    )
    page = gina_client.get(_url("monitoring_report", report)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.fixture
def gina_client(gina):
    from hub.conftest import signed_in

    return signed_in(gina)


@pytest.mark.parametrize("who", ["charlie", "dora", "alice"])
def test_others_cannot_see_or_submit_the_report(request, who, report):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(_url("monitoring_report", report)).status_code == 404
    response = client.post(
        _url("monitoring_report", report), {"progress": "Hijack", "spend_pence": "1"}
    )
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == "due"


def test_gina_accepts_a_submitted_report_from_the_page(gina_client, submitted):
    page = gina_client.get(_url("monitoring_report", submitted)).content.decode()
    assert "Accept this report" in page and "120 households fed." in page
    response = gina_client.post(_url("monitoring_accept", submitted))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "accepted"


@pytest.mark.parametrize("who", ["bob", "charlie", "dora"])
def test_only_grants_officers_accept_from_the_page(request, who, submitted):
    client = request.getfixturevalue(f"{who}_client")
    assert client.post(_url("monitoring_accept", submitted)).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_accepting_a_report_not_yet_sent_says_why(gina_client, report):
    response = gina_client.post(_url("monitoring_accept", report), follow=True)
    assert "only submitted reports can be accepted" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "due"


def test_gina_sets_the_due_dates_starting_from_the_suggestion(gina_client, award):
    page = gina_client.get(_url("monitoring_schedule", award)).content.decode()
    assert "01/03/2027\n31/03/2027" in page
    response = gina_client.post(
        _url("monitoring_schedule", award), {"due_dates": "28/02/2027\r\n\r\n2027-03-31\r\n"}
    )
    assert response.status_code == 302
    assert list(award.reports.values_list("due_on", flat=True)) == [
        date(2027, 2, 28),
        date(2027, 3, 31),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter at least one date"),
        ("31/02/2027", "Line 1 is not a date"),
        ("28/02/2027\n<script>alert(1)</script>", "Line 2 is not a date"),
        ("01/01/2020", "before the award was made"),
        ("01/01/2027\n" * 400, "That is too long: enter at most 60 dates"),
    ],
)
def test_bad_due_dates_are_named_and_nothing_is_saved(gina_client, award, text, message):
    response = gina_client.post(_url("monitoring_schedule", award), {"due_dates": text})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_due_dates"' in page and message in page
    assert "<script>alert(1)</script>" not in page
    assert not award.reports.exists()


@pytest.mark.parametrize("who", ["bob", "charlie", "dora", "alice"])
def test_only_grants_officers_set_due_dates(request, who, award):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(_url("monitoring_schedule", award)).status_code == 403
    response = client.post(_url("monitoring_schedule", award), {"due_dates": "01/02/2027"})
    assert response.status_code == 403
    assert not award.reports.exists()


def test_grants_officers_see_overdue_reports_on_the_monitoring_list(gina_client, award):
    today = timezone.localdate()
    late = MonitoringReport.objects.create(award=award, due_on=today - timedelta(days=3))
    soon = MonitoringReport.objects.create(award=award, due_on=today + timedelta(days=3))
    response = gina_client.get(reverse("grants:monitoring_list"))
    assert response.status_code == 200
    assert response.context["overdue"] == [late]
    assert response.context["upcoming"] == [soon]
    assert "Overdue: 1 report" in response.content.decode()


def test_the_grantee_sees_only_its_own_reports(bob_client, award, fund, gina, bob, council):
    other_org = OrganisationFactory(name="Dunston Youth Club")
    fund.budget_pence = 10_000_000
    fund.save()
    other_award = make_award(fund, other_org, bob, gina, 50)
    today = timezone.localdate()
    MonitoringReport.objects.create(award=award, due_on=today + timedelta(days=10))
    MonitoringReport.objects.create(award=other_award, due_on=today + timedelta(days=10))
    response = bob_client.get(reverse("grants:monitoring_list"))
    assert response.status_code == 200
    assert [r.award_id for r in response.context["upcoming"]] == [award.pk]
    assert "Dunston Youth Club" not in response.content.decode()


@pytest.mark.parametrize("who", ["charlie", "dora"])
def test_people_with_no_awards_to_monitor_are_refused_the_list(request, who, award):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(reverse("grants:monitoring_list")).status_code == 403


def test_the_monitoring_list_takes_a_fixed_number_of_queries(
    gina_client, award, fund, gina, bob, django_assert_max_num_queries
):
    fund.budget_pence = 100_000_000
    fund.save()
    today = timezone.localdate()
    for n in range(15):
        other = make_award(fund, OrganisationFactory(name=f"Group {n}"), bob, gina, 100 + n)
        for days in (-5, 5):
            MonitoringReport.objects.create(award=other, due_on=today + timedelta(days=days))
        reported = MonitoringReport.objects.create(award=other, due_on=today + timedelta(days=1))
        monitoring_submit(
            actor=_member_of(other.organisation), report=reported, progress="Fine", spend_pence=1
        )
    with django_assert_max_num_queries(12):
        response = gina_client.get(reverse("grants:monitoring_list"))
    assert len(response.context["overdue"]) == 15
    assert len(response.context["awaiting"]) == 15
    assert response.context["upcoming_count"] == 15
