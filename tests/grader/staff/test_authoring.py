"""The assignment editor's pages: forms that validate, every edit reaching the draft's manifest, drafts staff-only."""
from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import h5py
import nbformat
import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from assignments.bundle import load_bundle
from grader.authoring import drafts
from grader.authoring.services import export, load_folder
from grader.courses.models import Assignment, Course, Enrollment
from grader.submissions.models import Grade, Submission
from tests.grader.authoring.bundles import write_bundle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache(request, settings, tmp_path):
    """Exports go to a folder of the test's own; a sandbox run keeps the shared cache (its root filesystem)."""
    if "sandbox" not in request.keywords:
        settings.GRADER_CACHE_DIR = tmp_path / "cache"


@pytest.fixture
def people():
    """A course with a teacher and a student, and another course's teacher."""
    User = get_user_model()
    course = Course.objects.create(slug="acts", title="Activations")
    elsewhere = Course.objects.create(slug="elsewhere", title="Elsewhere")
    teacher, student, stranger = (User.objects.create_user(name) for name in ("teacher", "student", "stranger"))
    Enrollment.objects.create(user=teacher, course=course, role=Enrollment.Role.STAFF)
    Enrollment.objects.create(user=student, course=course, role=Enrollment.Role.STUDENT)
    Enrollment.objects.create(user=stranger, course=elsewhere, role=Enrollment.Role.STAFF)
    return course, teacher, student, stranger


@pytest.fixture
def published(people, tmp_path):
    course = people[0]
    return load_folder(course, write_bundle(tmp_path / "bundle"), contract=False).version


@pytest.fixture
def staff(client, people):
    client.force_login(people[1])
    return client


BASE = "/courses/acts/staff/assignments"
SETTINGS = {"title": "Softmax", "description": "", "due_at": "", "is_open": "on", "late_policy": "accept",
            "late_penalty_percent": "0", "hard_deadline": "", "max_submissions": "", "counting": "best"}


def draft_of(slug: str):
    return drafts.current_draft(Assignment.objects.get(slug=slug))


def hdf5(**datasets) -> bytes:
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as handle:
        for name, value in datasets.items():
            handle[name] = value
    return buffer.getvalue()


@pytest.mark.parametrize("change, field, message", [
    ({"slug": "staff"}, "slug", "taken by the site"),
    ({"slug": "new"}, "slug", "taken by the site"),
    ({"slug": "Soft_Max"}, "slug", "lowercase letters"),
    ({"slug": "activations"}, "slug", "already has an assignment"),
    ({"late_policy": "penalty", "late_penalty_percent": "0"}, "late_penalty_percent", "above 0%"),
    ({"late_penalty_percent": "150"}, "late_penalty_percent", "between 0 and 100"),
    ({"late_policy": "refuse"}, "hard_deadline", "needs a due date or a hard deadline"),
    ({"due_at": "2026-12-10T12:00", "hard_deadline": "2026-12-09T12:00"}, "hard_deadline", "before the due date"),
    ({"max_submissions": "0"}, "max_submissions", "at least one upload"),
])
def test_the_new_assignment_form_refuses_bad_input_beside_the_field_and_keeps_it(staff, published, change, field, message):
    response = staff.post(f"{BASE}/new/", {**SETTINGS, "slug": "softmax", **change})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert 'value="Softmax"' in response.content.decode()  # nothing typed is lost
    assert not Assignment.objects.filter(title="Softmax").exists()


