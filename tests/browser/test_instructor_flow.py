"""An instructor builds, checks, publishes and changes an assignment on the staff pages; a student is graded by it.

A tiny assignment (the course's `relu` and `sigmoid` helpers) so the whole flow takes seconds of sandbox time:
four cases, one of each way to give arguments (a literal, a builder in cases.py, an uploaded HDF5 file, the
same HDF5 file chosen again), since every function needs a second case that tells a hard-coded answer apart.
"""
from __future__ import annotations

import csv
import io
import re

import h5py
import numpy as np
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import GRADING_TIMEOUT_MS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.sandbox]

SLUG = "activations"
TITLE = "Activation functions"
STAFF = "/courses/improving-dnn/staff"
WORKER_TIMEOUT_MS = 120_000  # preview, validation and regrade batches run on the bulk queue

# The reference with a slip (X for x): the sandbox run of sigmoid fails, so nothing can be checked.
BROKEN_REFERENCE = '''import numpy as np


def sigmoid(x):
    s = 1 / (1 + np.exp(-X))
    return s


def relu(x):
    s = np.maximum(0, x)
    return s
'''
REFERENCE = BROKEN_REFERENCE.replace("np.exp(-X)", "np.exp(-x)")

CASES = '''import numpy as np


def sigmoid_wide():
    return (np.linspace(-6.0, 6.0, 24).reshape(4, 6),)
'''

# A student who rounds sigmoid to three decimals: off by up to 5e-4, wrong at the default tolerance
# (rtol 1e-5, atol 1e-8), right once the instructor allows atol 1e-3 on the builder's case.
STUDENT = b'''import numpy as np


def sigmoid(x):
    return np.round(1 / (1 + np.exp(-x)), 3)


def relu(x):
    return np.maximum(0, x)
'''


HIDDEN_X = np.random.default_rng(1).standard_normal((4, 5))  # the hidden cases' argument


def hdf5_arguments() -> bytes:
    """An HDF5 file of case arguments: dataset arg0, a 4 x 5 array with both signs."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as handle:
        handle["arg0"] = HIDDEN_X
    return buffer.getvalue()


def text_file(name: str, text: str) -> dict:
    return {"name": name, "mimeType": "text/x-python", "buffer": text.encode()}


# -- the editor's pages (assignment settings, files, functions and cases) -------------------------------------

def create_assignment(page):
    """Staff home -> New assignment: the assignment starts with an empty draft, v1."""
    page.goto(f"{STAFF}/")
    page.get_by_role("link", name="New assignment").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Slug").fill(SLUG)
    page.get_by_role("button", name="Create the assignment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)


def editor_tab(page, tab: str):
    page.goto(f"{STAFF}/assignments/{SLUG}/")
    page.get_by_role("navigation", name="Assignment editor").get_by_role("link", name=tab).click()


def add_file(page, role: str, upload: dict | None = None, name: str = "", text: str = ""):
    """Uploads a file of the bundle, or types one in, on the Files tab."""
    editor_tab(page, "Files")
    page.get_by_label("Role").select_option(label=role)
    if upload is not None:
        page.get_by_label(re.compile("^Upload")).set_input_files(upload)
    else:
        page.get_by_label("File name").fill(name)
        page.get_by_label("Or type it").fill(text)
    page.get_by_role("button", name="Save the file").click()
    expect(page.locator("table").first.get_by_role("link", name=upload["name"] if upload else name)).to_be_visible()


def replace_file_text(page, name: str, text: str):
    editor_tab(page, "Files")
    page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True)).get_by_role(
        "link", name="Edit").click()
    page.locator("textarea[name=text]").fill(text)
    page.get_by_role("button", name=f"Save {name}").click()
    expect(page.get_by_role("status")).to_contain_text("saved")


def add_function(page, name: str, points: int, outputs: str):
    editor_tab(page, "Functions and cases")
    page.get_by_label(re.compile("^Name")).fill(name)
    page.get_by_label("Points").fill(str(points))
    page.get_by_label("Outputs").fill(outputs)
    page.get_by_role("button", name="Add the function").click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def open_case_form(page, function: str, case_id: str | None = None):
    editor_tab(page, "Functions and cases")
    page.get_by_role("link", name=function, exact=True).click()
    if case_id is None:
        page.get_by_role("link", name="Add a case").click()
    else:
        page.get_by_role("link", name=case_id, exact=True).click()


def add_case(page, function: str, case_id: str, visibility: str, kind: str, **arguments):
    """`visibility` and `kind` start the case form's choice labels; `arguments` fill the matching field."""
    open_case_form(page, function)
    page.get_by_label("Case id").fill(case_id)
    page.get_by_role("radio", name=re.compile("^" + re.escape(visibility))).check()
    page.get_by_role("radio", name=kind, exact=True).check()
    if "literal" in arguments:
        page.get_by_label("Literal arguments").fill(arguments["literal"])
    if "builder" in arguments:
        page.get_by_label(re.compile(r"^Builder in cases\.py")).fill(arguments["builder"])
    if "hdf5_upload" in arguments:
        page.get_by_label("Or upload an HDF5 file").set_input_files(arguments["hdf5_upload"])
    if "hdf5_file" in arguments:
        page.get_by_label("HDF5 file of the bundle").select_option(label=arguments["hdf5_file"])
    page.get_by_role("button", name="Save the case").click()
    expect(page.get_by_role("status")).to_contain_text(f"{function}: case {case_id} saved")


