"""Boards, meetings and board reports: who may do what, the assembled report, and issuing.

Board reports hold aggregates only, so every member (board viewers and partners' staff
included) may read them; only plan managers add boards and meetings or write and issue
reports. An issued report never changes.
"""

import hashlib
import importlib.util
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.conftest import signed_in
from hub.plans.models import Action, Aim, Board, BoardReport, Meeting, ProgressUpdate, Risk
from hub.plans.services import boards as services
from hub.plans.tests.test_risks import add_chesterfield_risks
from hub.strategy.services import strategy_load_pack
from hub.support import services as support_services
from hub.support.models import SupportRequest
from hub.testing.factories import UserFactory, as_actor

MEETING_DAY = date(2026, 5, 12)
TITLE = "Health and Wellbeing Board – 12 May 2026: Covid-19 response and recovery"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def pete_client(pete):
    return signed_in(pete)


@pytest.fixture
def meeting(board):
    return Meeting.objects.create(board=board, held_on=MEETING_DAY, title="Quarterly review")


@pytest.fixture
def progress(plan, pete):
    """Two aims of the plan with actions in different states and a latest update each."""
    partnership = Aim.objects.create(plan=plan, title="Partnership and collaboration", position=1)
    connected = Aim.objects.create(plan=plan, title="Social connectedness", position=2)
    forum = Action.objects.create(
        aim=partnership,
        description="Hold a monthly partners' forum",
        leadership="Director of Communities",
        status=Action.Status.ON_TRACK,
    )
    Action.objects.create(
        aim=partnership,
        description="Agree a data sharing protocol",
        status=Action.Status.AT_RISK,
    )
    Action.objects.create(
        aim=connected,
        description="Run digital inclusion sessions in libraries",
        status=Action.Status.COMPLETE,
    )
    now = timezone.now()
    ProgressUpdate.objects.create(
        action=forum,
        status=Action.Status.ON_TRACK,
        note="First forum held",
        at=now - timedelta(days=30),
        by=pete,
    )
    ProgressUpdate.objects.create(
        action=forum, status=Action.Status.ON_TRACK, note="Forum met in May", at=now, by=pete
    )
    return forum


@pytest.fixture
def risks(register, pete):
    return add_chesterfield_risks(register, pete)


@pytest.fixture
def strategy(db):
    return strategy_load_pack(name="chesterfield-2020").strategy


@pytest.fixture
def support_case(alice):
    """A resident and their request, so the report has support figures to count."""
    actor = as_actor(alice)
    resident = support_services.resident_create(
        actor=actor,
        first_name="Rosalind",
        last_name="Quixley",
        nhs_number="4010232137",
        postcode="S40 1LP",
        phone="0113 496 0001",
        address_line_1="1 Powell Estate",
        lives_alone=True,
    )
    return support_services.request_create(
        actor=actor,
        resident=resident,
        channel=SupportRequest.Channel.PHONE,
        needs=[("emergency_food", "Nothing in the cupboards"), ("loneliness", "")],
        summary="Called the hub line.",
    )


@pytest.fixture
def draft(meeting, pete):
    report = services.report_start(actor=as_actor(pete), meeting=meeting)
    return services.report_update(
        actor=as_actor(pete),
        report=report,
        summary="Recovery is under way across the borough.",
        recommendations="That the board notes the progress.",
        financial_implications="Met from the recovery budget.",
    )


def _url(name, *args):
    return reverse(f"plans:{name}", args=args)


# Boards.


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dora"])
def test_every_member_reads_boards(request, who, board, meeting):
    client = request.getfixturevalue(f"{who}_client")
    listing = client.get(_url("board_list"))
    assert listing.status_code == 200
    assert "Health and Wellbeing Board" in listing.content.decode()
    detail = client.get(_url("board_detail", board.slug))
    assert detail.status_code == 200
    assert "Quarterly review" in detail.content.decode()


def test_it_refuses_people_with_no_role(board):
    client = signed_in(UserFactory(email="nobody@example.org"))
    assert client.get(_url("board_list")).status_code == 403
    assert client.get(_url("board_detail", board.slug)).status_code == 403