def test_a_new_assignment_gets_an_empty_draft_that_students_never_see(staff, people):
    course, teacher, student, _ = people
    home = staff.get("/courses/acts/staff/").content.decode()
    assert f'href="{BASE}/new/"' in home
    response = staff.post(f"{BASE}/new/", {**SETTINGS, "slug": "softmax", "due_at": "2026-12-10T12:00"})
    assert response.status_code == 302 and response["Location"] == f"{BASE}/softmax/"
    assignment = Assignment.objects.get(course=course, slug="softmax")
    assert assignment.due_at.isoformat() == "2026-12-10T12:00:00+00:00" and not assignment.is_published
    draft = draft_of("softmax")
    assert draft.number == 1 and draft.manifest == {"slug": "softmax", "title": "Softmax", "environment": "numpy",
                                                    "functions": []}
    page = staff.get(f"{BASE}/softmax/").content.decode()
    assert "Draft v1" in page and "&#x27;reference&#x27; is missing" in page
    assert f'href="{BASE}/softmax/"' in staff.get("/courses/acts/staff/").content.decode()

    response = staff.post(f"{BASE}/softmax/files/", {"role": "starter", "file": SimpleUploadedFile(
        "softmax.ipynb", b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')})
    assert response.status_code == 302 and draft_of("softmax").manifest["starter"] == "starter.ipynb"
    learner = Client()
    learner.force_login(student)
    assert learner.get("/courses/acts/softmax/").status_code == 404
    assert learner.get("/courses/acts/softmax/starter-kit.zip").status_code == 404
    assert learner.post("/courses/acts/softmax/submit", {"file": SimpleUploadedFile("a.py", b"x = 1\n")}).status_code == 404
    assert not Submission.objects.exists()
    assert "Softmax" not in learner.get("/").content.decode()
    assert learner.get(f"{BASE}/softmax/").status_code == 404  # and the staff pages are not theirs


def test_a_draft_of_a_published_assignment_changes_nothing_students_see(staff, people, published):
    student = people[2]
    response = staff.post(f"{BASE}/activations/functions/", {"name": "softplus", "points": "2", "outputs": "A"})
    assert response.status_code == 302 and response["Location"] == f"{BASE}/activations/functions/softplus/"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "# GRADED FUNCTION: relu\ndef relu(Z):\n    ### START CODE HERE ###\n    A = None\n    ### END CODE HERE ###\n"
        "    return A", execution_count=3, outputs=[nbformat.v4.new_output("stream", text="hi")])])
    response = staff.post(f"{BASE}/activations/files/", {"role": "starter", "file": SimpleUploadedFile(
        "s.ipynb", nbformat.writes(notebook).encode())})
    assert response.status_code == 302
    with draft_of("activations").files.get(role="starter").file.open("rb") as handle:
        stored = nbformat.reads(handle.read().decode(), as_version=4)
    assert stored.cells[0].outputs == [] and stored.cells[0].execution_count is None
    page = staff.get(f"{BASE}/activations/files/").content.decode()
    assert "notebook: leaky_relu: no code cell starts with `# GRADED FUNCTION: leaky_relu`" in page
    response = staff.post(f"{BASE}/activations/files/", {"role": "starter", "file": SimpleUploadedFile("s.ipynb", b"{}")})
    assert response.status_code == 400 and "not a Jupyter notebook" in response.content.decode()
    learner = Client()
    learner.force_login(student)
    page = learner.get("/courses/acts/activations/").content.decode()
    assert "leaky_relu" in page and "softplus" not in page
    assert learner.get("/courses/acts/activations/starter-kit.zip").status_code == 404  # v1 has none
    assert Assignment.objects.get(slug="activations").current_version_id == published.pk


def test_another_courses_staff_and_students_get_404_and_change_nothing(client, people, published):
    _, _, student, stranger = people
    pages = ["new/", "activations/", "activations/files/", "activations/functions/", "activations/manifest/",
             "activations/functions/relu/", "activations/functions/relu/add-case/",
             "activations/functions/relu/cases/published/", "activations/versions/", "activations/versions/1/",
             "activations/versions/1/bundle.zip", "activations/versions/1/files/reference.py",
             "activations/files/cases.py/"]
    for user in (stranger, student):
        client.force_login(user)
        for page in pages:
            assert client.get(f"{BASE}/{page}").status_code == 404, page
        assert client.post(f"{BASE}/activations/functions/relu/remove/").status_code == 404
        assert client.post(f"{BASE}/activations/files/cases.py/remove/").status_code == 404
        assert client.post(f"{BASE}/activations/", {**SETTINGS, "title": "Taken"}).status_code == 404
    assert drafts.current_draft(published.assignment) is None
    assert Assignment.objects.get(slug="activations").title == "Activation functions"
    client.logout()
    assert client.get(f"{BASE}/activations/").status_code == 302


def test_every_post_needs_the_csrf_token(people, published):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people[1])
    assert client.post(f"{BASE}/activations/functions/", {"name": "softplus", "points": "1", "outputs": "A"}).status_code == 403
    assert drafts.current_draft(published.assignment) is None


