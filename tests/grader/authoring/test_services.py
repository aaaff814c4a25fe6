"""Loading, publishing and exporting versions: idempotent, immutable once published, bundle code only in the sandbox."""
from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from assignments import bundle_folders
from assignments.bundle import BundleError, load_bundle
from grader.authoring.models import AssignmentVersion, BundleFile, ImmutableVersion
from grader.authoring.services import NotPublishable, bundle_of, export, load_folder
from grader.courses.models import Assignment, Course
from grader.grading.setup import get_grader
from tests import student_files as files
from tests.grader.authoring.bundles import CORRECT, REFERENCE, write_bundle

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db]


@pytest.fixture
def course():
    return Course.objects.create(slug="activations-course", title="Activations")


def grade_cli(path: Path, *how: str) -> dict:
    out = StringIO()
    call_command("grade", str(path), *how, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_no_bundle_code_runs_outside_the_sandbox(tmp_path, course):
    canary = tmp_path / "canary"
    folder = write_bundle(tmp_path / "bundle", canary=canary)
    exec(compile((folder / "reference.py").read_text(), "reference.py", "exec"), {})  # the canary works here ...
    assert canary.read_text() == "reference\n"
    canary.unlink()

    loaded = load_folder(course, folder)  # ... but builders, reference and mistakes ran only in the sandbox
    assert loaded.version.is_published and loaded.version.validation_report
    submission = tmp_path / "student.py"
    submission.write_bytes(CORRECT)
    by_slug = grade_cli(submission, "--assignment", "activations")
    by_folder = grade_cli(submission, "--bundle", str(folder))
    assert by_slug == by_folder and by_slug["score"] == by_slug["max_score"] == 3.0
    call_command("validate_assignment", str(folder), stdout=StringIO())
    export(loaded.version, tmp_path / "exported")
    load_bundle(tmp_path / "exported")
    assert not canary.exists()


def test_a_published_version_cannot_be_changed(tmp_path, course):
    version = load_folder(course, write_bundle(tmp_path / "bundle"), contract=False).version
    assert version.is_published
    version.title = "Changed"
    with pytest.raises(ImmutableVersion):
        version.save()
    with pytest.raises(ImmutableVersion):
        AssignmentVersion.objects.filter(pk=version.pk).update(title="Changed")
    with pytest.raises(ImmutableVersion):
        version.delete()
    with pytest.raises(ImmutableVersion):
        AssignmentVersion.objects.filter(pk=version.pk).delete()
    row = version.files.get(role="reference")
    row.sha256 = "0" * 64
    with pytest.raises(ImmutableVersion):
        row.save()
    with pytest.raises(ImmutableVersion):
        row.delete()
    with pytest.raises(ImmutableVersion):
        BundleFile.objects.create(version=version, role="job", name="extra.py", sha256="0" * 64, size_bytes=0)
    version.refresh_from_db()
    assert version.title == "Activation functions"
    assert sorted(version.files.values_list("name", flat=True)) == [
        "act_utils.py", "cases.py", "mistakes.toml", "reference.py", "supplied.py"]


def test_loading_is_idempotent_and_a_change_makes_a_new_current_version(tmp_path, course):
    folder = write_bundle(tmp_path / "bundle")
    first = load_folder(course, folder, contract=False)
    again = load_folder(course, folder, contract=False)
    assert first.created and not again.created and again.version.pk == first.version.pk
    moved = write_bundle(tmp_path / "elsewhere", **{"reference.py": (folder / "reference.py").read_text()})
    assert not load_folder(course, moved, contract=False).created  # same content elsewhere: same version

    (folder / "assignment.toml").write_text((folder / "assignment.toml").read_text().replace("points = 2", "points = 3"))
    draft = load_folder(course, folder, draft=True, contract=False).version
    assignment = Assignment.objects.get(course=course, slug="activations")
    assert draft.number == 2 and draft.state == "draft" and assignment.current_version_id == first.version.pk
    published = load_folder(course, folder, contract=False).version
    assignment.refresh_from_db()
    assert published.pk == draft.pk and published.is_published
    assert assignment.current_version_id == published.pk and assignment.max_score == 4.0


def test_publishing_new_points_moves_the_max_score_of_grades_without_a_counted_result(tmp_path, course):
    from django.contrib.auth import get_user_model

    from grader.submissions.grades import update_grade
    from grader.submissions.models import Grade, Submission

    folder = write_bundle(tmp_path / "bundle")
    assignment = load_folder(course, folder, contract=False).version.assignment
    student = get_user_model().objects.create_user("failed-upload")
    Submission.objects.create(user=student, assignment=assignment, file="x.py", original_name="x.py", size_bytes=1,
                              status=Submission.Status.FAILED, max_score=3.0)
    assert update_grade(student, assignment).max_score == 3.0
    (folder / "assignment.toml").write_text((folder / "assignment.toml").read_text().replace("points = 2", "points = 3"))
    load_folder(course, folder, contract=False)
    grade = Grade.objects.get(user=student, assignment=assignment)
    assert (grade.score, grade.max_score) == (None, 4.0)


def test_a_failing_contract_or_a_broken_folder_leaves_nothing_behind(tmp_path, course):
    broken = REFERENCE.format(prefix="").replace("return np.where(Z > 0, Z, slope * Z)", "raise ValueError('half done')")
    folder = write_bundle(tmp_path / "bundle", **{"reference.py": broken})
    with pytest.raises(NotPublishable) as raised:
        load_folder(course, folder)
    problem = " ".join(str(row) for row in raised.value.rows)
    assert "ValueError: half done" in problem and "raise ValueError('half done')" in problem
    assert not AssignmentVersion.objects.exists() and not Assignment.objects.filter(course=course).exists()

    (folder / "assignment.toml").write_text("slug = 'activations'\n")
    with pytest.raises(BundleError):
        load_folder(course, folder)
    assert not AssignmentVersion.objects.exists() and not BundleFile.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_export_then_load_into_an_empty_database_grades_alike(tmp_path):
    course = Course.objects.create(slug="improving-dnn", title="Improving Deep Neural Networks")
    original = load_folder(course, bundle_folders()["optimization"], contract=False).version
    student = files.python_file(replace={"update_parameters_with_adam": files.ADAM_WITHOUT_BIAS_CORRECTION})
    grader = get_grader()
    before = grader.grade_functions(bundle_of(original), "adam.py", student).report.document()
    exported = export(original, tmp_path / "exported")

    call_command("flush", "--noinput", verbosity=0)  # an empty database
    assert not AssignmentVersion.objects.exists()
    fresh_course = Course.objects.create(slug="elsewhere", title="Elsewhere")
    loaded = load_folder(fresh_course, exported, contract=False).version
    assert loaded.digest == original.digest
    assert load_bundle(exported).digest == load_bundle(bundle_folders()["optimization"]).digest
    after = grader.grade_functions(bundle_of(loaded), "adam.py", student).report.document()
    assert after == before and after["score"] < after["max_score"]
