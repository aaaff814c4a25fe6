"""Browser tests: Debian's Chromium driven by Playwright against a live server, with real Celery workers.

The server is pytest-django's `live_server` (a threaded WSGI server in the test process, on the test
database); the workers are the real `celery worker` processes of tests/conftest.py, grading in the real sandbox.
Every step a test names is saved as `var/artifacts/screenshots/<test>/<step>.png`.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from tests.conftest import ROOT

CHROMIUM = os.environ.get("GRADER_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "var" / "artifacts" / "screenshots"
GRADING_TIMEOUT_MS = 180_000  # a notebook with model checks trains three small networks in the sandbox
DEMO_COURSE = "improving-dnn"


def pytest_terminal_summary(terminalreporter):
    """Says where the pictures are whenever a browser test ran, passed or failed."""
    if any(report.when == "call" and "browser" in report.keywords
           for reports in terminalreporter.stats.values() for report in reports if hasattr(report, "when")):
        terminalreporter.write_line(f"browser tests' screenshots: {SCREENSHOTS}/<test>/<step>.png")


@pytest.fixture
def chromium_browser(monkeypatch):
    """A headless Chromium for the test (Debian's package, never a browser downloaded by Playwright).

    Playwright's sync API runs an event loop on the test's thread, so while it is open Django takes the
    test's own (synchronous) database calls for calls from async code; the switch that allows them is
    set for this test only.
    """
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make system` installs Debian's chromium package")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def demo_course(live_server, celery_worker_process):
    """The demo course with every course bundle published (the contract runs in its own tests) and its accounts."""
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", "--skip-contract", stdout=quiet)
    return DEMO_COURSE


AXE = Axe()  # axe-core as the package ships it: nothing is fetched from a CDN


def accessible_and_fits(page, where: str) -> None:
    """axe-core reports no serious or critical violation, and nothing scrolls sideways."""
    violations = [v for v in AXE.run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not violations, (where, [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations])
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{where}: the page scrolls sideways by {overflow}px"


class Screenshots:
    """Saves numbered full-page screenshots of the current test's steps."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)

    def __call__(self, page, step: str) -> Path:
        self.count += 1
        # Feedback arrives by script and its plots load after it: wait for every image before the picture.
        page.wait_for_function("Array.from(document.images).every(image => image.complete)")
        path = self.folder / f"{self.count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shot(request) -> Screenshots:
    """`shot(page, "step-name")` saves var/artifacts/screenshots/<test>/<NN>-<step-name>.png."""
    return Screenshots(SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name))


@pytest.fixture
def open_as(chromium_browser, live_server, demo_course, shot):
    """`open_as("student")` logs a demo account in through the login page, in a browser context of its own.

    Every uncaught JavaScript error on any page fails the test; each context is screenshotted once
    more at teardown, so a failing step leaves the page it stopped on.
    """
    contexts = []
    errors: list[str] = []

    def login(username: str, password: str | None = None, **context_options):
        """`context_options` go to the browser context: a phone's `viewport`, a `timezone_id`, a `locale`."""
        context = chromium_browser.new_context(base_url=live_server.url, accept_downloads=True, **context_options)
        context.set_default_timeout(30_000)  # a page that posts to a busy 2-core machine may take a while
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{username}: {error}"))
        contexts.append((username, page))
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password or username)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield login
    for username, page in contexts:
        if not page.is_closed():
            shot(page, f"last-page-{username}")
        page.context.close()
    assert not errors, f"JavaScript errors on the pages: {errors}"