def test_function_and_case_forms_reach_the_manifest(staff, published):
    url = f"{BASE}/activations/functions"
    assert staff.post(f"{url}/", {"name": "softplus", "points": "1.5", "outputs": "A, cache"}).status_code == 302
    draft = draft_of("activations")
    assert draft.manifest["functions"][-1] == {"name": "softplus", "points": 1.5, "outputs": ["A", "cache"], "cases": []}
    assert "functions.softplus.cases: a graded function needs at least one case" in draft.problems

    assert staff.post(f"{url}/softplus/add-case/", {
        "id": "published", "visibility": "visible", "kind": "literal",
        "literal": "[{ array = [[-1.0, 0.0, 2.0]] }, 0.5, { W1 = { array = [1, 2], dtype = \"int64\" } }]",
        "description": "the notebook's test"}).status_code == 302
    assert staff.post(f"{url}/softplus/add-case/", {
        "id": "wide", "visibility": "after_due", "kind": "builder", "builder": "wide", "rtol": "0.001"}).status_code == 302
    data = hdf5(arg0=np.ones((3, 4)), arg1=np.float64(0.2))
    assert staff.post(f"{url}/softplus/add-case/", {
        "id": "stored", "visibility": "never", "kind": "hdf5", "atol": "1e-6",
        "hdf5_upload": SimpleUploadedFile("big.h5", data)}).status_code == 302
    cases = draft_of("activations").manifest["functions"][-1]["cases"]
    assert cases == [
        {"id": "published", "args": [{"array": [[-1.0, 0.0, 2.0]]}, 0.5, {"W1": {"array": [1, 2], "dtype": "int64"}}],
         "description": "the notebook's test"},
        {"id": "wide", "args": "cases.py:wide", "hidden": True, "reveal": "after_due", "rtol": 0.001},
        {"id": "stored", "args": "inputs/big.h5", "hidden": True, "reveal": "never", "atol": 1e-6},
    ]
    page = staff.get(f"{url}/softplus/cases/stored/").content.decode()
    assert "<code>arg0</code>" in page and "(3, 4)" in page and "float64" in page

    assert staff.post(f"{url}/softplus/cases/wide/", {
        "id": "wide2", "visibility": "hidden", "kind": "builder", "builder": "wide"}).status_code == 302
    assert draft_of("activations").manifest["functions"][-1]["cases"][1] == {
        "id": "wide2", "args": "cases.py:wide", "hidden": True}
    assert staff.post(f"{BASE}/activations/files/inputs/big.h5/remove/").status_code == 302
    assert ("functions.softplus.cases.stored.args: 'inputs/big.h5' is neither \"cases.py:NAME\" nor an HDF5 file of "
            "the bundle") in draft_of("activations").problems
    assert staff.post(f"{url}/softplus/cases/wide2/remove/").status_code == 302
    assert [c["id"] for c in draft_of("activations").manifest["functions"][-1]["cases"]] == ["published", "stored"]

    assert staff.post(f"{url}/softplus/", {"name": "soft_plus", "points": "2", "outputs": "A", "wall_s": "3",
                                            "description": "log(1 + exp(Z))"}).status_code == 302
    entry = draft_of("activations").manifest["functions"][-1]
    assert (entry["name"], entry["points"], entry["outputs"], entry["wall_s"], entry["description"]) == (
        "soft_plus", 2, ["A"], 3, "log(1 + exp(Z))")
    assert "The reference does not define <code>soft_plus</code>" in staff.get(f"{url}/soft_plus/").content.decode()
    assert "The reference defines <code>leaky_relu(Z, slope)</code>" in staff.get(f"{url}/leaky_relu/").content.decode()
    assert "functions.soft_plus: the reference (reference.py) does not define it" in draft_of("activations").problems
    assert staff.post(f"{url}/soft_plus/remove/").status_code == 302
    assert [f["name"] for f in draft_of("activations").manifest["functions"]] == ["relu", "leaky_relu"]


