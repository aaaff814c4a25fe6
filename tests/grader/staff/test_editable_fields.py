"""Nothing editable is ignored by grading: every staff-editable field that can change a grade, changed through the
staff pages, shows its effect on what students get once the version is published and their uploads regraded.

The bundle is the two-function activations bundle (relu, leaky_relu); four stored student files each react to
different edits (and one student's only upload failed on our side). The tasks the pages send (validate, dry run,
grading) run in this process, on the real sandbox. The fast test at the end fails when a form gains a field this
file neither exercises nor names as not grading.
"""
from __future__ import annotations

import io
from datetime import timedelta

import h5py
import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from grader.authoring import drafts
from grader.authoring import services as authoring_services
from grader.authoring.case_forms import CaseForm, FunctionForm
from grader.authoring.forms import AssignmentForm
from grader.authoring.models import AssignmentVersion
from grader.courses.models import Assignment, Enrollment
from grader.staff.gradebook_forms import ExtensionForm
from grader.submissions import services
from grader.submissions.grades import update_grade
from grader.submissions.models import Grade, RegradeBatch, Submission
from tests.grader.authoring.bundles import CORRECT
from tests.grader.staff import publishing_setup

RELU_WRONG = publishing_setup.RELU_WRONG  # relu with np.minimum: the bundle's mistake relu_minimum
QUIRKY = (b"import numpy as np\n\ndef relu(Z):\n    return np.clip(Z, 0, 10)\n\n"  # right below 10 only
          b"def leaky_relu(Z, slope):\n    return np.where(Z > 0, Z, min(slope, 0.5) * Z)\n")  # right for slope <= 0.5
NEAR = (b"import numpy as np\n\ndef relu(Z):\n    return np.maximum(0, Z) + 1e-6\n\n"  # off by 1e-6 everywhere
        b"def leaky_relu(Z, slope):\n    return np.where(Z > 0, Z, slope * Z * (1 + 1e-4))\n")  # 1e-4 relative
SLOW = (b"import time\nimport numpy as np\n\ndef relu(Z):\n    return np.maximum(0, Z)\n\n"  # right; slow for slope 0.1
        b"def leaky_relu(Z, slope):\n    if slope < 0.2:\n        time.sleep(2.5)\n"
        b"    return np.where(Z > 0, Z, slope * Z)\n")
OLD_HINT = "relu keeps the positive part: np.maximum(0, Z), not np.minimum."  # mistakes.toml of the bundle
NEW_HINT = "relu is max(0, Z): the positive part stays, the negative part becomes 0."

