"""`manage.py export_assignment` writes a version as a folder that holds every file it uses, shared ones included."""
from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assignments import bundle_folders
from assignments.bundle import load_bundle
from grader.authoring.services import load_folder
from grader.courses.models import Course

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("slug", ["optimization-2021", "gradient-checking-2021"])
def test_a_bundle_sharing_another_folders_files_exports_self_contained_with_its_digest(tmp_path, slug):
    """The 2021 bundles point at the earlier bundles' files (../optimization/moons_train.h5, ../gradient_checking/...)."""
    course = Course.objects.create(slug="improving-dnn", title="Improving Deep Neural Networks")
    folder = bundle_folders()[slug]
    version = load_folder(course, folder, contract=False).version
    out = StringIO()
    call_command("export_assignment", slug, str(tmp_path / "exported"), "--version", str(version.number), stdout=out)
    assert f"{slug} v{version.number}" in out.getvalue()
    exported = load_bundle(tmp_path / "exported")
    assert exported.digest == version.digest == load_bundle(folder).digest
    for path in (*exported.files.values(), *exported.job_files, *exported.private_files):
        assert path.parent == exported.folder, path  # nothing outside the exported folder
    assert {p.name for p in exported.job_files} == {p.name for p in load_bundle(folder).job_files}


def test_an_unknown_version_number_is_a_command_error(tmp_path):
    course = Course.objects.create(slug="improving-dnn", title="Improving Deep Neural Networks")
    load_folder(course, bundle_folders()["gradient-checking-2021"], contract=False)
    with pytest.raises(CommandError):
        call_command("export_assignment", "gradient-checking-2021", str(tmp_path / "out"), "--version", "7")