@pytest.mark.parametrize("post, field, message", [
    ({"kind": "literal", "literal": "[1, 2"}, "literal", "not a TOML array"),
    ({"kind": "literal", "literal": "{ array = [1] }"}, "literal", "as a TOML array"),
    ({"kind": "literal", "literal": "[{ array = [[1, 2], [3]] }]"}, "literal", "argument 1"),
    ({"kind": "literal", "literal": "[{ array = [1], dtype = \"str\" }]"}, "literal", "not numeric"),
    ({"kind": "builder", "builder": "not a name"}, "builder", "Python name"),
    ({"kind": "hdf5"}, "hdf5_file", "Choose an HDF5 file"),
    ({"kind": "literal", "literal": "[1]", "id": "hidden"}, "id", "already has a case"),
    ({"kind": "literal", "literal": "[1]", "id": "a/b"}, "id", "no '/'"),
    ({"kind": "literal", "literal": "[1]", "rtol": "-1"}, "rtol", "greater than or equal to 0"),
])
def test_the_case_form_refuses_bad_input_beside_the_field(staff, published, post, field, message):
    response = staff.post(f"{BASE}/activations/functions/relu/add-case/",
                          {"id": "new-case", "visibility": "hidden", **post})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert drafts.current_draft(published.assignment) is None  # nothing was edited


def test_an_hdf5_upload_that_is_not_case_arguments_is_refused(staff, published):
    response = staff.post(f"{BASE}/activations/functions/relu/add-case/", {
        "id": "stored", "visibility": "hidden", "kind": "hdf5",
        "hdf5_upload": SimpleUploadedFile("x.h5", hdf5(Z=np.ones(3)))})
    assert response.status_code == 400 and "arg0" in " ".join(response.context["form"].errors["hdf5_upload"])
    response = staff.post(f"{BASE}/activations/functions/relu/add-case/", {
        "id": "stored", "visibility": "hidden", "kind": "hdf5", "hdf5_upload": SimpleUploadedFile("x.h5", b"not hdf5")})
    assert response.status_code == 400 and "not an HDF5 file" in " ".join(response.context["form"].errors["hdf5_upload"])


def test_files_by_role_text_edits_and_the_toml_reach_the_draft(staff, published):
    url = f"{BASE}/activations"
    response = staff.post(f"{url}/files/", {"role": "job", "name": "runner.py", "text": "X = 1\n"})
    assert response.status_code == 400 and "sandbox uses this name" in response.content.decode()
    assert drafts.current_draft(published.assignment) is None  # a refused edit leaves no draft behind
    page = staff.get(f"{url}/files/cases.py/").content.decode()
    assert "def wide():" in page
    text = "import numpy as np\r\n\r\nimport act_utils\r\n\r\n\r\ndef wide():\r\n    return (act_utils.grid(4, 7),)\r\n\r\n\r\ndef slope():\r\n    return (act_utils.grid(2, 5), 0.3)\r\n"
    assert staff.post(f"{url}/files/cases.py/", {"text": text}).status_code == 302
    draft = draft_of("activations")
    with draft.files.get(name="cases.py").file.open("rb") as handle:
        assert handle.read() == text.replace("\r\n", "\n").encode()
    assert draft.problems == [] and draft.is_loadable

    assert staff.post(f"{url}/files/", {"role": "private", "name": "held_out.h5",
                                         "file": SimpleUploadedFile("x.h5", hdf5(X=np.zeros((2, 5))))}).status_code == 302
    assert draft_of("activations").manifest["private_files"] == ["held_out.h5"]
    page = staff.get(f"{url}/files/").content.decode()
    assert "held_out.h5" in page and "(2, 5)" in page
    assert staff.post(f"{url}/files/", {"role": "job", "text": "X = 1\n"}).status_code == 400  # no name
    assert staff.post(f"{url}/files/", {"role": "job", "name": "runner.py", "text": "X = 1\n"}).status_code == 400
    assert staff.post(f"{url}/files/held_out.h5/remove/").status_code == 302
    assert "private_files" not in draft_of("activations").manifest

    toml = staff.get(f"{url}/manifest/").context["form"].initial["text"]
    assert 'slug = "activations"' in toml
    response = staff.post(f"{url}/manifest/", {"text": toml.replace('environment = "numpy"', 'environment = "numpy"\nbogus = 1')})
    assert response.status_code == 302
    assert any("unknown key 'bogus'" in p for p in draft_of("activations").problems)
    response = staff.post(f"{url}/manifest/", {"text": "slug = \n"})
    assert response.status_code == 400 and "not valid TOML" in response.content.decode()
    assert "slug = " in response.context["form"]["text"].value()  # kept to fix


