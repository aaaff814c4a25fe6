"""The student's pages in a real browser, on a desktop and on a 390 px phone: what counts, when it is due,
the live status, the upload form's errors and Back, the error pages; axe-core finds nothing serious on any.

The journey grades "Gradient checking" (no model is trained, so a grading takes seconds of sandbox time).
"""
from __future__ import annotations

import re

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grader.courses.models import Assignment

from tests import student_files as files
from tests.browser.conftest import DEMO_COURSE, GRADING_TIMEOUT_MS, accessible_and_fits
from tests.browser.test_student_flow import WATCH_STATUS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.sandbox]

TITLE = "Gradient checking"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
FORWARD_PLUS = '''
def forward_propagation(x, theta):
    J = theta + x
    return J
'''
def contrast(page, locator) -> float:
    """The WCAG contrast ratio of the element's text colour on its background colour."""
    return locator.evaluate("""element => {
      const rgb = text => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
      const lum = ([r, g, b]) => [r, g, b].map(c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; })
        .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
      const style = getComputedStyle(element);
      const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))].sort((x, y) => y - x);
      return (a + 0.05) / (b + 0.05);
    }""")


def upload(page, name: str, data: bytes) -> int:
    page.get_by_label("Your notebook (.ipynb) or Python file (.py)").set_input_files(
        {"name": name, "mimeType": "application/x-ipynb+json", "buffer": data})
    page.get_by_role("button", name="Upload and grade").click()
    page.wait_for_url(re.compile(r"/submissions/\d+/$"))
    return int(re.search(r"/submissions/(\d+)/$", page.url).group(1))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_student_journey_shows_what_counts_and_when_and_reads_well(open_as, shot, viewport):
    Assignment.objects.filter(course__slug=DEMO_COURSE, slug="gradient-checking").update(
        due_at=timezone.now() + timedelta(days=1, hours=2, minutes=30))
    page = open_as("student", viewport=viewport, timezone_id="Asia/Tokyo", locale="en-GB")
    page.add_init_script(WATCH_STATUS)
    row = page.locator("tr", has=page.get_by_role("link", name=TITLE, exact=True))
    expect(row).to_contain_text("Not submitted")
    expect(row).to_contain_text(re.compile(r"1 day 2 hours left"))
    expect(row.locator("time")).to_contain_text(re.compile(r"GMT\+9|JST"))
    expect(row).to_contain_text("your best submission counts")
    accessible_and_fits(page, "home")
    logout = page.get_by_role("button", name="Log out")
    assert logout.evaluate("b => getComputedStyle(b).backgroundColor") == "rgba(0, 0, 0, 0)"  # not the primary action
    shot(page, "home")

    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_text("Your best submission counts.")).to_be_visible()
    expect(page.locator("#when")).to_contain_text("(1 day 2 hours left)")
    button = page.get_by_role("button", name="Upload and grade")
    assert contrast(page, button) >= 4.5
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Download the starter")).click()
    assert download.value.suggested_filename.startswith("gradient-checking")
    accessible_and_fits(page, "assignment")
    shot(page, "assignment")

    wrong = upload(page, "Gradient_Checking.ipynb",
                   files.notebook("gradient-checking", replace={"forward_propagation": FORWARD_PLUS}))
    expect(page).to_have_title(re.compile(rf"^{TITLE}: (Queued|Running|.*/ \d+\.\d\d) · Submission #{wrong}"))
    expect(page.locator("#status")).to_have_attribute("role", "status")
    expect(page.locator("#status")).to_have_text("Graded", timeout=GRADING_TIMEOUT_MS)
    seen = page.evaluate("window.statusSeen")
    assert seen[0] in ("Queued", "Running") and seen[-1] == "Graded", seen
    expect(page.locator("#fn-forward_propagation h3 .badge")).to_have_text("Failed")
    score = page.get_by_role("heading", name=re.compile(r"^Score: ")).inner_text()
    wrong_points = re.fullmatch(r"Score: (\d+\.\d\d) / (\d+\.\d\d)", score).groups()
    expect(page).to_have_title(f"{TITLE}: {wrong_points[0]} / {wrong_points[1]} · Submission #{wrong} · Gradebox")
    uploaded = page.locator("time").first.inner_text()
    assert "UTC" not in uploaded and re.search(r"GMT\+9|JST", uploaded), uploaded  # the reader's own zone
    points = page.locator("#fn-forward_propagation h3 .points")
    card = page.locator("#fn-forward_propagation")
    assert points.bounding_box()["x"] + points.bounding_box()["width"] <= card.bounding_box()["x"] + card.bounding_box()["width"]
    accessible_and_fits(page, "wrong-graded")
    shot(page, "wrong-graded")

    page.go_back()  # the assignment page again, as the browser kept it: no stale file beside a live button
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    chooser = page.get_by_label("Your notebook (.ipynb) or Python file (.py)")
    assert chooser.evaluate("input => input.files.length") == 0
    expect(page.get_by_role("button", name="Upload and grade")).to_be_enabled()
    shot(page, "back-to-form")

    right = upload(page, "Gradient_Checking.ipynb", files.notebook("gradient-checking"))
    expect(page.locator("#status")).to_have_text("Graded", timeout=GRADING_TIMEOUT_MS)
    full = page.get_by_role("heading", name=re.compile(r"^Score: ")).inner_text()
    assert re.fullmatch(r"Score: (\d+\.\d\d) / \1", full), full
    accessible_and_fits(page, "right-graded")
    shot(page, "right-graded")

    page.get_by_role("link", name=TITLE).click()
    history = page.locator("#history table")
    counting = history.locator("tr.counting")
    expect(counting).to_have_count(1)
    expect(counting).to_contain_text(str(right))
    expect(counting).to_contain_text("Counts (best)")
    with page.expect_download() as download:
        counting.get_by_role("link", name="Gradient_Checking.ipynb").click()
    assert download.value.suggested_filename == "Gradient_Checking.ipynb"
    accessible_and_fits(page, "history")
    shot(page, "history")

    page.get_by_role("link", name="Gradebox").click()
    expect(row).to_contain_text("Graded")
    expect(row.get_by_role("link", name=f"#{right}")).to_be_visible()
    expect(row).to_contain_text(full.removeprefix("Score: "))
    accessible_and_fits(page, "home-after")
    shot(page, "home-after")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_refused_upload_keeps_its_message_on_reload_with_the_input_focused(open_as, shot, viewport):
    page = open_as("student", viewport=viewport)
    page.get_by_role("link", name=TITLE, exact=True).click()
    page.get_by_label("Your notebook (.ipynb) or Python file (.py)").set_input_files(
        {"name": "screenshot.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n"})
    page.get_by_role("button", name="Upload and grade").click()
    page.wait_for_url(re.compile(r"/courses/improving-dnn/gradient-checking/\?upload="))
    for attempt in ("refused", "reloaded"):
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("Upload a Jupyter notebook (.ipynb) or a Python file (.py).")
        chooser = page.get_by_label("Your notebook (.ipynb) or Python file (.py)")
        expect(chooser).to_be_focused()
        expect(chooser).to_have_accessible_description(re.compile("Not uploaded: Upload a Jupyter notebook"))
        accessible_and_fits(page, attempt)
        shot(page, attempt)
        page.reload()