def test_it_answers_404_for_boards_meetings_and_reports_that_do_not_exist(alice_client):
    assert alice_client.get(_url("board_detail", "nope")).status_code == 404
    assert alice_client.get(_url("report_detail", 99999)).status_code == 404
    assert alice_client.get(_url("report_pdf", 99999)).status_code == 404


def test_it_lists_boards_in_a_fixed_number_of_queries(
    dora_client, council, board, django_assert_max_num_queries
):
    for n in range(15):
        Board.objects.create(name=f"Board {n}", slug=f"board-{n}", organisation=council)
    with django_assert_max_num_queries(8):
        response = dora_client.get(_url("board_list"))
    assert len(response.context["boards"]) == 16


def test_the_board_page_costs_the_same_queries_for_one_meeting_or_twelve(
    dora_client, board, pete, django_assert_max_num_queries
):
    Meeting.objects.create(board=board, held_on=MEETING_DAY)
    with django_assert_max_num_queries(14):
        dora_client.get(_url("board_detail", board.slug))
    for n in range(11):
        meeting = Meeting.objects.create(board=board, held_on=MEETING_DAY - timedelta(days=n + 1))
        services.report_start(actor=as_actor(pete), meeting=meeting)
    with django_assert_max_num_queries(14):
        response = dora_client.get(_url("board_detail", board.slug))
    assert len(response.context["meetings"]) == 12


@pytest.mark.parametrize("who", ["bob", "charlie", "dora"])
def test_it_refuses_adding_boards_and_meetings_to_all_but_plan_managers(
    request, who, board, council
):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(_url("board_add")).status_code == 403
    response = client.post(
        _url("board_add"),
        {"name": "Shadow board", "organisation": council.pk, "update_frequency": "monthly"},
    )
    assert response.status_code == 403
    assert client.get(_url("meeting_add", board.slug)).status_code == 403
    assert client.post(_url("meeting_add", board.slug), {"held_on": "1/6/2026"}).status_code == 403
    assert not Board.objects.filter(name="Shadow board").exists()
    assert not Meeting.objects.exists()


def test_a_plan_manager_adds_a_board_with_members_plans_and_registers(
    pete_client, council, dora, plan, register
):
    response = pete_client.post(
        _url("board_add"),
        {
            "name": "Recovery Board",
            "organisation": council.pk,
            "update_frequency": "bimonthly",
            "members": [dora.pk],
            "plans": [plan.pk],
            "risk_registers": [register.pk],
        },
    )
    board = Board.objects.get(name="Recovery Board")
    assert response["Location"] == _url("board_detail", board.slug)
    assert list(board.members.all()) == [dora]
    assert list(board.plans.all()) == [plan]
    assert list(board.risk_registers.all()) == [register]
    assert board.update_frequency == "bimonthly"