# Every field of the editor's forms that can change a grade, and what this file shows of it.
EXERCISED = {
    FunctionForm: {
        "points": "relu 1 -> 4 points: max score 3 -> 6, every relu card out of 4",
        "outputs": "relu's output A -> activation: a failing visible case names it",
        "wall_s": "leaky_relu's time limit 5 s -> 1.5 s: the file taking 2.5 s times out",
        "name": "leaky_relu renamed: graded under its new name, a file without it scores 0 on it",
    },
    CaseForm: {
        "id": "relu's case published -> example: the visible checks carry the new id",
        "literal": "relu's example case [-1, 0, 2] -> [-1, 0, 20]: the file clipping at 10 fails it",
        "kind": "leaky_relu's first case literal -> builder cases.py:steep (slope 0.9): the clipped-slope file fails",
        "builder": "the builder named by the case above",
        "hdf5_upload": "relu's hidden case -> an uploaded HDF5 file (Z = [-5, 30]): verdicts follow its values",
        "hdf5_file": "leaky_relu's new case names the bundle's HDF5 file already uploaded",
        "rtol": "leaky_relu's first case rtol 1e-3: the file off by 1e-4 relative passes it",
        "atol": "relu's hidden case atol 1e-5: the file off by 1e-6 passes it",
        "visibility": "visible -> hidden (labels), hidden -> never and after_due (verdicts withheld on the page), "
                      "hidden -> visible (its checks counted as visible ones)",
    },
    AssignmentForm: {
        "due_at": "days late and the penalty; after_due verdicts shown once it passed",
        "late_policy": "penalty -> accept drops the penalty; refuse refuses uploads",
        "late_penalty_percent": "10% -> 25% a day: the counting score follows",
        "counting": "best -> latest: the Grade row counts the later upload",
        "hard_deadline": "refuse policy: uploads refused after it, taken before it",
        "max_submissions": "2 -> refused, 3 -> taken",
        "is_open": "closed: uploads refused",
    },
    ExtensionForm: {
        "due_at": "an extension past the upload times: no longer late, no penalty; under 'refuse', uploads taken",
    },
}
NOT_GRADING = {  # shown to staff (editor, preview) or as the assignment's text; no grading reads them
    FunctionForm: {"description"},
    CaseForm: {"description"},
    AssignmentForm: {"title", "description"},
    ExtensionForm: {"reason"},
}
@pytest.fixture
def inline(monkeypatch, client, django_capture_on_commit_callbacks):
    """Every task the pages send runs at once in this process (after the request's commit), on the real sandbox."""
    for method in ("get", "post"):
        def committed(*args, _send=getattr(client, method), **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return _send(*args, **kwargs)
        monkeypatch.setattr(client, method, committed)
    from grader.authoring import tasks as authoring_tasks
    from grader.submissions import tasks as submission_tasks

    for task in (authoring_tasks.validate_version, submission_tasks.dry_run_regrade, submission_tasks.grade_submission):
        monkeypatch.setattr(task, "apply_async", lambda args, queue=None, task=task: task.apply(args=args, throw=True))

    def upload(user, assignment, name, data):
        with django_capture_on_commit_callbacks(execute=True):
            return services.submit(user, assignment, SimpleUploadedFile(name, data))
    return upload


class Staff:
    """The course's teacher at the editor's pages; records which form fields each POST changed."""

    def __init__(self, client, setup):
        self.client, self.course, self.teacher = client, setup.course, setup.teacher
        self.assignment_id = setup.v1.assignment_id
        self.changed: dict[type, set[str]] = {}
        client.force_login(setup.teacher)

    @property
    def assignment(self) -> Assignment:
        """As the pages see it now (its current version moves with each publish)."""
        return Assignment.objects.get(pk=self.assignment_id)

    def url(self, name, *args):
        return reverse(f"staff:{name}", args=[self.course.slug, self.assignment.slug, *args])

    def _post(self, form_class, url, initial: dict, changes: dict, files=None):
        """POSTs the form as the page shows it with `changes` (and `files`) applied; the redirect says it saved."""
        data = {**initial, **changes}
        changed = self.changed.setdefault(form_class, set())
        changed.update(k for k in changes if initial.get(k) != changes[k])
        changed.update(files or {})
        response = self.client.post(url, {**{k: v for k, v in data.items() if v is not None}, **(files or {})})
        assert response.status_code == 302, response.content.decode()[-3000:]
        return response

    def manifest(self) -> dict:
        return drafts.working_version(self.assignment).manifest

    def entry(self, name: str) -> dict:
        return next(f for f in self.manifest()["functions"] if f["name"] == name)

    def function(self, graded: str, **changes):
        initial = FunctionForm.initial_of(self.entry(graded))
        initial = {k: ("" if v is None else v) for k, v in initial.items()}
        self._post(FunctionForm, self.url("function", graded), initial, changes)

    def case(self, function: str, case_id: str | None, files=None, **changes):
        if case_id is None:
            initial, url = {"visibility": "visible", "kind": "literal"}, self.url("case_new", function)
        else:
            case = next(c for c in self.entry(function)["cases"] if c["id"] == case_id)
            initial, url = CaseForm.initial_of(case), self.url("case", function, case_id)
        initial = {k: ("" if v is None else v) for k, v in initial.items()}
        self._post(CaseForm, url, initial, changes, files)

    def remove_case(self, function: str, case_id: str):
        assert self.client.post(self.url("case_remove", function, case_id)).status_code == 302

    def file(self, name: str, change):
        """Edits a text file of the draft in its textarea: `change(text)` gives the new text."""
        row = drafts.working_version(self.assignment).files.get(name=name)
        with row.file.open("rb") as handle:
            text = handle.read().decode()
        response = self.client.post(self.url("assignment_file", name), {"text": change(text)})
        assert response.status_code == 302, response.content.decode()[-3000:]

    def settings(self, **changes):
        assignment = self.assignment
        initial = {name: getattr(assignment, name) for name in AssignmentForm.Meta.fields}
        self.changed.setdefault(AssignmentForm, set()).update(k for k in changes if initial.get(k) != changes[k])
        data = {**initial, **changes}
        posted = {}
        for key, value in data.items():
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif hasattr(value, "tzinfo"):
                value = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
            posted[key] = value
        response = self.client.post(self.url("assignment"), posted)
        assert response.status_code == 302, response.content.decode()[-3000:]

    def publish(self, pages: bool = True) -> AssignmentVersion:
        """Validates the draft (the real contract), publishes it and regrades every counted upload on it.

        `pages`: the publish page's dry run, then its publish-and-regrade; else (one grading per upload instead of
        two) `services.publish` and the regrade page.
        """
        draft = drafts.current_draft(self.assignment)
        args = [draft.number]
        self.client.post(self.url("validate", *args))
        assert self.client.get(self.url("validate_state", *args)).json() == {"state": "done", "finished": True}
        draft.refresh_from_db()
        assert draft.state == AssignmentVersion.State.VALIDATED, [r for r in draft.validation_report if not r[3]]
        if pages:
            assert self.client.post(self.url("publish", *args), {"action": "dry_run"}).status_code == 302
            response = self.client.post(self.url("publish", *args), {"action": "publish", "regrade_all": "on"})
        else:
            authoring_services.publish(draft)
            response = self.client.post(self.url("regrade"), {"version": draft.pk, "confirm": "on"})
        assert response.status_code == 302, response.content.decode()[-3000:]
        batch = RegradeBatch.objects.filter(kind=RegradeBatch.Kind.REGRADE).latest("id")
        progress = self.client.get(reverse("staff:batch_progress", args=[self.course.slug, batch.pk])).json()
        assert (progress["finished"], progress["failed"]) == (True, 0), progress
        draft.refresh_from_db()
        assert draft.is_published
        return draft


def counting(user, assignment):
    """The student's Grade row, its counting submission, and per function the verdict of each case, in order."""
    grade = Grade.objects.get(user=user, assignment=assignment)
    results = grade.submission.function_results.order_by("order")
    return grade, grade.submission, {r.name: [c["passed"] for c in r.cases] for r in results}


def page_cards(staff, user, submission) -> dict:
    """The cards the student's own feedback page shows: function -> (check names, summary, hint, score)."""
    staff.client.force_login(user)
    response = staff.client.get(reverse("submissions:detail", args=[submission.pk]))
    staff.client.force_login(staff.teacher)
    assert response.status_code == 200
    return {card.name: ([c["name"] for c in card.checks], card.summary, card.hint, card.score)
            for card in response.context["results"]}


def hdf5(*arrays) -> bytes:
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as handle:
        for index, array in enumerate(arrays):
            handle[f"arg{index}"] = array
    return buffer.getvalue()


@pytest.mark.slow
@pytest.mark.sandbox
@pytest.mark.django_db
def test_function_case_and_file_edits_change_what_students_get(client, tmp_path, inline):
    setup = publishing_setup.make(tmp_path, slug="editable")
    staff = Staff(client, setup)
    assignment = setup.v1.assignment
    users = {}
    for name, data in (("slow", SLOW), ("wrong", RELU_WRONG), ("quirky", QUIRKY), ("near", NEAR)):
        users[name] = get_user_model().objects.create_user(f"editable-{name}")
        Enrollment.objects.create(user=users[name], course=setup.course, role=Enrollment.Role.STUDENT)
        inline(users[name], assignment, f"{name}.py", data)

    failed = get_user_model().objects.create_user("editable-failed")  # its only upload failed on our side
    Submission.objects.create(user=failed, assignment=assignment, version=setup.v1, file="x.py", original_name="x.py",
                              size_bytes=1, status=Submission.Status.FAILED, max_score=3.0)
    assert update_grade(failed, assignment).max_score == 3.0

    def state(name):
        return counting(users[name], assignment)

    v1 = {name: state(name) for name in users}
    assert {n: (g.score, g.max_score) for n, (g, _, _) in v1.items()} == {
        "slow": (3.0, 3.0), "wrong": (2.0, 3.0), "quirky": (3.0, 3.0), "near": (0.0, 3.0)}

    # v2: the function and case forms
    staff.function("relu", points=4, outputs="activation")
    staff.function("leaky_relu", wall_s=1.5)
    staff.case("relu", "published", id="example", literal='[{ array = [[-1.0, 0.0, 20.0]] }]')
    staff.case("relu", "hidden", atol=1e-5, visibility="never")
    staff.case("leaky_relu", "published", rtol=1e-3, visibility="hidden")
    staff.case("leaky_relu", "hidden", visibility="after_due")
    staff.case("leaky_relu", None, id="big", literal='[{ array = [[-3.0, 4.0]] }, 0.9]')  # a case added
    v2 = staff.publish()

    after = {name: state(name) for name in users}
    assert all(s.version_id == v2.pk and s.regrade_of_id for _, s, _ in after.values())
    assert {n: (g.score, g.max_score) for n, (g, _, _) in after.items()} == {
        "slow": (4.0, 6.0), "wrong": (2.0, 6.0), "quirky": (round(2 + 2 * 2 / 3, 6), 6.0),
        "near": (round(2 + 2 / 3, 6), 6.0)}
    assert Grade.objects.get(user=failed, assignment=assignment).max_score == staff.assignment.max_score == 6.0
    slow_result = after["slow"][1].result["functions"]
    assert (slow_result["relu"]["max_score"], slow_result["leaky_relu"]["status"]) == (4.0, "timeout")
    dry_run, real = (RegradeBatch.objects.filter(version=v2, kind=kind).get() for kind in RegradeBatch.Kind.values)
    assert {i.source.upload.pk: i.new_score for i in dry_run.items.all()} == {
        i.source.upload.pk: i.new_score for i in real.items.all()}  # the dry run predicted every new score
    assert after["quirky"][2] == {"relu": [False, True], "leaky_relu": [True, True, False]}  # 20 clipped; slope 0.9
    assert after["near"][2] == {"relu": [False, True], "leaky_relu": [True, False, False]}  # atol; rtol
    assert after["slow"][2] == {"relu": [True, True], "leaky_relu": [False, False, False]}
    slow_card = after["slow"][1].function_results.get(name="leaky_relu")
    assert slow_card.status == "timeout" and "1.5 s" in " ".join(c["message"] for c in slow_card.checks)

    cards = page_cards(staff, users["wrong"], after["wrong"][1])
    relu_checks, relu_summary, relu_hint, _ = cards["relu"]
    assert relu_checks[0].startswith("example case") and not any(c.startswith("hidden") for c in relu_checks)
    assert "their verdicts are not shown" in relu_summary  # reveal = never
    values = next(c for c in after["wrong"][1].function_results.get(name="relu").checks
                  if c["name"] == "example case: values")
    assert "activation" in values["message"]
    old_values = next(c for c in v1["wrong"][1].function_results.get(name="relu").checks
                      if c["name"] == "published case: values")
    assert "activation" not in old_values["message"]
    leaky_checks = cards["leaky_relu"][0]
    assert any(c.startswith("hidden case 1") for c in leaky_checks)  # was visible: labelled hidden now
    assert not any(c.startswith("hidden case 2") for c in leaky_checks)  # after_due, no due date yet
    assert any(c.startswith("big case") for c in leaky_checks) and not any("published" in c for c in leaky_checks)
    assert relu_hint == OLD_HINT

    staff.settings(due_at=timezone.now() - timedelta(hours=1))  # the due date passed: after_due shows, never not
    cards = page_cards(staff, users["wrong"], after["wrong"][1])
    assert any(c.startswith("hidden case 2") for c in cards["leaky_relu"][0])
    assert not any(c.startswith("hidden") for c in cards["relu"][0])
    staff.settings(due_at=None)

    # v3: the bundle's files, the case kinds, a case removed
    staff.file("reference.py", lambda text: text.replace("return np.maximum(0, Z)",
                                                         "return np.minimum(np.maximum(0, Z), 10)"))
    staff.file("cases.py", lambda text: text.replace("act_utils.grid(2, 5), 0.3", "act_utils.grid(2, 5), 0.8")
               + "\n\ndef steep():\n    return (act_utils.grid(2, 3), 0.9)\n")
    staff.file("mistakes.toml", lambda text: text.replace(OLD_HINT, NEW_HINT))
    staff.remove_case("leaky_relu", "big")
    staff.case("leaky_relu", "published", kind="builder", builder="steep", literal="")
    staff.case("relu", "hidden", kind="hdf5", files={"hdf5_upload": SimpleUploadedFile(
        "relu_hidden.h5", hdf5(np.array([[-5.0, 30.0]])))})
    v3 = staff.publish(pages=False)

    after = {name: state(name) for name in users}
    assert all(s.version_id == v3.pk for _, s, _ in after.values())
    assert {n: v for n, (_, _, v) in after.items()} == {
        "slow": {"relu": [False, False], "leaky_relu": [True, True]},  # the reference clips at 10 now
        "wrong": {"relu": [False, False], "leaky_relu": [True, True]},
        "quirky": {"relu": [True, True], "leaky_relu": [False, False]},  # builders' slopes 0.9 and 0.8
        "near": {"relu": [False, False], "leaky_relu": [True, False]},
    }
    assert {n: g.score for n, (g, _, _) in after.items()} == {
        "slow": 2.0, "wrong": 2.0, "quirky": 4.0, "near": 1.0}
    assert after["wrong"][1].function_results.get(name="relu").hint == NEW_HINT

    # v4: a function renamed (the reference and the mistake follow in their own files), a case made visible
    staff.file("reference.py", lambda text: text.replace("def leaky_relu(", "def leaky_relu_forward("))
    staff.file("mistakes.toml", lambda text: text.replace('function = "leaky_relu"', 'function = "leaky_relu_forward"')
               .replace("def leaky_relu(", "def leaky_relu_forward("))
    staff.function("leaky_relu", name="leaky_relu_forward")
    staff.case("relu", "hidden", visibility="visible")  # its id stays "hidden"
    staff.case("relu", None, id="stored", kind="hdf5", hdf5_file="inputs/relu_hidden.h5", visibility="hidden")
    v4 = staff.publish(pages=False)
    after = {name: state(name) for name in users}
    assert all(s.version_id == v4.pk for _, s, _ in after.values())
    assert after["quirky"][2] == {"relu": [True, True, True], "leaky_relu_forward": []}  # the bundle's HDF5 file
    assert after["slow"][2]["relu"] == [False, False, False]
    cards = page_cards(staff, users["slow"], after["slow"][1])
    assert [c.split(":")[0] for c in cards["relu"][0]][::4] == ["example case", "hidden case", "hidden case 3"]
    assert cards["relu"][1] == "9 of 12 checks passed; 1 hidden check failed."  # the case named "hidden" is visible
    card = after["wrong"][1].function_results.get(name="leaky_relu_forward")  # its leaky_relu passed on v3
    assert card.status == "missing" and card.score == 0.0 and after["wrong"][0].score == 0.0

    for form_class, fields in EXERCISED.items():
        if form_class is not ExtensionForm and form_class is not AssignmentForm:
            assert set(fields) <= staff.changed.get(form_class, set()), (form_class, staff.changed)


@pytest.mark.slow
@pytest.mark.sandbox
@pytest.mark.django_db
def test_assignment_settings_change_counting_grades_and_uploads(client, tmp_path, inline):
    setup = publishing_setup.make(tmp_path, slug="settings")
    staff = Staff(client, setup)
    assignment, student = setup.v1.assignment, setup.student
    first = inline(student, assignment, "correct.py", CORRECT)
    second = inline(student, assignment, "wrong.py", RELU_WRONG)
    assert [Submission.objects.get(pk=s.pk).score for s in (first, second)] == [3.0, 2.0]

    def grade():
        return Grade.objects.get(user=student, assignment=assignment)

    assert (grade().score, grade().submission_id) == (3.0, first.pk)  # best
    staff.settings(counting="latest")
    assert (grade().score, grade().submission_id) == (2.0, second.pk)
    staff.settings(counting="best")

    two_days_ago = timezone.now() - timedelta(days=1, hours=12)
    staff.settings(due_at=two_days_ago, late_policy="penalty", late_penalty_percent=10)
    assert (grade().score, grade().days_late, grade().penalty_percent) == (2.4, 2, 20.0)
    staff.settings(late_penalty_percent=25)
    assert grade().score == 1.5
    staff.settings(late_policy="accept")
    assert (grade().score, grade().late) == (3.0, True)
    staff.settings(late_policy="penalty", due_at=timezone.now() + timedelta(days=1))
    assert (grade().score, grade().late) == (3.0, False)
    staff.settings(due_at=two_days_ago)
    assert grade().score == 1.5

    extension = reverse("staff:extension", args=[setup.course.slug, student.username, assignment.slug])

    def extend(days: float | None):
        """The extension form of the student's record page: granted `days` from now, or removed (None)."""
        data = {"remove": "1"} if days is None else {
            f"{assignment.slug}-due_at": timezone.localtime(timezone.now() + timedelta(days=days))
            .strftime("%Y-%m-%dT%H:%M"), f"{assignment.slug}-reason": "ill"}
        assert client.post(extension, data).status_code == 302

    extend(1)
    assert (grade().score, grade().late) == (3.0, False)
    extend(None)
    assert grade().score == 1.5

    def refused(expected: str | None):
        client.force_login(student)
        response = client.post(reverse("courses:upload", args=[setup.course.slug, assignment.slug]),
                               {"file": SimpleUploadedFile("again.py", CORRECT)}) if expected else None
        if expected:
            assert response.status_code == 303  # back to the form, the refusal waiting there
            assert expected in client.get(response["Location"]).content.decode()
        else:
            assert services.refusal(Assignment.objects.get(pk=assignment.pk), student) is None
        client.force_login(setup.teacher)

    refused(None)
    staff.settings(late_policy="refuse")  # the due date passed and no hard deadline: refused
    refused("The deadline for this assignment passed")
    staff.settings(hard_deadline=timezone.now() + timedelta(hours=2))
    refused(None)
    staff.settings(hard_deadline=timezone.now() - timedelta(hours=2))
    refused("The deadline for this assignment passed")
    extend(1)  # the hard deadline moves with the student's extension
    refused(None)
    extend(None)
    staff.settings(late_policy="accept", hard_deadline=None, max_submissions=2)
    refused("You have used all 2 uploads")
    staff.settings(max_submissions=3)
    refused(None)
    staff.settings(is_open=False)
    refused("This assignment is closed")
    assert Submission.objects.filter(user=student).count() == 2
    assert set(EXERCISED[AssignmentForm]) <= staff.changed[AssignmentForm]


@pytest.mark.parametrize("form_class", list(EXERCISED))
def test_every_editable_field_is_exercised_or_named_as_not_grading(form_class):
    fields = set(form_class.base_fields)
    assert fields - set(EXERCISED[form_class]) - NOT_GRADING[form_class] == set(), \
        "a new field of the editor: show its effect on grading in this file"
    assert set(EXERCISED[form_class]) | NOT_GRADING[form_class] <= fields