def test_error_pages_and_the_login_page_are_the_site_s_own_and_accessible(open_as, shot, chromium_browser, live_server):
    context = chromium_browser.new_context(base_url=live_server.url, viewport=PHONE)
    anonymous = context.new_page()
    anonymous.goto("/accounts/login/")
    accessible_and_fits(anonymous, "login")
    shot(anonymous, "login")
    context.close()
    page = open_as("student", viewport=PHONE)
    for path, status, heading in (("/no/such/page/", 404, "Page not found (404)"),
                                  ("/courses/improving-dnn/gradient-checking/submit", 405, "Not a page to open (405)")):
        response = page.goto(path)
        assert response.status == status
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        expect(page.get_by_role("link", name="Back to your assignments")).to_be_visible()
        accessible_and_fits(page, path)
        shot(page, f"error-{status}")


def test_back_to_the_upload_form_gives_a_fresh_form(chromium_browser, live_server, demo_course, shot):
    """With the back/forward cache on, as in a student's Chrome (Playwright turns it off by default), Back
    brings the page back as it was left: the chosen file must not stay next to a working button."""
    from tests.browser.conftest import CHROMIUM

    browser = chromium_browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"],
                                                   ignore_default_args=["--disable-back-forward-cache"])
    try:
        page = browser.new_context(base_url=live_server.url, viewport=PHONE).new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("student")
        page.get_by_label("Password").fill("student")
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("link", name=TITLE, exact=True).click()
        chooser = page.get_by_label("Your notebook (.ipynb) or Python file (.py)")
        chooser.set_input_files({"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"})
        page.get_by_role("button", name="Upload and grade").click()
        page.wait_for_url(re.compile(r"\?upload="))
        page.go_back(wait_until="commit")  # a page restored from the cache fires pageshow, not load
        expect(page).to_have_url(re.compile(r"/gradient-checking/$"))
        page.wait_for_function("document.readyState === 'complete'")
        restored = page.evaluate("performance.getEntriesByType('navigation')[0].type")
        assert chooser.evaluate("input => input.files.length") == 0, restored
        expect(page.get_by_role("button", name="Upload and grade")).to_be_enabled()
        shot(page, "back-to-a-fresh-form")
    finally:
        browser.close()