def test_adding_a_board_names_each_bad_field_and_saves_nothing(pete_client):
    response = pete_client.post(
        _url("board_add"),
        {
            "name": "B" * 1000,
            "organisation": "999999",
            "update_frequency": "hourly",
            "members": ["abc"],
            "plans": ["999999"],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    for anchor in ("id_name", "id_organisation", "id_update_frequency_0", "id_members_0"):
        assert f'href="#{anchor}"' in page, anchor
    assert not Board.objects.exists()


def test_a_hostile_board_name_is_shown_as_text(pete_client, dora_client, council):
    pete_client.post(
        _url("board_add"),
        {
            "name": "<script>alert(1)</script>",
            "organisation": council.pk,
            "update_frequency": "monthly",
        },
    )
    page = dora_client.get(_url("board_list")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_plan_manager_adds_a_meeting_and_bad_dates_are_named(pete_client, board):
    bad = pete_client.post(_url("meeting_add", board.slug), {"held_on": "31/02/2026"})
    assert bad.status_code == 400
    assert 'href="#id_held_on"' in bad.content.decode()
    missing = pete_client.post(_url("meeting_add", board.slug), {"title": "No date"})
    assert 'href="#id_held_on"' in missing.content.decode()
    assert not Meeting.objects.exists()
    ok = pete_client.post(
        _url("meeting_add", board.slug), {"held_on": "12/5/2026", "title": "Quarterly review"}
    )
    assert ok["Location"] == _url("board_detail", board.slug)
    assert Meeting.objects.get().held_on == MEETING_DAY


def _issued(meeting, pete, at):
    return BoardReport.objects.create(
        meeting=meeting,
        title="Earlier report",
        author=pete,
        status=BoardReport.Status.ISSUED,
        issued_at=at,
        issued_by=pete,
        issued_html="<p>Issued</p>",
    )


def test_the_next_report_is_due_a_frequency_after_the_last_issued_one(
    dora_client, board, meeting, pete
):
    today = timezone.localdate()
    page = dora_client.get(_url("board_detail", board.slug))
    assert page.context["next_due"] > today  # set up today, first report due in three months
    assert page.context["overdue"] is False
    _issued(meeting, pete, timezone.make_aware(datetime(2025, 1, 15, 10, 0)))
    page = dora_client.get(_url("board_detail", board.slug))
    assert page.context["next_due"] == date(2025, 4, 15)  # quarterly
    assert page.context["overdue"] is True
    assert "Overdue" in page.content.decode()
    listing = dora_client.get(_url("board_list"))
    assert listing.context["boards"][0].is_overdue is True


def test_a_monthly_board_is_due_a_month_after_its_last_report(board, meeting, pete):
    from hub.plans.selectors_boards import next_report_due

    board.update_frequency = Board.Frequency.MONTHLY
    at = timezone.make_aware(datetime(2026, 1, 31, 12, 0))
    assert next_report_due(board, at) == date(2026, 2, 28)
    board.update_frequency = Board.Frequency.SIX_MONTHLY
    assert next_report_due(board, at) == date(2026, 7, 31)


# Reports: starting and writing.


def test_starting_a_report_makes_one_draft_with_the_default_title(pete_client, meeting):
    assert pete_client.get(_url("report_start", meeting.pk)).status_code == 405
    first = pete_client.post(_url("report_start", meeting.pk))
    report = BoardReport.objects.get()
    assert first["Location"] == _url("report_edit", report.pk)
    assert report.title == TITLE
    assert report.status == "draft"
    pete_client.post(_url("report_start", meeting.pk))
    assert BoardReport.objects.count() == 1  # the same draft again, not a second one


@pytest.mark.parametrize("who", ["bob", "charlie", "dora"])
def test_only_plan_managers_start_write_or_issue_reports(request, who, draft):
    client = request.getfixturevalue(f"{who}_client")
    assert client.post(_url("report_start", draft.meeting_id)).status_code == 403
    assert client.get(_url("report_edit", draft.pk)).status_code == 403
    assert client.post(_url("report_edit", draft.pk), {"title": "Hijacked"}).status_code == 403
    assert client.get(_url("report_issue", draft.pk)).status_code == 403
    assert client.post(_url("report_issue", draft.pk), {"confirm": "on"}).status_code == 403
    draft.refresh_from_db()
    assert draft.title == TITLE and draft.status == "draft"
    assert BoardReport.objects.count() == 1


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dora"])
def test_every_member_reads_a_report_and_its_pdf(request, who, draft):
    client = request.getfixturevalue(f"{who}_client")
    page = client.get(_url("report_detail", draft.pk))
    assert page.status_code == 200
    assert TITLE in page.content.decode()
    pdf = client.get(_url("report_pdf", draft.pk))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"


def test_a_plan_manager_writes_the_report(pete_client, draft):
    response = pete_client.post(
        _url("report_edit", draft.pk),
        {
            "title": "Recovery report",
            "summary": "All going well.",
            "recommendations": "Note it.",
            "climate_implications": "Fewer car journeys.",
        },
    )
    assert response["Location"] == _url("report_detail", draft.pk)
    draft.refresh_from_db()
    assert draft.title == "Recovery report"
    assert draft.climate_implications == "Fewer car journeys."
    assert draft.financial_implications == ""


def test_bad_report_input_is_named_and_nothing_is_saved(pete_client, draft):
    response = pete_client.post(
        _url("report_edit", draft.pk), {"title": "", "summary": "s" * 30000}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_title"' in page and 'href="#id_summary"' in page
    draft.refresh_from_db()
    assert draft.title == TITLE
    assert draft.summary == "Recovery is under way across the borough."


def test_hostile_report_text_is_shown_as_text(pete_client, dora_client, draft):
    pete_client.post(
        _url("report_edit", draft.pk),
        {"title": "Report <img src=x onerror=alert(1)>", "summary": "<script>alert(1)</script>"},
    )
    page = dora_client.get(_url("report_detail", draft.pk)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# Reports: what they say.


def test_the_report_assembles_every_section(
    dora_client, draft, strategy, progress, risks, support_case
):
    response = dora_client.get(_url("report_detail", draft.pk))
    page = response.content.decode()
    assert page.count("<h1") == 1
    for heading in (
        "1. Summary and recommendations",
        "2. The strategy",
        "3. Progress of the action plan",
        "4. Risks",
        "5. Headline figures",
        "6. Implications",
    ):
        assert heading in page, heading
    # 1 and 6: the words written for the board.
    assert "Recovery is under way across the borough." in page
    assert "That the board notes the progress." in page
    assert "Met from the recovery budget." in page
    # 2: the active strategy's priorities, impact areas and enablers.
    assert "Chesterfield community recovery approach" in page
    assert "Partnership and collaboration" in page
    assert "Material insecurity" in page
    assert "Enablers" in page
    # 3: progress by aim, with status counts and each action's latest update.
    assert "Hold a monthly partners&#x27; forum" in page
    assert "Forum met in May" in page and "First forum held" not in page
    assert "2 actions: 1 on track, 1 at risk." in page
    assert "Director of Communities" in page
    # 4: the Chesterfield risks, with both heat maps and the table.
    assert "Resource constraints for organisations across Chesterfield" in page
    assert page.count('role="img"') == 2
    assert "open risks after mitigation: number of risks by impact and likelihood" in page
    # 5: support figures, as counts.
    assert "Requests for help" in page and "Needs by impact area" in page
    assert "Needs by ward" in page


def test_a_report_never_names_a_resident(pete_client, dora_client, draft, support_case):
    resident = support_case.resident
    page = dora_client.get(_url("report_detail", draft.pk)).content.decode()
    assert "Requests for help" in page
    issued = pete_client.post(_url("report_issue", draft.pk), {"confirm": "on"})
    assert issued.status_code == 302
    draft.refresh_from_db()
    for text in (page, draft.issued_html):
        for personal in (
            resident.first_name,
            resident.last_name,
            "4010232137",
            "401 023 2137",
            "S40 1LP",
            "0113 496 0001",
            "Powell Estate",
            "Nothing in the cupboards",
        ):
            assert personal not in text, personal


def test_the_report_works_without_the_support_and_grants_modules(
    dora_client, draft, risks, monkeypatch
):
    monkeypatch.setitem(sys.modules, "hub.support.gaps", None)
    monkeypatch.setitem(sys.modules, "hub.grants.figures", None)
    response = dora_client.get(_url("report_detail", draft.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Support figures are not available." in page
    assert "Grants figures are not available." in page
    assert "Partners are not able to work constructively together" in page


def test_the_report_shows_grants_figures_only_where_the_module_offers_them(dora_client, draft):
    page = dora_client.get(_url("report_detail", draft.pk)).content.decode()
    if importlib.util.find_spec("hub.grants.figures") is None:
        assert "Grants figures are not available." in page
    else:
        assert "Grants in figures" in page


def test_the_report_says_when_there_is_nothing_to_report(dora_client, council, pete):
    bare = Board.objects.create(name="Bare board", slug="bare", organisation=council)
    meeting = Meeting.objects.create(board=bare, held_on=MEETING_DAY)
    report = services.report_start(actor=as_actor(pete), meeting=meeting)
    page = dora_client.get(_url("report_detail", report.pk)).content.decode()
    assert "No strategy is active in the hub." in page
    assert "The board does not oversee a plan." in page
    assert "The board does not oversee a risk register." in page
    assert "None identified." in page


# Reports: issuing.


def test_issuing_needs_confirmation(pete_client, draft):
    page = pete_client.get(_url("report_issue", draft.pk))
    assert page.status_code == 200
    response = pete_client.post(_url("report_issue", draft.pk), {})
    assert response.status_code == 400
    assert 'href="#id_confirm"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.issued_html == ""


def test_issuing_freezes_the_report_and_keeps_its_pdf(
    pete_client, dora_client, draft, pete, progress, risks, private_media
):
    response = pete_client.post(_url("report_issue", draft.pk), {"confirm": "on"})
    assert response["Location"] == _url("report_detail", draft.pk)
    draft.refresh_from_db()
    assert draft.status == "issued" and draft.issued_by == pete and draft.issued_at
    assert "Partners are not able to work constructively together" in draft.issued_html
    path = Path(private_media) / draft.issued_pdf_path
    assert path.parent == Path(private_media) / "private" / "board-reports"
    stored = path.read_bytes()
    assert stored.startswith(b"%PDF")
    assert hashlib.sha256(stored).hexdigest() == draft.issued_sha256
    before_page = dora_client.get(_url("report_detail", draft.pk)).content.decode()

    # The plans and risks change after the report is issued...
    Risk.objects.filter(pk=risks[0].pk).update(title="A brand new worry")
    Action.objects.filter(pk=progress.pk).update(description="Renamed action")
    ProgressUpdate.objects.create(
        action=progress, status="off_track", note="Forum cancelled", at=timezone.now(), by=pete
    )
    # ...but the issued report does not.
    after_page = dora_client.get(_url("report_detail", draft.pk)).content.decode()
    assert "A brand new worry" not in after_page
    assert "Forum cancelled" not in after_page
    assert "Partners are not able to work constructively together" in after_page
    assert draft.issued_html in before_page and draft.issued_html in after_page
    pdf = dora_client.get(_url("report_pdf", draft.pk))
    assert b"".join(pdf.streaming_content) == stored
    assert pdf["Content-Disposition"].startswith("inline")
    assert "health-and-wellbeing-board-2026-05-12.pdf" in pdf["Content-Disposition"]


def test_an_issued_report_cannot_be_changed_or_issued_again(pete_client, draft, private_media):
    pete_client.post(_url("report_issue", draft.pk), {"confirm": "on"})
    draft.refresh_from_db()
    issued_html, issued_path = draft.issued_html, draft.issued_pdf_path
    edit = pete_client.get(_url("report_edit", draft.pk), follow=True)
    assert "This report has been issued, so it can no longer be changed" in edit.content.decode()
    pete_client.post(_url("report_edit", draft.pk), {"title": "Rewritten", "summary": "New"})
    again = pete_client.post(_url("report_issue", draft.pk), {"confirm": "on"})
    assert again.status_code == 302
    draft.refresh_from_db()
    assert draft.title == TITLE and draft.summary != "New"
    assert (draft.issued_html, draft.issued_pdf_path) == (issued_html, issued_path)
    assert len(list((Path(private_media) / "private" / "board-reports").iterdir())) == 1
    with pytest.raises(Exception, match="can no longer be changed"):
        services.report_update(actor=as_actor(draft.author), report=draft, title="Sneaky")


def test_a_new_meeting_starts_a_new_draft_after_the_last_was_issued(
    pete_client, draft, private_media
):
    pete_client.post(_url("report_issue", draft.pk), {"confirm": "on"})
    pete_client.post(_url("report_start", draft.meeting_id))
    assert BoardReport.objects.filter(status="draft").count() == 1
    assert BoardReport.objects.filter(status="issued").count() == 1


def test_the_issued_pdf_that_has_gone_missing_is_a_404_not_a_crash(
    pete_client, dora_client, draft, private_media
):
    pete_client.post(_url("report_issue", draft.pk), {"confirm": "on"})
    draft.refresh_from_db()
    (Path(private_media) / draft.issued_pdf_path).unlink()
    assert dora_client.get(_url("report_pdf", draft.pk)).status_code == 404
