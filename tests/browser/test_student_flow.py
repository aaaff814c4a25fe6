"""A student in a real browser: log in, upload a wrong then a right notebook, watch the status, read the cards."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import student_files as files
from tests.browser.conftest import GRADING_TIMEOUT_MS, accessible_and_fits

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.sandbox]

# Records every text the status badge shows, from the server's first render on, without a reload
# resetting it unnoticed (a reload starts the list again at the finished status).
WATCH_STATUS = """
window.statusSeen = [];
document.addEventListener("DOMContentLoaded", () => {
  const badge = document.getElementById("status");
  if (!badge) return;
  const note = () => {
    const text = badge.textContent.trim();
    if (window.statusSeen[window.statusSeen.length - 1] !== text) window.statusSeen.push(text);
  };
  note();
  new MutationObserver(note).observe(badge, {childList: true, characterData: true, subtree: true});
});
"""


def upload(page, name: str, data: bytes) -> int:
    """Chooses the file on the assignment page and submits; returns the new submission's id from the URL."""
    page.get_by_label("Your notebook (.ipynb) or Python file (.py)").set_input_files({"name": name, "mimeType": "application/x-ipynb+json", "buffer": data})
    page.get_by_role("button", name="Upload and grade").click()
    page.wait_for_url(re.compile(r"/submissions/\d+/$"))
    return int(re.search(r"/submissions/(\d+)/$", page.url).group(1))


def watch_until_graded(page) -> list[str]:
    """Waits for the page itself (its polling, no reload) to show Graded; returns the statuses it showed."""
    expect(page.locator("#status")).to_have_text("Graded", timeout=GRADING_TIMEOUT_MS)
    return page.evaluate("window.statusSeen")


def card(page, function: str):
    return page.locator(f"#fn-{function}")


def test_student_uploads_a_wrong_then_a_right_notebook_and_reads_the_cards(open_as, shot):
    page = open_as("student")
    page.add_init_script(WATCH_STATUS)
    shot(page, "home")
    page.get_by_role("link", name="Optimization methods", exact=True).click()
    expect(page.get_by_role("heading", name="Optimization methods", exact=True)).to_be_visible()
    expect(page.get_by_text("No submissions yet.")).to_be_visible()
    shot(page, "assignment")

    wrong = files.notebook(replace={"update_parameters_with_adam": files.ADAM_WITHOUT_BIAS_CORRECTION})
    first = upload(page, "Optimization_methods.ipynb", wrong)
    seen = watch_until_graded(page)
    assert seen[0] in ("Queued", "Running") and seen[-1] == "Graded", seen
    shot(page, "wrong-graded")

    adam = card(page, "update_parameters_with_adam")
    expect(adam.locator("h3 .badge")).to_have_text("Failed")
    expect(adam.locator(".hint")).to_contain_text("Did you divide v by (1 - beta1**t)")
    expect(adam.locator(".check.no").first).to_contain_text('parameters["W1"]')
    expect(adam.locator(".check.no").first).to_contain_text("largest error")
    for function in ("update_parameters_with_gd", "random_mini_batches", "initialize_velocity",
                     "update_parameters_with_momentum", "initialize_adam"):
        expect(card(page, function).locator("h3 .badge")).to_have_text("Passed")
    wrong_score = page.get_by_role("heading", name=re.compile(r"^Score: ")).inner_text()
    points = float(re.fullmatch(r"Score: ([\d.]+) / 10\.00", wrong_score).group(1))
    assert 0 < points < 10

    page.get_by_role("link", name="Optimization methods").click()
    second = upload(page, "Optimization_methods.ipynb", files.notebook())
    seen = watch_until_graded(page)
    assert seen[0] in ("Queued", "Running") and seen[-1] == "Graded", seen
    expect(page.get_by_role("heading", name="Score: 10.00 / 10.00")).to_be_visible()
    badges = page.locator(".card.function h3 .badge")
    assert badges.count() == 9  # six graded functions and three model checks
    assert set(badges.all_inner_texts()) == {"Passed"}
    expect(page.get_by_role("heading", name="Model-level checks")).to_be_visible()
    plot = card(page, "adam").get_by_alt_text("Cost over training", exact=False)  # its alt text gives the final costs
    assert "the reference ends at" in plot.get_attribute("alt")
    expect(plot).to_be_visible()
    page.wait_for_function("image => image.complete", arg=plot.element_handle())
    assert plot.evaluate("image => image.naturalWidth") > 0  # the PNG itself arrived, not a broken image
    shot(page, "right-graded")
    page.set_viewport_size({"width": 390, "height": 844})  # on a phone the plots shrink to their card
    plot_box, card_box = plot.bounding_box(), card(page, "adam").bounding_box()
    assert plot_box["width"] < 400 and plot_box["x"] + plot_box["width"] <= card_box["x"] + card_box["width"]
    accessible_and_fits(page, "right-graded on a phone")
    shot(page, "right-graded-phone")
    page.set_viewport_size({"width": 1280, "height": 720})

    page.get_by_role("link", name="Optimization methods").click()
    history = page.locator(".card", has=page.get_by_role("heading", name="Your submissions")).locator("table")
    expect(history.get_by_role("row")).to_have_count(3)  # the header and both uploads
    expect(history.get_by_role("row").filter(has=page.get_by_role("link", name=str(first)))).to_contain_text(
        f"{points:.2f} / 10.00")
    expect(history.get_by_role("row").filter(has=page.get_by_role("link", name=str(second)))).to_contain_text(
        "10.00 / 10.00")
    shot(page, "history")


def test_teacher_reaches_the_staff_home_from_the_header(open_as, shot):
    page = open_as("teacher")
    page.get_by_role("banner").get_by_role("link", name="Staff: Improving Deep Neural Networks").click()
    expect(page).to_have_url(re.compile(r"/courses/improving-dnn/staff/$"))
    expect(page.get_by_role("heading", name="Improving Deep Neural Networks", level=1)).to_be_visible()
    assignments = page.locator("section", has=page.get_by_role("heading", name="Assignments"))
    expect(assignments.get_by_role("cell", name="Optimization methods (optimization)")).to_be_visible()
    shot(page, "staff-home")

    student = open_as("student")
    expect(student.get_by_role("banner").get_by_role("link", name=re.compile("^Staff:"))).to_have_count(0)
    response = student.goto("/courses/improving-dnn/staff/")
    assert response.status == 404
