"""The plans journey in a browser: a plan manager adds a plan and imports its actions from
a spreadsheet, updates progress on an action, records a risk, issues a board report, and
opens it as a PDF."""

import csv
import datetime as dt
from urllib.parse import urljoin

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from hub.core.demo import load_demo
from hub.testing.browser import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAN = "Ashworth Recovery Plan"
REGISTER = "Recovery partnership risks"
BOARD = "Health and Wellbeing Board"
RISK = "Partners are not able to work constructively together"
NOTE = "Groups mapped in four of the seven wards; two wards have no contact yet"

FIRST = "Map the befriending groups in each ward"
SECOND = "Train volunteer community connectors"
THIRD = "Set up a single crisis phone line"
# The plan's table as the council's reports set it out: a blank aim means "same as above".
PLAN_ROWS = [
    ["Strategic Aim", "Actions", "Leadership", "Timescale", "Outcomes"],
    [
        "Build compassionate communities",
        FIRST,
        "Co-production team",
        "September-December 2020",
        "A directory of local groups",
    ],
    ["", SECOND, "Volunteer centre", "October 2020", "Forty connectors trained"],
    ["Support people in crisis", THIRD, "Customer services", "Completed by end November 2020", ""],
]


def _menu(page, name: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=name).click()


def test_a_plan_manager_imports_a_plan_and_issues_a_board_report(page, tmp_path):
    load_demo()
    page.set_default_timeout(30_000)
    spreadsheet = tmp_path / "recovery-plan.csv"
    with spreadsheet.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(PLAN_ROWS)

    # 1. Pete adds a plan and imports its actions from the spreadsheet.
    sign_in(page, "pete@example.org", settings.HUB_DEMO_PASSWORD)
    _menu(page, "Plans")
    page.get_by_role("heading", name="Action plans").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Add a plan").click()
    page.get_by_role("heading", name="Add a plan").wait_for()
    assert_accessible(page)
    page.get_by_label("Name of the plan").fill(PLAN)
    page.get_by_label("Description").fill("Reports to the Health and Wellbeing Board")
    page.get_by_role("button", name="Add the plan").click()
    page.get_by_role("heading", name=PLAN, exact=True).wait_for()
    expect(page.get_by_text(f"{PLAN} has been added")).to_be_visible()
    expect(page.get_by_text("This plan has no aims or actions yet.")).to_be_visible()
    page.get_by_role("button", name="Import actions from a spreadsheet").click()
    page.get_by_role("heading", name="Import a plan from a spreadsheet").wait_for()
    assert_accessible(page)
    assert page.get_by_label("Plan to import into").input_value() != ""  # chosen for us
    page.get_by_label("Spreadsheet").set_input_files(str(spreadsheet))
    page.get_by_role("button", name="Check the file").click()

    page.get_by_role("heading", name=f"Check the import into {PLAN}").wait_for()
    assert_accessible(page)
    expect(page.get_by_text("3 actions under 2 strategic aims")).to_be_visible()
    expect(page.get_by_text("3 new actions, 0 to update")).to_be_visible()
    rows = page.get_by_role("table", name="The rows as the hub reads them")
    carried = rows.get_by_role("row").filter(has_text=SECOND)
    expect(carried.get_by_text("Build compassionate communities")).to_be_visible()
    expect(carried.get_by_text("(same as above)")).to_be_visible()
    first = rows.get_by_role("row").filter(has_text=FIRST)
    expect(first.get_by_text("1 September 2020 to 31 December 2020")).to_be_visible()
    expect(rows.get_by_text("By 30 November 2020")).to_be_visible()
    expect(rows.get_by_text("New", exact=True)).to_have_count(3)
    page.get_by_role("button", name=f"Import 3 rows into {PLAN}").click()

    page.get_by_role("heading", name=PLAN, exact=True).wait_for()
    expect(
        page.get_by_text(f"Imported into {PLAN}: 3 new actions, 0 updated, 0 unchanged, 2 new aims")
    ).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_role("heading", name="1. Build compassionate communities")).to_be_visible()
    expect(page.get_by_role("heading", name="2. Support people in crisis")).to_be_visible()
    first = page.get_by_role("row").filter(has_text=FIRST)
    expect(first.get_by_text("September-December 2020")).to_be_visible()
    expect(first.get_by_text("1 September 2020 to 31 December 2020")).to_be_visible()
    second = page.get_by_role("row").filter(has_text=SECOND)
    expect(second.get_by_text("1 October 2020 to 31 October 2020")).to_be_visible()
    third = page.get_by_role("row").filter(has_text=THIRD)
    expect(third.get_by_text("By 30 November 2020")).to_be_visible()

    # 2. He opens an action and records a progress update.
    page.get_by_role("link", name=FIRST).click()
    page.get_by_role("heading", name=FIRST).wait_for()
    expect(page.get_by_text("No progress updates yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Write a progress update").click()
    page.get_by_role("heading", name="Write a progress update").wait_for()
    assert_accessible(page)
    page.get_by_label("At risk", exact=True).check()
    page.get_by_label("What has happened since the last update?").fill(NOTE)
    page.get_by_role("button", name="Save the update").click()
    page.get_by_role("heading", name=FIRST).wait_for()
    expect(page.get_by_text("Your progress update on action")).to_be_visible()
    updates = page.get_by_role("table", name="Progress updates, newest first")
    expect(updates.get_by_role("cell", name=NOTE)).to_be_visible()
    expect(updates.get_by_role("cell", name="At risk")).to_be_visible()
    expect(updates.get_by_role("cell", name="Pete Patel")).to_be_visible()
    expect(page.locator(".govuk-summary-list").get_by_text("At risk")).to_be_visible()
    assert_accessible(page)

    # 3. He adds a risk register for the plan and records a risk in it.
    _menu(page, "Risks")
    page.get_by_role("heading", name="Risk registers").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Add a risk register").click()
    page.get_by_role("heading", name="Add a risk register").wait_for()
    assert_accessible(page)
    page.get_by_role("textbox", name="Name").fill(REGISTER)
    page.get_by_label("High / Medium / Low").check()
    page.get_by_label("Plan whose actions mitigate these risks").select_option(label=PLAN)
    page.get_by_role("button", name="Add the register").click()
    page.get_by_role("heading", name=REGISTER, exact=True).wait_for()
    expect(page.get_by_text("No risks recorded yet.")).to_be_visible()
    page.get_by_role("button", name="Add a risk").click()
    page.get_by_role("heading", name="Add a risk").wait_for()
    assert_accessible(page)
    page.get_by_label("Description of the risk").fill(RISK)
    page.get_by_label("Category").fill("Partnership")
    page.get_by_role("group", name="Impact before mitigation").get_by_label("High").check()
    page.get_by_role("group", name="Likelihood before mitigation").get_by_label("Medium").check()
    page.get_by_role("textbox", name="Mitigating action").fill(
        "Partnership agreement signed by every member; quarterly joint workshops"
    )
    page.get_by_role("group", name="Plan actions that mitigate it").get_by_label(FIRST).check()
    page.get_by_role("group", name="Impact after mitigation").get_by_label("High").check()
    page.get_by_role("group", name="Likelihood after mitigation").get_by_label("Low").check()
    page.get_by_role("button", name="Add the risk").click()
    page.get_by_role("heading", name=RISK).wait_for()
    expect(page.get_by_text("The risk has been added")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=f"Back to {REGISTER}").click()

    page.get_by_role("heading", name=REGISTER, exact=True).wait_for()
    risks = page.get_by_role("table", name=f"Risks in {REGISTER}")
    row = risks.get_by_role("row").filter(has_text=RISK)
    expect(row.get_by_role("link", name=RISK, exact=True)).to_be_visible()
    expect(row.get_by_text("Impact High, likelihood Medium")).to_be_visible()
    expect(row.get_by_text("Impact High, likelihood Low")).to_be_visible()
    expect(row.get_by_text("Partnership agreement signed")).to_be_visible()
    pictures = page.locator("svg[role='img']")
    expect(pictures).to_have_count(2)
    for when, likelihood in (("before", "Medium"), ("after", "Low")):
        title = f"{REGISTER}: open risks {when} mitigation"
        expect(page.get_by_role("img", name=title)).to_be_visible()
        data = page.get_by_role("table", name=f"{title}: number of risks by impact and likelihood")
        expect(data).to_be_visible()
        # The one risk is counted in the cell of impact High and its likelihood.
        headers = [h.strip() for h in data.get_by_role("columnheader").all_inner_texts()]
        likelihoods = headers[headers.index("Impact") + 1 :]
        high = data.get_by_role("row").filter(has=page.get_by_role("rowheader", name="High"))
        counts = [c.strip() for c in high.get_by_role("cell").all_inner_texts()]
        assert counts == ["1" if label == likelihood else "0" for label in likelihoods]
    assert_accessible(page)

    # 4. He adds the board that oversees the plan and the register, and a meeting.
    _menu(page, "Boards")
    page.get_by_role("heading", name="Boards", exact=True).wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Add a board").click()
    page.get_by_role("heading", name="Add a board").wait_for()
    assert_accessible(page)
    page.get_by_role("textbox", name="Name").fill(BOARD)
    page.get_by_label("Every three months").check()
    page.get_by_role("group", name="Plans the board oversees").get_by_label(PLAN).check()
    page.get_by_role("group", name="Risk registers the board oversees").get_by_label(
        REGISTER
    ).check()
    page.get_by_role("button", name="Add the board").click()
    page.get_by_role("heading", name=BOARD).wait_for()
    expect(page.get_by_text(f"{BOARD} has been added")).to_be_visible()
    expect(page.get_by_text("Every three months, as the board agreed")).to_be_visible()
    expect(page.get_by_role("link", name=PLAN)).to_be_visible()
    expect(page.get_by_role("link", name=REGISTER)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Add a meeting").click()
    page.get_by_role("heading", name="Add a meeting").wait_for()
    assert_accessible(page)
    held_on = timezone.localdate() + dt.timedelta(days=14)
    page.get_by_label("Date of the meeting").fill(f"{held_on:%d/%m/%Y}")
    page.get_by_label("Title").fill("Quarterly review")
    page.get_by_role("button", name="Add the meeting").click()
    page.get_by_text("The meeting has been added").wait_for()
    meetings = page.get_by_role("table", name=f"Meetings of {BOARD}")
    expect(meetings.get_by_role("cell", name="Quarterly review")).to_be_visible()

    # He starts the meeting's report, writes it and issues it.
    page.get_by_role("button", name="Start a report").click()
    page.get_by_role("heading", name="Write the report").wait_for()
    assert_accessible(page)
    title = f"Recovery plan progress: {BOARD}"
    page.get_by_label("Title").fill(title)
    page.get_by_label("Summary").fill("Three actions are under way; one is at risk.")
    page.get_by_label("Recommendations").fill("The board is asked to note the progress.")
    page.get_by_label("Financial implications").fill("None beyond the agreed budget.")
    page.get_by_label("Legal implications").fill("None.")
    page.get_by_label("Equality implications").fill("The crisis line is free to call.")
    page.get_by_role("button", name="Save the report").click()
    page.get_by_role("heading", name=title).wait_for()
    expect(page.get_by_text("The report has been saved")).to_be_visible()
    status = page.locator(".govuk-inset-text")
    expect(status.get_by_text("Draft", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Issue the report").click()
    page.get_by_role("heading", name="Issue the report").wait_for()
    assert_accessible(page)
    page.get_by_label("I have checked this report and it is ready to go to the board").check()
    page.get_by_role("button", name="Issue the report").click()

    page.get_by_role("heading", name=title).wait_for()
    expect(page.get_by_text("The report has been issued")).to_be_visible()
    expect(status.get_by_text("Issued", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Issue the report")).to_have_count(0)
    report = page.locator("article.hub-report")
    expect(report.get_by_text("Three actions are under way; one is at risk.")).to_be_visible()
    expect(report.get_by_text("The board is asked to note the progress.")).to_be_visible()
    expect(report.get_by_role("heading", name=PLAN)).to_be_visible()
    progress = report.get_by_role("table", name=f"{PLAN}: actions by status")
    expect(progress).to_be_visible()
    actions = report.get_by_role("table", name="Actions under the aim: Build compassionate")
    action_row = actions.get_by_role("row").filter(has_text=FIRST)
    expect(action_row.get_by_text("At risk", exact=True)).to_be_visible()
    expect(action_row.get_by_text(NOTE)).to_be_visible()
    expect(report.get_by_role("heading", name=REGISTER)).to_be_visible()
    risk_row = report.get_by_role("table", name=f"{REGISTER}: open risks").get_by_role("row")
    risk_row = risk_row.filter(has_text=RISK)
    expect(risk_row.get_by_text("Partnership agreement signed")).to_be_visible()
    expect(report.locator("svg[role='img']")).to_have_count(2)
    expect(report.get_by_text("The crisis line is free to call.")).to_be_visible()
    assert_accessible(page)

    # 5. He opens the issued report as a PDF (served inline).
    link = page.get_by_role("link", name="Open this report as a PDF")
    assert link.inner_text().strip() == "Open this report as a PDF"  # not marked draft
    response = page.context.request.get(urljoin(page.url, link.get_attribute("href")))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "inline" in response.headers.get("content-disposition", "")
    assert response.body().startswith(b"%PDF")