def test_edits_made_in_forms_export_and_load_back_to_the_same_digest(staff, published, tmp_path, people):
    url = f"{BASE}/activations"
    staff.post(f"{url}/functions/relu/", {"name": "relu", "points": "2", "outputs": "A"})
    staff.post(f"{url}/functions/relu/add-case/", {"id": "grid", "visibility": "after_due", "kind": "literal",
                                                    "literal": "[{ array = [[1.5, -2.0], [0.0, 3.0]] }]", "atol": "1e-7"})
    staff.post(f"{url}/functions/leaky_relu/add-case/", {
        "id": "stored", "visibility": "never", "kind": "hdf5",
        "hdf5_upload": SimpleUploadedFile("slopes.h5", hdf5(arg0=np.linspace(-1, 1, 6).reshape(2, 3), arg1=0.2))})
    draft = draft_of("activations")
    assert draft.problems == [] and draft.is_loadable
    folder = export(draft, tmp_path / "exported")
    assert load_bundle(folder).digest == draft.digest
    elsewhere = Course.objects.get(slug="elsewhere")
    assert load_folder(elsewhere, folder, draft=True).version.digest == draft.digest

    response = staff.get(f"{url}/versions/{draft.number}/bundle.zip")
    reloaded = drafts.load_zip(Assignment.objects.create(course=elsewhere, slug="again", title="Again"),
                               io.BytesIO(response.content))
    assert reloaded.draft.problems == [] and reloaded.left_out == ()


def test_a_settings_change_that_moves_grades_recomputes_them(staff, people, published):
    student = people[2]
    assignment = published.assignment
    due = (timezone.now() - timedelta(days=3)).replace(second=0, microsecond=0)  # as the form takes it
    for score, days_before in ((3.0, 1), (2.0, 0)):
        row = Submission.objects.create(user=student, assignment=assignment, version=published, file="x.py",
                                        original_name="x.py", size_bytes=1, status=Submission.Status.GRADED,
                                        score=score, max_score=3.0)
        Submission.objects.filter(pk=row.pk).update(created_at=due + timedelta(days=2 - days_before, hours=-1))
    form = {**SETTINGS, "title": "Activation functions", "due_at": due.strftime("%Y-%m-%dT%H:%M")}
    assert staff.post(f"{BASE}/activations/", form).status_code == 302
    assert Grade.objects.get(user=student, assignment=assignment).score == 3.0
    assert staff.post(f"{BASE}/activations/", {**form, "counting": "latest"}).status_code == 302
    assert Grade.objects.get(user=student, assignment=assignment).score == 2.0
    response = staff.post(f"{BASE}/activations/", {**form, "counting": "latest", "late_policy": "penalty",
                                                    "late_penalty_percent": "25"}, follow=True)
    assert Grade.objects.get(user=student, assignment=assignment).score == 1.0  # 2 days late: -50%
    assert "1 student grade(s) recomputed" in response.content.decode()
    assert drafts.current_draft(assignment) is None  # the bundle did not change


def test_a_new_title_goes_into_the_draft(staff, published):
    assert staff.post(f"{BASE}/activations/", {**SETTINGS, "title": "Activations, revised",
                                                "description": "Week 1"}).status_code == 302
    draft = draft_of("activations")
    assert (draft.manifest["title"], draft.manifest["description"], draft.title) == ("Activations, revised", "Week 1",
                                                                                     "Activations, revised")


def test_versions_list_their_gradings_and_a_version_shows_its_diff(staff, people, published):
    Submission.objects.create(user=people[2], assignment=published.assignment, version=published, file="x.py",
                              original_name="x.py", size_bytes=1, status=Submission.Status.GRADED, score=1, max_score=3)
    staff.post(f"{BASE}/activations/functions/relu/", {"name": "relu", "points": "4", "outputs": "A"})
    staff.post(f"{BASE}/activations/files/cases.py/", {"text": "import numpy as np\n\ndef wide():\n    return (np.ones((2, 2)),)\n\ndef slope():\n    return (np.ones((2, 2)), 0.3)\n"})
    response = staff.get(f"{BASE}/activations/versions/")
    rows = {v.number: v for v in response.context["versions"]}
    assert rows[1].graded == 1 and rows[2].graded == 0 and rows[2].state == "draft"
    page = staff.get(f"{BASE}/activations/versions/2/")
    diff = "\n".join(page.context["manifest_diff"])
    assert "-points = 1\n+points = 4" in diff
    changes = {f["name"]: f for f in page.context["files"]}
    assert changes["cases.py"]["state"] == "changed" and "+    return (np.ones((2, 2)),)" in changes["cases.py"]["diff"]
    assert changes["reference.py"]["state"] == "unchanged"
    content = page.content.decode()
    assert f'href="{BASE}/activations/versions/2/preview/"' in content
    assert f'href="{BASE}/activations/versions/2/validate/"' in content
    download = staff.get(f"{BASE}/activations/versions/1/files/reference.py")
    assert b"def relu(Z):" in b"".join(download.streaming_content)