def set_tolerance(page, function: str, case_id: str, atol: str):
    open_case_form(page, function, case_id)
    page.get_by_label("atol").fill(atol)
    page.get_by_role("button", name="Save the case").click()
    expect(page.get_by_role("row").filter(has=page.get_by_role("link", name=case_id, exact=True))).to_contain_text(
        f"/ {atol}")


# -- the version pages (preview, validate, publish, regrade batches) ------------------------------------------

def version_page(page, number: int, step: str):
    page.goto(f"{STAFF}/assignments/{SLUG}/versions/{number}/{step}/")


def preview(page, number: int):
    """Opens the preview; a worker computes it while the page polls, then the page reloads itself."""
    version_page(page, number, "preview")
    done = page.locator("#function-relu").or_(page.get_by_role("heading", name="The preview could not be computed"))
    expect(done).to_be_visible(timeout=WORKER_TIMEOUT_MS)


def validate(page, number: int):
    version_page(page, number, "validate")
    page.get_by_role("button", name=re.compile("^Validate")).click()
    verdict = page.get_by_role("heading", name=re.compile(r"(Every check passed|\d+ checks? failed)"))
    expect(verdict).to_be_visible(timeout=WORKER_TIMEOUT_MS)
    return verdict.inner_text()


# -- the student's side -------------------------------------------------------------------------------------

def upload_and_wait(page, data: bytes) -> int:
    page.goto("/")
    page.get_by_role("link", name=TITLE, exact=True).click()
    page.get_by_label("Your notebook (.ipynb) or Python file (.py)").set_input_files(
        {"name": "activations.py", "mimeType": "text/x-python", "buffer": data})
    page.get_by_role("button", name="Upload and grade").click()
    page.wait_for_url(re.compile(r"/submissions/\d+/$"))
    expect(page.locator("#status")).to_have_text("Graded", timeout=GRADING_TIMEOUT_MS)
    return int(re.search(r"/submissions/(\d+)/$", page.url).group(1))


