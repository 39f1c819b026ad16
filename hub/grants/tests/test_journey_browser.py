"""The grants journey in a browser: a grants officer opens a fund, a voluntary organisation
applies, two assessors score, the panel awards, an instalment is paid and the ledger shows
it, and the organisation's monitoring report comes in and is accepted."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from hub.accounts.models import User
from hub.core.demo import load_demo
from hub.grants.models import Application, Award, MonitoringReport, Payment
from hub.organisations.models import Membership, Organisation, Role
from hub.testing.browser import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FUND = "Winter warmth community fund"
FIRST_CRITERION = "Reaches older people living alone"
SECOND_CRITERION = "Value for money"
PROJECT = "Warm welcome lunches"
APPLICANT = "Ashworth Age Friends"
ASSESSORS = "Ashworth Central Primary Care Network"
# A tiny but real PDF: the upload is checked for what it is, not only for its name.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def people(browser, live_server):
    """Signs people in, each in a browser context of their own; fails on JavaScript errors."""
    contexts, errors = [], []

    def person(email: str):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1200, "height": 900}
        )
        contexts.append(context)
        context.set_default_timeout(30_000)
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        tab.on("pageerror", lambda exc: errors.append(f"{email}: {exc}"))
        sign_in(tab, email, settings.HUB_DEMO_PASSWORD)
        tab.get_by_role("button", name="Sign out").wait_for()
        return tab

    yield person
    for context in contexts:
        context.close()


def _menu(page, name: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=name, exact=True).click()


def _heading(page, name: str) -> None:
    page.get_by_role("heading", name=name, exact=True).wait_for()


def _row(page, key: str):
    """The value in the first summary list row whose key is exactly ``key``."""
    rows = page.locator(".govuk-summary-list__row").filter(
        has=page.locator("dt").get_by_text(key, exact=True)
    )
    return rows.first.locator("dd")


def _score(assessor, reference: str, scores: dict[str, tuple[int, str]]) -> None:
    """An assessor answers the conflict question, scores every criterion and submits."""
    _menu(assessor, "Assess")
    _heading(assessor, "Assessment")
    assert_accessible(assessor)
    queue = assessor.get_by_role("table", name="Your assessments")
    queue.get_by_role("row").filter(has_text=PROJECT).get_by_role("link", name=reference).click()
    _heading(assessor, f"Assess {reference}")
    assert_accessible(assessor)
    assessor.get_by_role("group", name="Do you have a conflict of interest?").get_by_label(
        "No", exact=True
    ).check()
    assessor.get_by_role("button", name="Continue").click()
    assessor.get_by_role("heading", name="Scores", exact=True).wait_for()
    assert_accessible(assessor)
    for criterion, (score, comment) in scores.items():
        # The score radios miss GOV.UK's classes (ScoreForm adds its fields after
        # GovukMixin styles them), so the label's circle covers the bare input: a person
        # clicks the label, and so do we.
        group = assessor.get_by_role("group", name=f"{criterion}: score")
        group.get_by_text(str(score), exact=True).click()
        expect(group.get_by_label(str(score), exact=True)).to_be_checked()
        assessor.get_by_label(f"{criterion}: comment").fill(comment)
    assessor.get_by_label("Overall comment").fill("A well-planned project from a steady group.")
    assessor.get_by_role("button", name="Submit assessment").click()
    _heading(assessor, "Assessment")
    expect(
        assessor.get_by_text(f"Your assessment of {reference} has been submitted")
    ).to_be_visible()
    row = assessor.get_by_role("row").filter(has_text=reference)
    expect(row.get_by_text("Submitted", exact=True)).to_be_visible()


def test_a_fund_opens_and_an_award_is_made_paid_and_monitored(people, tmp_path):
    load_demo()
    # A second assessor, from the same NHS body as Sam.
    tess = User.objects.create_user(
        email="tess@example.org", full_name="Tess Turner", password=settings.HUB_DEMO_PASSWORD
    )
    Membership.objects.create(
        user=tess, organisation=Organisation.objects.get(slug="ashworth-pcn"), role=Role.ASSESSOR
    )
    today = timezone.localdate()
    pdf = tmp_path / "constitution.pdf"
    pdf.write_bytes(PDF)

    # 1. Gina, the grants officer, opens a fund and sets its criteria.
    gina = people("gina@example.org")
    _menu(gina, "Grants")
    _heading(gina, "Funds")
    assert_accessible(gina)
    gina.get_by_role("button", name="Add a fund").click()
    _heading(gina, "Add a fund")
    assert_accessible(gina)
    gina.get_by_label("Name of the fund").fill(FUND)
    gina.get_by_label("Where the money comes from").fill("Household support grant")
    gina.get_by_label("Description").fill("Warm spaces, hot meals and company this winter.")
    gina.get_by_label("Who may apply").fill("Voluntary and community groups in the borough.")
    kinds = gina.get_by_role("group", name="Types of organisation that may apply")
    kinds.get_by_label("Voluntary or community organisation").check()
    kinds.get_by_label("Mutual aid group").check()
    gina.get_by_label("Budget", exact=True).fill("10,000")
    gina.get_by_label("Largest award").fill("3,000")
    gina.get_by_label("Opening date").fill(f"{today:%d/%m/%Y}")
    gina.get_by_label("Closing date").fill(f"{today + dt.timedelta(days=30):%d/%m/%Y}")
    gina.get_by_role("group", name="Priorities it targets").get_by_label(
        "Social connectedness"
    ).check()
    gina.get_by_role("button", name="Save").click()
    _heading(gina, FUND)
    expect(gina.get_by_text(f"{FUND} has been added")).to_be_visible()
    expect(gina.get_by_text("Fund: open for applications")).to_be_visible()
    assert_accessible(gina)
    gina.get_by_role("link", name="Criteria", exact=True).click()
    _heading(gina, "Criteria")
    expect(gina.get_by_text("No criteria yet.")).to_be_visible()
    assert_accessible(gina)
    for name, weight in ((FIRST_CRITERION, "3"), (SECOND_CRITERION, "1")):
        gina.get_by_role("textbox", name="Criterion", exact=True).fill(name)
        gina.get_by_role("textbox", name="Weight", exact=True).fill(weight)
        gina.get_by_role("button", name="Add criterion").click()
        gina.get_by_text(f"“{name}” has been added").wait_for()
    expect(gina.get_by_role("table").get_by_text("2 criteria")).to_be_visible()
    gina.get_by_role("link", name=f"Back to {FUND}").click()
    _heading(gina, FUND)
    expect(
        _row(gina, "Who may apply").get_by_text(
            "Open to: Voluntary or community organisation, Mutual aid group."
        )
    ).to_be_visible()
    assert _row(gina, "Awards").inner_text().strip() == "Up to £3,000.00"
    assert _row(gina, "Budget").inner_text().strip() == "£10,000.00"
    assert _row(gina, "Committed to awards").inner_text().strip() == "£0.00"
    expect(gina.get_by_role("listitem").filter(has_text="Social connectedness")).to_be_visible()
    scoring = gina.get_by_role("table", name=f"Criteria for {FUND}, with their weights")
    for name, weight in ((FIRST_CRITERION, "3"), (SECOND_CRITERION, "1")):
        row = scoring.get_by_role("row").filter(has_text=name)
        expect(row.get_by_role("cell", name=weight, exact=True)).to_be_visible()
    assert_accessible(gina)

    # 2. Vic, at Ashworth Age Friends, applies: every section, then check and submit.
    vic = people("vic@example.org")
    _menu(vic, "Grants")
    _heading(vic, "Funds")
    vic.get_by_role("link", name=FUND).click()
    _heading(vic, FUND)
    assert_accessible(vic)
    vic.get_by_role("button", name="Apply").click()
    _heading(vic, f"Apply to {FUND}")
    expect(vic.get_by_text(f"{APPLICANT} can apply.")).to_be_visible()
    assert_accessible(vic)
    vic.get_by_label("Name of your project").fill(PROJECT)
    vic.get_by_role("button", name="Start application").click()
    _heading(vic, PROJECT)
    application = Application.objects.get(title=PROJECT)
    reference = application.reference
    expect(vic.get_by_text(f"Application {reference} has been started")).to_be_visible()
    expect(vic.get_by_text("You have completed 0 of 5 sections.")).to_be_visible()
    assert_accessible(vic)

    vic.get_by_role("link", name="About your project").click()
    _heading(vic, "About your project")
    assert_accessible(vic)
    expect(vic.get_by_label("Name of your project")).to_have_value(PROJECT)
    vic.get_by_label("Summary").fill("A hot lunch and a warm room twice a week, all winter.")
    vic.get_by_label("Start date").fill(f"{today + dt.timedelta(days=7):%d/%m/%Y}")
    vic.get_by_label("End date").fill(f"{today + dt.timedelta(days=180):%d/%m/%Y}")
    vic.get_by_role("button", name="Save and continue").click()

    _heading(vic, "Money")
    assert_accessible(vic)
    vic.get_by_label("Amount requested").fill("2,500")
    vic.get_by_role("button", name="Save amount").click()
    vic.get_by_text("The amount requested has been saved").wait_for()
    for description, cost in (("Food", "1,800"), ("Hall hire", "700")):
        vic.get_by_label("What the money is for").fill(description)
        vic.get_by_label("Cost").fill(cost)
        vic.get_by_role("button", name="Add line").click()
        vic.get_by_role("cell", name=description, exact=True).wait_for()
        expect(vic.get_by_text("The budget line has been added")).to_be_visible()
    expect(vic.get_by_text("Budget lines: total £2,500.00 of £2,500.00 requested")).to_be_visible()
    expect(vic.get_by_text("They must be the same before you submit")).to_have_count(0)
    assert_accessible(vic)
    vic.get_by_role("button", name="Continue").click()

    _heading(vic, "Outcomes")
    assert_accessible(vic)
    vic.get_by_label("What your project will achieve").fill(
        "40 older people who live alone eat together twice a week."
    )
    vic.get_by_role("group", name="Wards your project serves").get_by_label(
        "Abbey", exact=True
    ).check()
    vic.get_by_role("group", name="Priorities of the fund your project addresses").get_by_label(
        "Social connectedness"
    ).check()
    vic.get_by_role("button", name="Save and continue").click()

    _heading(vic, "Supporting documents")
    expect(vic.get_by_text("No documents yet.")).to_be_visible()
    assert_accessible(vic)
    vic.get_by_label("Type of document").select_option(label="Governing document")
    vic.get_by_label("Upload a file").set_input_files(str(pdf))
    vic.get_by_role("button", name="Upload file").click()
    vic.get_by_text("constitution.pdf has been uploaded").wait_for()
    expect(vic.get_by_role("link", name="constitution.pdf")).to_be_visible()
    assert_accessible(vic)
    vic.get_by_role("button", name="Continue").click()

    _heading(vic, "Declaration")
    assert_accessible(vic)
    vic.get_by_label("Full name of the person making the declaration").fill("Vic Vaughan")
    vic.get_by_label("I confirm the information is true").check()
    vic.get_by_role("button", name="Save and continue").click()

    _heading(vic, "Check your application before you submit it")
    expect(vic.get_by_text("Before you can submit:")).to_have_count(0)
    money = vic.locator("#summary-money")
    expect(money.get_by_text("£2,500.00", exact=True)).to_be_visible()
    expect(money.get_by_text("Food: £1,800.00")).to_be_visible()
    expect(money.get_by_text("Hall hire: £700.00")).to_be_visible()
    expect(money.get_by_text("Does not match")).to_have_count(0)
    expect(vic.locator("#summary-outcomes").get_by_text("Abbey", exact=True)).to_be_visible()
    expect(vic.locator("#summary-documents").get_by_text("Governing document")).to_be_visible()
    expect(vic.locator("#summary-declaration").get_by_text("Vic Vaughan")).to_be_visible()
    assert_accessible(vic)
    vic.get_by_role("button", name="Submit application").click()
    _heading(vic, PROJECT)
    expect(vic.get_by_text(f"Application {reference} has been submitted.")).to_be_visible()
    assert _row(vic, "Status").inner_text().strip() == "Submitted"
    assert_accessible(vic)

    # 3. Gina asks Sam and Tess to assess it.
    _menu(gina, "Assess")
    _heading(gina, "Assessment")
    expect(
        gina.get_by_role("row").filter(has_text=reference).get_by_text("Needs assessors")
    ).to_be_visible()
    assert_accessible(gina)
    gina.get_by_role("link", name=f"Assessors for {reference}").click()
    _heading(gina, f"Assessors for {reference}")
    assert_accessible(gina)
    chosen = gina.get_by_role("group", name="Assessors")
    chosen.get_by_label(f"Sam Scott ({ASSESSORS})").check()
    chosen.get_by_label(f"Tess Turner ({ASSESSORS})").check()
    gina.get_by_role("button", name="Assign").click()
    gina.get_by_text(f"will assess {reference}").wait_for()
    asked = gina.get_by_role("table", name="Assessors asked so far")
    for name in ("Sam Scott", "Tess Turner"):
        expect(
            asked.get_by_role("row").filter(has_text=name).get_by_text("Not submitted")
        ).to_be_visible()
    assert_accessible(gina)

    # 4. Sam, then Tess, declare no conflict and score every criterion.
    _score(
        people("sam@example.org"),
        reference,
        {
            FIRST_CRITERION: (4, "Knows its members well"),
            SECOND_CRITERION: (3, "Hall hire is on the high side"),
        },
    )
    _score(
        people("tess@example.org"),
        reference,
        {
            FIRST_CRITERION: (5, "Reaches people nobody else does"),
            SECOND_CRITERION: (4, "Sensible costs"),
        },
    )

    # 5. The panel awards £2,000; Gina reads the letter, pays an instalment, checks the ledger.
    _menu(gina, "Assess")
    _heading(gina, "Assessment")
    expect(
        gina.get_by_role("row").filter(has_text=reference).get_by_text("2 of 2 submitted")
    ).to_be_visible()
    gina.get_by_role("link", name=f"Decide {reference}").click()
    _heading(gina, f"Decide {reference}")
    scores = gina.get_by_role("table", name="Each assessor's score, criterion by criterion")
    expect(scores.get_by_role("columnheader", name="Sam Scott")).to_be_visible()
    expect(scores.get_by_role("columnheader", name="Tess Turner")).to_be_visible()
    # Sam: (4×3 + 3×1) / 20 = 75%; Tess: (5×3 + 4×1) / 20 = 95%.
    weighted = scores.get_by_role("row").filter(has_text="Weighted score")
    assert weighted.get_by_role("cell").all_inner_texts() == ["75.00%", "95.00%"]
    assert _row(gina, "Mean weighted score").inner_text().strip() == "85.00%"
    assert_accessible(gina)
    gina.get_by_role("group", name="Decision").get_by_label("Award", exact=True).check()
    gina.get_by_label("Amount to award").fill("2,000")
    gina.get_by_label("The panel's reasons").fill(
        "Reaches isolated older people in Abbey; the hall hire is trimmed."
    )
    gina.get_by_label("Conditions of the grant").fill("Spend by the end of the project.")
    gina.get_by_role("button", name="Record the decision").click()

    _heading(gina, f"Award {reference}")
    expect(
        gina.get_by_text(f"{APPLICANT} has been awarded £2,000.00. The award letter is ready.")
    ).to_be_visible()
    award = Award.objects.get(application__reference=reference)
    assert _row(gina, "Organisation").inner_text().strip() == APPLICANT
    assert _row(gina, "Status").inner_text().strip() == "Active"
    assert _row(gina, "Amount").inner_text().strip() == "£2,000.00"
    expect(gina.get_by_text("No instalments scheduled yet.")).to_be_visible()
    assert_accessible(gina)
    gina.get_by_role("link", name=PROJECT).click()
    _heading(gina, PROJECT)
    decision = gina.locator(".govuk-inset-text")
    expect(decision.get_by_text("Awarded £2,000.00")).to_be_visible()
    expect(decision.get_by_text("a grant of £2,000.00 (two thousand pounds)")).to_be_visible()
    expect(decision.get_by_text("Reaches isolated older people in Abbey")).to_be_visible()
    assert_accessible(gina)
    gina.go_back()
    _heading(gina, f"Award {reference}")

    gina.get_by_role("button", name="Schedule instalments").click()
    _heading(gina, "Schedule instalments")
    assert_accessible(gina)
    gina.get_by_label("Instalment 1: amount").fill("2,000")
    gina.get_by_label("Instalment 1: due date").fill(f"{today:%d/%m/%Y}")
    gina.get_by_role("button", name="Add instalments").click()
    _heading(gina, f"Award {reference}")
    expect(gina.get_by_text("1 instalment scheduled")).to_be_visible()
    gina.get_by_role("link", name="Mark as paid instalment 1").click()
    _heading(gina, "Record a payment")
    assert_accessible(gina)
    assert (
        "Instalment 1: £2,000.00"
        in gina.get_by_label("Instalment").locator("option:checked").inner_text()
    )
    gina.get_by_label("Payment reference").fill("BACS 004567")
    gina.get_by_role("button", name="Mark as paid").click()
    _heading(gina, f"Award {reference}")
    expect(gina.get_by_text("Instalment 1 is marked as paid")).to_be_visible()
    instalment = gina.get_by_role("row").filter(has_text="BACS 004567")
    expect(instalment.get_by_text("Paid", exact=True)).to_be_visible()
    assert _row(gina, "Paid").inner_text().strip() == "£2,000.00"
    assert _row(gina, "Left to pay").inner_text().strip() == "£0.00"
    assert Payment.objects.get(award=award).status == Payment.Status.PAID
    assert_accessible(gina)
    gina.get_by_role("link", name=f"The {FUND} ledger").click()
    _heading(gina, "Ledger")
    totals = gina.get_by_role("list", name="Fund totals")
    for label, value in (
        ("Budget", "£10,000.00"),
        ("Committed", "£2,000.00"),
        ("Paid", "£2,000.00"),
        ("Remaining", "£8,000.00"),
    ):
        expect(
            totals.get_by_role("listitem").filter(has_text=label).get_by_text(value, exact=True),
            label,
        ).to_be_visible()
    entries = gina.get_by_role("table", name="2 entries, oldest first")
    expect(
        entries.get_by_role("row").filter(has_text="Award").filter(has_text=reference)
    ).to_be_visible()
    expect(
        entries.get_by_role("row").filter(has_text="Payment").filter(has_text="BACS 004567")
    ).to_be_visible()
    expect(gina.get_by_text("does not match the fund's totals")).to_have_count(0)
    assert_accessible(gina)

    # The awarded organisation sees the award and its letter.
    _menu(vic, "Grants")
    _heading(vic, "Funds")
    vic.get_by_role("button", name="Your applications").click()
    _heading(vic, "Your applications")
    assert_accessible(vic)
    vic.get_by_role("link", name=reference).click()
    _heading(vic, PROJECT)
    assert _row(vic, "Status").inner_text().strip() == "Awarded"
    expect(vic.get_by_text("a grant of £2,000.00 (two thousand pounds)")).to_be_visible()
    assert_accessible(vic)

    # 6. Monitoring: Gina sets when reports are due, Vic reports progress and spend, Gina
    # accepts the report.
    first_due = today + dt.timedelta(days=30)
    project_ends = today + dt.timedelta(days=180)
    entries.get_by_role("row").filter(has_text="Award").get_by_role("link", name=reference).click()
    _heading(gina, f"Award {reference}")
    gina.get_by_role("link", name="Monitoring reports for this award").click()
    _heading(gina, "When reports are due")
    expect(gina.get_by_text("None set yet.")).to_be_visible()
    suggested = gina.get_by_label("Dates reports are due")
    assert suggested.input_value().splitlines()[-1] == f"{project_ends:%d/%m/%Y}"
    assert_accessible(gina)
    suggested.fill(f"{first_due:%d/%m/%Y}\n{project_ends:%d/%m/%Y}")
    gina.get_by_role("button", name="Save the dates").click()
    gina.get_by_text("The monitoring dates have been saved").wait_for()
    _heading(gina, "When reports are due")
    reports = gina.get_by_role("table", name="Reports on this award")
    for day in (first_due, project_ends):
        row = reports.get_by_role("row").filter(has_text=f"{day.day} {day:%B %Y}")
        expect(row.get_by_role("cell", name="Due", exact=True)).to_be_visible()
    assert_accessible(gina)

    first_due_text = f"{first_due.day} {first_due:%B %Y}"
    # Vic finds the award from the awarded application, as Gina does from the decision.
    to_award = vic.get_by_role("link", name="Go to the award")
    expect(
        to_award,
        "An awarded organisation has no link to its award (and so to its monitoring reports): "
        "hub/grants/templates/grants/applications/detail.html shows the decision without one",
    ).to_have_count(1)
    to_award.click()
    _heading(vic, f"Award {reference}")
    assert_accessible(vic)
    vic.get_by_role("link", name="Your monitoring reports").click()
    _heading(vic, "Monitoring reports")
    assert_accessible(vic)
    upcoming = vic.get_by_role("table", name="Coming up: 2 reports")
    upcoming.get_by_role("link", name=f"Write the report due {first_due_text}").click()
    vic.get_by_role("heading", name=f"Monitoring report due {first_due_text}").wait_for()
    expect(vic.get_by_role("heading", name="Write your report")).to_be_visible()
    expect(vic.get_by_text("40 older people who live alone eat together")).to_be_visible()
    assert_accessible(vic)
    vic.get_by_label("Progress against the outcomes you promised").fill(
        "Twelve lunches held so far; 31 regulars, 9 of them new to the group."
    )
    vic.get_by_label("Spent so far").fill("1,150")
    vic.get_by_role("button", name="Send the report").click()
    vic.get_by_text("Your monitoring report has been sent to the grants team").wait_for()
    report_heading = vic.get_by_role("heading", name=f"Monitoring report due {first_due_text}")
    expect(report_heading.get_by_text("Submitted", exact=True)).to_be_visible()
    assert _row(vic, "Spent so far").inner_text().strip() == "£1,150.00 of £2,000.00"
    expect(vic.get_by_role("heading", name="Correct your report")).to_be_visible()
    assert_accessible(vic)

    _menu(gina, "Grants")
    _heading(gina, "Funds")
    gina.get_by_role("button", name="Monitoring reports").click()
    _heading(gina, "Monitoring reports")
    assert_accessible(gina)
    awaiting = gina.get_by_role("table", name="Sent, waiting to be accepted: 1")
    awaiting.get_by_role("link", name=f"Review the report due {first_due_text}").click()
    report_heading = gina.get_by_role("heading", name=f"Monitoring report due {first_due_text}")
    report_heading.wait_for()
    expect(_row(gina, "Progress").get_by_text("Twelve lunches held so far")).to_be_visible()
    expect(_row(gina, "Sent").get_by_text("by Vic Vaughan")).to_be_visible()
    assert_accessible(gina)
    gina.get_by_role("button", name="Accept this report").click()
    gina.get_by_text("The monitoring report has been accepted").wait_for()
    expect(report_heading.get_by_text("Accepted", exact=True)).to_be_visible()
    expect(_row(gina, "Accepted").get_by_text("by Gina Grant")).to_be_visible()
    expect(gina.get_by_role("button", name="Accept this report")).to_have_count(0)
    assert_accessible(gina)
    report = MonitoringReport.objects.get(award=award, due_on=first_due)
    assert report.status == MonitoringReport.Status.ACCEPTED
    assert report.spend_pence == 115_000