def test_a_draft_can_be_discarded(staff, published):
    staff.post(f"{BASE}/activations/functions/relu/", {"name": "relu", "points": "4", "outputs": "A"})
    assert staff.post(f"{BASE}/activations/discard-draft/").status_code == 302
    assert drafts.current_draft(published.assignment) is None
    assert staff.post(f"{BASE}/activations/discard-draft/").status_code == 404


def test_a_zip_upload_becomes_the_draft_and_a_bad_one_is_refused_on_the_page(staff, published, tmp_path):
    response = staff.post(f"{BASE}/activations/upload-bundle/", {"file": SimpleUploadedFile("b.zip", b"not a zip")})
    assert response.status_code == 400 and "not a zip file" in response.content.decode()
    data = staff.get(f"{BASE}/activations/versions/1/bundle.zip").content
    response = staff.post(f"{BASE}/activations/upload-bundle/", {"file": SimpleUploadedFile("b.zip", data)}, follow=True)
    assert "identical to version 1" in response.content.decode()


@pytest.mark.slow
@pytest.mark.sandbox
def test_a_draft_made_in_the_forms_passes_the_contract_and_publishes(staff, people, published):
    """The contract runs the reference and the mistakes in the sandbox, on the cases the forms wrote."""
    from grader.authoring.services import publish

    url = f"{BASE}/activations/functions"
    staff.post(f"{url}/relu/", {"name": "relu", "points": "3", "outputs": "A"})
    staff.post(f"{url}/relu/add-case/", {"id": "columns", "visibility": "after_due", "kind": "literal",
                                         "literal": "[{ array = [[-3.0, 1.5], [2.0, -0.25], [0.5, 4.0]] }]"})
    staff.post(f"{url}/leaky_relu/add-case/", {
        "id": "stored", "visibility": "never", "kind": "hdf5",
        "hdf5_upload": SimpleUploadedFile("slopes.h5", hdf5(arg0=np.linspace(-2, 2, 12).reshape(3, 4), arg1=0.05))})
    draft = draft_of("activations")
    assert draft.problems == []
    publish(draft)
    learner = Client()
    learner.force_login(people[2])
    assignment = Assignment.objects.get(slug="activations")
    assert assignment.current_version_id == draft.pk and assignment.max_score == 5
    assert learner.get("/courses/acts/activations/").status_code == 200


def test_no_bundle_code_runs_in_the_web_process(staff, tmp_path):
    """Every Python file of this bundle (and its full-source mistake) leaves a canary file whenever it runs."""
    canary = tmp_path / "canary"
    folder = write_bundle(tmp_path / "bundle", canary=canary)
    exec(compile((folder / "reference.py").read_text(), "reference.py", "exec"), {})  # the canary works ...
    assert canary.exists()
    canary.unlink()

    staff.post(f"{BASE}/new/", {**SETTINGS, "slug": "activations"})
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in folder.iterdir():
            zipped.write(path, path.name)
    assert staff.post(f"{BASE}/activations/upload-bundle/", {
        "file": SimpleUploadedFile("bundle.zip", archive.getvalue())}).status_code == 302
    assert draft_of("activations").problems == []
    staff.post(f"{BASE}/activations/functions/relu/add-case/", {"id": "built", "visibility": "hidden", "kind": "builder",
                                                                 "builder": "slope"})
    for page in ("", "files/", "files/cases.py/", "functions/", "functions/relu/", "functions/relu/cases/built/",
                 "functions/relu/add-case/", "manifest/", "versions/", "versions/1/", "versions/1/bundle.zip"):
        assert staff.get(f"{BASE}/activations/{page}").status_code == 200, page
    assert not canary.exists()  # ... but nothing here ran it