def test_instructor_builds_publishes_and_retunes_an_assignment_the_student_is_graded_by(open_as, shot):
    teacher = open_as("teacher")
    student = open_as("student")
    h5 = hdf5_arguments()

    # Build the draft: files, two functions, four cases.
    create_assignment(teacher)
    add_file(teacher, "Reference solution", upload=text_file("reference.py", BROKEN_REFERENCE))
    add_file(teacher, "Case builders", name="cases.py", text=CASES)
    add_function(teacher, "relu", 1, "s")
    add_function(teacher, "sigmoid", 1, "s")
    add_case(teacher, "relu", "published", "Visible", "Literal values",
             literal="[{ array = [[-1.0, 0.0, 2.0], [3.5, -0.5, 0.25]] }]")
    add_case(teacher, "relu", "from-file", "Hidden: its verdict counts", "An HDF5 file",
             hdf5_upload={"name": "relu_z.h5", "mimeType": "application/x-hdf5", "buffer": h5})
    add_case(teacher, "sigmoid", "wide", "Visible", "A builder in cases.py", builder="sigmoid_wide")
    add_case(teacher, "sigmoid", "from-file", "Hidden: its verdict counts", "An HDF5 file",
             hdf5_file="inputs/relu_z.h5")
    shot(teacher, "draft-built")

    # The broken reference: the preview shows the sandbox's error, validation and publishing refuse with it.
    preview(teacher, 1)
    expect(teacher.get_by_role("heading", name="The preview could not be computed")).to_be_visible()
    expect(teacher.locator("pre")).to_contain_text("NameError")
    shot(teacher, "preview-broken")
    assert validate(teacher, 1) == "1 check failed"
    expect(teacher.locator("tr.failing")).to_contain_text("name 'X' is not defined")
    shot(teacher, "validate-refused")
    teacher.get_by_role("navigation", name="This version").get_by_role("link", name="Publish").click()
    expect(teacher.get_by_text("Publishing is refused while these checks fail")).to_be_visible()
    teacher.get_by_role("button", name="Publish v1").click()
    expect(teacher.get_by_role("alert")).to_contain_text("name 'X' is not defined")
    shot(teacher, "publish-refused")

    # Fixed: the preview shows each case's inputs and the reference's outputs; validation passes; publish.
    replace_file_text(teacher, "reference.py", REFERENCE)
    preview(teacher, 1)
    relu = teacher.locator("#function-relu")
    expect(relu).to_contain_text("published")
    expect(relu).to_contain_text("3.5")  # the literal input, and the reference's output keeps it
    expect(teacher.locator("#function-sigmoid")).to_contain_text("hidden")
    shot(teacher, "preview")
    assert validate(teacher, 1) == "Every check passed"
    teacher.get_by_role("navigation", name="This version").get_by_role("link", name="Publish").click()
    expect(teacher.get_by_text("No student upload counts yet")).to_be_visible()
    teacher.get_by_role("button", name="Publish v1").click()
    expect(teacher.get_by_role("status")).to_contain_text("v1 is published")
    shot(teacher, "published-v1")

    # The student's upload: relu right, sigmoid rounded so both its cases fail at the default tolerance.
    first = upload_and_wait(student, STUDENT)
    expect(student.get_by_role("heading", name="Score: 1.00 / 2.00")).to_be_visible()
    expect(student.locator("#fn-relu h3 .badge")).to_have_text("Passed")
    sigmoid = student.locator("#fn-sigmoid")
    expect(sigmoid.locator("h3 .badge")).to_have_text("Failed")
    expect(sigmoid).to_contain_text("largest error")
    expect(sigmoid).to_contain_text("1 hidden check failed")
    page_text = student.locator("main").inner_text()
    for value in (HIDDEN_X[0, 0], 1 / (1 + np.exp(-HIDDEN_X[0, 0]))):  # a hidden input, its expected output
        assert f"{value:.4f}" not in page_text
    shot(student, "graded-v1")

    # A looser tolerance on the builder's case makes v2; the dry run counts the one score it changes.
    set_tolerance(teacher, "sigmoid", "wide", "0.001")
    assert validate(teacher, 2) == "Every check passed"
    teacher.get_by_role("navigation", name="This version").get_by_role("link", name="Publish").click()
    teacher.get_by_role("button", name="Start the dry run").click()
    expect(teacher.get_by_text("1 of 1 submission would change score")).to_be_visible(timeout=WORKER_TIMEOUT_MS)
    shot(teacher, "dry-run")
    teacher.get_by_label("Regrade every counted upload on this version now").check()
    teacher.get_by_role("button", name="Publish v2").click()
    progress = teacher.locator("#progress")
    expect(progress).to_contain_text("Finished", timeout=WORKER_TIMEOUT_MS)
    expect(progress).to_contain_text("1 / 1 done")
    expect(progress).to_contain_text("1 score changed")
    shot(teacher, "regraded")

    # The student sees the new grade, with the first result still listed.
    student.goto("/")
    student.get_by_role("link", name=TITLE, exact=True).click()
    expect(student.locator("#grade")).to_contain_text("1.50 / 2.00")
    history = student.locator(".card", has=student.get_by_role("heading", name="Your submissions")).locator("table")
    expect(history.get_by_role("row").filter(has=student.get_by_role("link", name=str(first), exact=True))
           ).to_contain_text("1.00 / 2.00")
    regraded = history.get_by_role("row").filter(has_text=f"regrade of #{first}")
    expect(regraded).to_contain_text("1.50 / 2.00")
    expect(regraded).to_contain_text("Counts (best)")
    shot(student, "graded-v2")

    # The gradebook's CSV has the counting score.
    teacher.goto(f"{STAFF}/")
    teacher.get_by_role("navigation", name="Course staff pages").get_by_role("link", name="Gradebook").click()
    with teacher.expect_download() as download:
        teacher.get_by_role("link", name="gradebook.csv").click()
    assert download.value.suggested_filename == "improving-dnn-gradebook.csv"
    text = download.value.path().read_text(encoding="utf-8")
    rows = {row["username"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows["student"][SLUG] == "1.5"
    assert rows["student"]["total"] == "1.5"
    assert "teacher" not in rows
