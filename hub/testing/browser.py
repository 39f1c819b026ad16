"""Browser fixtures: headless Chromium through Playwright, and axe-core on every page.

Chromium comes from Debian's package (never `playwright install`). Where it is missing
the browser tests fail in CI (CI=true) and are skipped, saying why, elsewhere.
"""

import os
import re
import shutil
from collections.abc import Iterator
from urllib.parse import urljoin, urlparse

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium"):
        if candidate and os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator:
    path = chromium_path()
    if path is None:
        message = "Chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: browser tests must run in CI")
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls our tests make
    # between page actions are still synchronous, so Django's async guard is lifted here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import expect, sync_playwright

    # Assert with expect(locator), which waits for the page to catch up; a bare
    # locator.is_visible() checks once and races a navigation that is still loading.
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1200, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page_without_js(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def axe_violations(page) -> list[str]:
    """WCAG 2.2 AA violations axe-core finds on the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    lines = []
    for violation in results.response["violations"]:
        targets = [",".join(node["target"]) for node in violation["nodes"]][:5]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return lines


def assert_accessible(page) -> None:
    page.wait_for_load_state()  # after a click, check the page it led to, once it has loaded
    violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(violations)


def sign_in(page, email: str, password: str) -> None:
    page.goto("/account/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


_NUMBER = re.compile(r"/\d+/")
_SKIP = (
    "/account/sign-out/",
    "/django-admin/",
    "/api/schema",
    "/static/",
    "mailto:",
    "format=csv",
    "/documents/",
)
_DOWNLOADS = (".csv", ".pdf", ".json", ".xlsx")


def crawl(page, start: str = "/home/", limit: int = 60) -> list[str]:
    """Visit every same-site page reachable by links from ``start`` (one per URL shape).

    Runs axe-core on each and returns the paths visited; fails on any violation or
    any page that does not answer 200.
    """
    origin = urlparse(page.url if page.url.startswith("http") else "http://x").netloc
    queue, seen_shapes, visited = [start], set(), []
    while queue and len(visited) < limit:
        path = queue.pop(0)
        shape = _NUMBER.sub("/N/", path.split("?")[0])
        if shape in seen_shapes:
            continue
        seen_shapes.add(shape)
        response = page.goto(path)
        assert response is not None and response.status == 200, (
            f"{path} answered {response and response.status}"
        )
        assert page.locator("h1").count() == 1, f"{path} must have exactly one h1"
        assert_accessible(page)
        visited.append(path)
        origin = urlparse(page.url).netloc
        links = page.eval_on_selector_all(
            "a[href]:not([download])", "els => els.map(e => e.getAttribute('href'))"
        )
        for href in links:
            absolute = urljoin(page.url, href)
            parsed = urlparse(absolute)
            if parsed.netloc != origin or any(s in absolute for s in _SKIP) or "#" in href[:1]:
                continue
            if parsed.path.endswith(_DOWNLOADS):
                continue
            queue.append(parsed.path + (f"?{parsed.query}" if parsed.query else ""))
    return visited
