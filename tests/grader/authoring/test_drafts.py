"""Drafts: copied from the current version, edited in place, checked by the bundle loader after every edit."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from assignments.bundle import load_bundle
from grader.authoring import drafts
from grader.authoring.models import AssignmentVersion, ImmutableVersion
from grader.authoring.services import export, load_folder
from grader.courses.models import Assignment, Course
from tests.grader.authoring.bundles import write_bundle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache(settings, tmp_path):
    settings.GRADER_CACHE_DIR = tmp_path / "cache"


@pytest.fixture
def course():
    return Course.objects.create(slug="activations-course", title="Activations")


@pytest.fixture
def published(course, tmp_path):
    """The activations bundle loaded and published (the contract is tested elsewhere)."""
    return load_folder(course, write_bundle(tmp_path / "bundle"), contract=False).version


def zipped(folder: Path, prefix: str = "bundle/", extra: dict | None = None) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + str(path.relative_to(folder)))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def test_a_new_assignment_starts_with_an_empty_draft_whose_problems_are_the_loaders(course):
    assignment = Assignment.objects.create(course=course, slug="softmax", title="Softmax")
    draft = drafts.open_draft(assignment)
    assert (draft.number, draft.state, draft.manifest["functions"]) == (1, "draft", [])
    assert not draft.is_loadable and draft.digest.startswith("draft-")
    assert any("'reference' is missing" in p for p in draft.problems)
    assert any("grades no function" in p for p in draft.problems)
    assert drafts.open_draft(assignment).pk == draft.pk  # one draft at a time
    assignment.refresh_from_db()
    assert not assignment.is_published


def test_a_draft_copies_the_current_version_and_says_it_is_identical(published):
    draft = drafts.open_draft(published.assignment)
    assert draft.number == published.number + 1 and draft.pk != published.pk
    assert draft.manifest == published.manifest
    assert sorted(draft.files.values_list("name", "sha256")) == sorted(published.files.values_list("name", "sha256"))
    assert draft.problems == [f"identical to version {published.number} (published): change something to make a new "
                              "version, or discard this draft"]
    assert draft.digest != published.digest


def test_an_edit_reaches_the_manifest_and_the_digest_is_the_loaders_so_export_loads_back(published, tmp_path, course):
    draft = drafts.open_draft(published.assignment)

    def more_points(manifest):
        manifest["functions"][0]["points"] = 3

    assert drafts.change_manifest(draft, more_points) == []
    draft.refresh_from_db()
    assert draft.manifest["functions"][0]["points"] == 3 and draft.max_score == 5
    assert draft.is_loadable and draft.digest != published.digest
    exported = export(draft, tmp_path / "exported")
    assert load_bundle(exported).digest == draft.digest
    other = Course.objects.create(slug="elsewhere", title="Elsewhere")
    assert load_folder(other, exported, draft=True).version.digest == draft.digest

    assert drafts.change_manifest(draft, lambda m: m["functions"][0].update(points=1))[0].startswith(
        f"identical to version {published.number}")


def test_files_by_role_are_named_in_the_manifest_and_their_problems_reported(published):
    draft = drafts.open_draft(published.assignment)
    problems = drafts.put_file(draft, "reference", "my_solution.py", b"def relu(Z:\n")
    assert draft.manifest["reference"] == "reference.py"
    assert any(p.startswith("reference:") for p in problems), problems
    assert draft.files.get(role="reference").sha256 != published.files.get(role="reference").sha256

    assert drafts.put_file(draft, "job", "more_utils.py", b"X = 1\n") != []  # the broken reference still
    assert draft.manifest["job_files"] == ["act_utils.py", "more_utils.py"]
    drafts.remove_file(draft, "more_utils.py")
    assert draft.manifest["job_files"] == ["act_utils.py"]
    drafts.remove_file(draft, "mistakes.toml")
    assert "mistakes" not in draft.manifest and not draft.files.filter(role="mistakes").exists()

    with pytest.raises(drafts.EditRefused, match="sandbox uses this name"):
        drafts.put_file(draft, "job", "runner.py", b"")
    with pytest.raises(drafts.EditRefused, match="not a usable file name"):
        drafts.put_file(draft, "private", "../../etc/.hidden", b"")
    with pytest.raises(drafts.EditRefused, match="already the draft's"):
        drafts.put_file(draft, "job", "cases.py", b"")


def test_a_bundle_too_large_is_refused_whole(published, settings):
    settings.GRADER_MAX_BUNDLE_BYTES = 2**20
    draft = drafts.open_draft(published.assignment)
    with pytest.raises(drafts.EditRefused, match="the limit is"):
        drafts.put_file(draft, "private", "big.h5", b"0" * 2**20)
    assert not draft.files.filter(name="big.h5").exists()


def test_published_versions_refuse_every_edit(published):
    with pytest.raises(drafts.EditRefused):
        drafts.put_file(published, "job", "x.py", b"")
    with pytest.raises(drafts.EditRefused):
        drafts.save_manifest(published, {})
    with pytest.raises(ImmutableVersion):
        published.files.first().delete()


def test_the_slug_stays_the_assignments(published):
    draft = drafts.open_draft(published.assignment)
    with pytest.raises(drafts.EditRefused, match="slug stays"):
        drafts.change_manifest(draft, lambda m: m.update(slug="renamed"))
    assert AssignmentVersion.objects.get(pk=draft.pk).manifest["slug"] == "activations"


def test_a_manifest_naming_a_file_outside_the_draft_is_a_problem_and_never_read(published):
    draft = drafts.open_draft(published.assignment)
    problems = drafts.change_manifest(draft, lambda m: m.update(supplied="/etc/passwd", job_files=["../../x.py"]))
    assert problems == ["supplied = '/etc/passwd' points outside the bundle: name a file of the draft (upload it on "
                        "the files page)",
                        "job_files = '../../x.py' points outside the bundle: name a file of the draft (upload it on "
                        "the files page)"]
    assert not draft.is_loadable


def test_a_zip_of_a_bundle_folder_becomes_the_draft(course, tmp_path):
    assignment = Assignment.objects.create(course=course, slug="acts", title="Acts")
    folder = write_bundle(tmp_path / "bundle")
    (folder / "notes.txt").write_text("not named by the manifest")
    loaded = drafts.load_zip(assignment, zipped(folder, extra={"__MACOSX/bundle/._x": b"", "bundle/.DS_Store": b""}))
    draft = loaded.draft
    assert draft.problems == [] and draft.is_loadable
    assert loaded.left_out == ("notes.txt",) and loaded.slug_was == "activations"
    assert draft.manifest["slug"] == "acts"
    (folder / "notes.txt").unlink()
    (folder / "assignment.toml").write_text((folder / "assignment.toml").read_text().replace('"activations"', '"acts"'))
    assert draft.digest == load_bundle(folder).digest

    again = drafts.load_zip(assignment, zipped(folder, prefix=""))
    assert again.draft.pk == draft.pk and again.slug_was is None  # the same draft, replaced


def test_a_zip_with_problems_is_stored_with_them(course, tmp_path):
    assignment = Assignment.objects.create(course=course, slug="activations", title="Acts")
    folder = write_bundle(tmp_path / "bundle")
    (folder / "cases.py").unlink()
    draft = drafts.load_zip(assignment, zipped(folder)).draft
    assert draft.problems == ["cases = 'cases.py': no such file"]
    assert set(draft.files.values_list("role", flat=True)) == {"reference", "supplied", "mistakes", "job"}


@pytest.mark.parametrize("member, message", [
    ("../evil.py", "points outside"),
    ("/abs.py", "points outside"),
    ("bundle/../../evil.py", "points outside"),
])
def test_a_zip_reaching_outside_its_folder_is_refused(course, tmp_path, member, message):
    assignment = Assignment.objects.create(course=course, slug="activations", title="Acts")
    with pytest.raises(drafts.EditRefused, match=message):
        drafts.load_zip(assignment, zipped(write_bundle(tmp_path / "bundle"), extra={member: b"x"}))
    assert not assignment.versions.exists()


def test_a_zip_that_unpacks_too_large_or_is_no_zip_is_refused(course, tmp_path, settings):
    assignment = Assignment.objects.create(course=course, slug="activations", title="Acts")
    settings.GRADER_MAX_BUNDLE_BYTES = 2**20
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("assignment.toml", "slug = 'activations'\n")
        archive.writestr("big.h5", b"\0" * (2 * 2**20))
    bomb.seek(0)
    assert len(bomb.getvalue()) < 2**20
    with pytest.raises(drafts.EditRefused, match="unpacks to more than"):
        drafts.load_zip(assignment, bomb)
    with pytest.raises(drafts.EditRefused, match="not a zip"):
        drafts.load_zip(assignment, io.BytesIO(b"slug = 'x'"))
    no_manifest = io.BytesIO()
    with zipfile.ZipFile(no_manifest, "w") as archive:
        archive.writestr("reference.py", "x = 1\n")
    with pytest.raises(drafts.EditRefused, match="no assignment.toml"):
        drafts.load_zip(assignment, no_manifest)
    assert not assignment.versions.exists()


def test_a_validated_version_is_the_base_of_the_next_draft(published, tmp_path):
    draft = drafts.open_draft(published.assignment)
    drafts.change_manifest(draft, lambda m: m["functions"][0].update(points=4))
    draft.advance(AssignmentVersion.State.VALIDATED)
    with pytest.raises(drafts.EditRefused, match="validated"):
        drafts.put_file(draft, "job", "x.py", b"")
    following = drafts.open_draft(published.assignment)
    assert following.number == draft.number + 1 and following.manifest["functions"][0]["points"] == 4


def test_a_draft_of_every_course_bundle_loads_as_its_version(course):
    """The stored layout of a loaded bundle (shared job files, HDF5 data, model checks) is what a draft edits."""
    from assignments import bundle_folders

    for slug, folder in bundle_folders().items():
        version = load_folder(course, folder, contract=False).version
        draft = drafts.open_draft(version.assignment)
        assert draft.problems == [f"identical to version {version.number} (published): change something to make a "
                                  "new version, or discard this draft"], slug
        assert drafts.change_manifest(draft, lambda m: m.update(title=m["title"] + " (2027)")) == [], slug


def test_a_course_folder_zipped_as_it_is_names_what_lies_outside_and_an_upload_mends_it(course, tmp_path):
    """assignments/optimization points at ../../reference/optimization.py and ../common/dnn_utils.py."""
    from assignments import ASSIGNMENTS_DIR, bundle_folders

    assignment = Assignment.objects.create(course=course, slug="optimization", title="Optimization")
    draft = drafts.load_zip(assignment, zipped(bundle_folders()["optimization"], prefix="optimization/")).draft
    assert sorted(draft.problems) == [
        "job_files = '../common/dnn_utils.py' points outside the bundle: name a file of the draft (upload it on the "
        "files page)",
        "reference = '../../reference/optimization.py' points outside the bundle: name a file of the draft (upload it "
        "on the files page)"]
    drafts.put_file(draft, "reference", "optimization.py", (ASSIGNMENTS_DIR.parent / "reference/optimization.py").read_bytes())
    assert drafts.put_file(draft, "job", "dnn_utils.py", (ASSIGNMENTS_DIR / "common/dnn_utils.py").read_bytes()) == []
    assert draft.manifest["job_files"][0] == "dnn_utils.py"
    assert draft.digest == load_bundle(bundle_folders()["optimization"]).digest


def test_a_manifest_with_a_toml_date_is_refused_by_its_key():
    with pytest.raises(drafts.EditRefused, match=r"functions\[1\].due = 2026-12-01"):
        drafts.parse_manifest('slug = "x"\n[[functions]]\nname = "f"\ndue = 2026-12-01\n')
