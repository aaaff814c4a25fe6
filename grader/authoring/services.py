"""Loading, exporting and publishing assignment versions: the one place commands and staff pages go through.

A version's files live in Django storage (content-addressed); grading reads
a version through its materialized folder, `<cache>/bundles/<digest>/`, in
the exported layout, so grading a loaded version and grading the folder it
came from use the same loader.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import tomli_w
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from assignments.bundle import MANIFEST, Bundle, load_bundle
from grader.authoring.models import AssignmentVersion, BundleFile
from grader.courses.models import Assignment, Course

log = logging.getLogger(__name__)
EXPORT_NAMES = {"reference": "reference.py", "cases": "cases.py", "supplied": "supplied.py",
                "mistakes": "mistakes.toml", "starter": "starter.ipynb"}


class NotPublishable(Exception):
    """The contract failed; `rows` says which check, and why."""

    def __init__(self, message: str, rows: list | None = None):
        super().__init__(message)
        self.rows = rows or []


@dataclass(frozen=True)
class Loaded:
    version: AssignmentVersion
    created: bool


def _export_layout(bundle: Bundle) -> tuple[dict, list[tuple[str, str, Path]]]:
    """The manifest with self-contained paths, and (role, name, source path) of every file."""
    return export_layout(bundle.folder, bundle.manifest)


def export_layout(folder: Path, manifest: dict, inside: Path | None = None) -> tuple[dict, list[tuple[str, str, Path]]]:
    """A folder's manifest rewritten to self-contained paths, and (role, name, source path) of every file it names.

    Works on a folder that does not load (an uploaded bundle with problems): a
    path naming no file (or, with `inside`, a file outside that folder) is left
    as it is, for the loader to report.
    """
    folder = Path(folder).resolve()

    def found(value) -> Path | None:
        if not isinstance(value, str):
            return None
        path = (folder / value).resolve()
        if not path.is_file() or (inside is not None and not path.is_relative_to(Path(inside).resolve())):
            return None
        return path

    manifest = dict(manifest)
    files: list[tuple[str, str, Path]] = []
    for role, name in EXPORT_NAMES.items():
        path = found(manifest.get(role))
        if path is not None:
            manifest[role] = name
            files.append((role, name, path))
    for key, role in (("job_files", "job"), ("private_files", "private")):
        if isinstance(manifest.get(key), list):
            names = []
            for value in manifest[key]:
                path = found(value)
                names.append(path.name if path else value)
                if path is not None:
                    files.append((role, path.name, path))
            manifest[key] = names
    if isinstance(manifest.get("functions", []), list):
        manifest["functions"] = [dict(f, cases=[dict(c) if isinstance(c, dict) else c for c in f["cases"]])
                                 if isinstance(f, dict) and isinstance(f.get("cases"), list) else f
                                 for f in manifest.get("functions", [])]
    if isinstance(manifest.get("model_checks", []), list):
        manifest["model_checks"] = [dict(m) if isinstance(m, dict) else m for m in manifest.get("model_checks", [])]
        if not manifest["model_checks"]:
            del manifest["model_checks"]
    inputs: dict[Path, str] = {}
    entries = [e for key in ("functions", "model_checks") if isinstance(manifest.get(key), list) for e in manifest[key]]
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        cases = entry.get("cases", [])
        for case in (cases if isinstance(cases, list) else []) + [entry]:
            args = case.get("args") if isinstance(case, dict) else None
            if isinstance(args, str) and not args.startswith("cases.py:") and args.endswith(".h5"):
                path = found(args)
                if path is not None:
                    if path not in inputs:
                        inputs[path] = f"inputs/{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}-{path.name}"
                        files.append(("input", inputs[path], path))
                    case["args"] = inputs[path]
        for key in ("train", "test"):
            if isinstance(entry.get(key), dict) and isinstance(entry[key].get("file"), str):
                entry[key] = {**entry[key], "file": (folder / entry[key]["file"]).resolve().name}
    return manifest, files


def _store(path: Path) -> tuple[str, int, str]:
    """Saves a file's content once under its hash; returns (sha256, size, storage name)."""
    return store_bytes(path.read_bytes())


def store_bytes(data: bytes) -> tuple[str, int, str]:
    """Saves content once under its hash (the same file in many versions is stored once); (sha256, size, name)."""
    sha = hashlib.sha256(data).hexdigest()
    name = f"bundles/{sha[:2]}/{sha}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    return sha, len(data), name


def load_folder(course: Course, folder: Path | str, user=None, draft: bool = False, contract: bool = True) -> Loaded:
    """Loads a bundle folder as a version of the course's assignment of that slug.

    Idempotent: a folder whose digest matches an existing version makes no new
    one. Raises assignments.bundle.BundleError (every problem listed) for a
    broken folder, and NotPublishable when publishing and the contract fails;
    in both cases nothing is left behind.
    """
    bundle = load_bundle(folder)
    existing = AssignmentVersion.objects.filter(assignment__course=course, slug=bundle.slug, digest=bundle.digest).first()
    if existing is not None:
        if not draft and not existing.is_published:
            publish(existing, contract=contract)
        return Loaded(existing, False)
    manifest, files = _export_layout(bundle)
    with transaction.atomic():
        assignment, _ = Assignment.objects.get_or_create(
            course=course, slug=bundle.slug,
            defaults={"title": bundle.title, "description": bundle.description, "max_score": bundle.max_score,
                      "order": Assignment.objects.filter(course=course).count()})
        number = (assignment.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = AssignmentVersion.objects.create(
            assignment=assignment, number=number, slug=bundle.slug, title=bundle.title,
            environment=bundle.environment, manifest=manifest, digest=bundle.digest, max_score=bundle.max_score,
            created_by=user)
        for role, name, path in files:
            sha, size, stored = _store(path)
            row = BundleFile(version=version, role=role, name=name, sha256=sha, size_bytes=size)
            row.file.name = stored
            row.save()
    log.info("assignment version loaded", extra={"assignment": bundle.slug, "version": number, "digest": bundle.digest[:12]})
    if not draft:
        try:
            publish(version, contract=contract)
        except NotPublishable:
            with transaction.atomic():
                version.delete()
                if not assignment.versions.exists() and not assignment.submissions.exists():
                    assignment.delete()
            raise
    return Loaded(version, True)


def materialize(version: AssignmentVersion, cache_dir: Path | None = None) -> Path:
    """The version as a self-contained bundle folder under the cache (written once, atomically)."""
    root = Path(cache_dir or settings.GRADER_CACHE_DIR) / "bundles"
    folder = root / version.digest
    if (folder / MANIFEST).exists():
        return folder
    root.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{version.digest[:12]}-", dir=root))
    try:
        write_folder(version, partial)
        os.replace(partial, folder)
    except OSError:
        if not (folder / MANIFEST).exists():
            raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return folder


def render_manifest(manifest: dict) -> str:
    """A stored manifest as assignment.toml text."""
    return tomli_w.dumps(manifest, multiline_strings=True)


def write_folder(version: AssignmentVersion, target: Path) -> None:
    """Writes the version's files and its assignment.toml into the (existing, empty) folder `target`."""
    target = Path(target)
    for row in version.files.all():
        path = target / row.name
        path.parent.mkdir(parents=True, exist_ok=True)
        with row.file.open("rb") as handle:
            path.write_bytes(handle.read())
    (target / MANIFEST).write_bytes(render_manifest(version.manifest).encode())


@functools.lru_cache(maxsize=64)
def _bundle_at(folder: str, digest: str) -> Bundle:
    bundle = load_bundle(folder)
    if bundle.digest != digest:
        raise RuntimeError(f"the stored version {digest[:12]} loads as {bundle.digest[:12]}: storage was altered")
    return bundle


def bundle_of(version: AssignmentVersion) -> Bundle:
    """The Bundle grading uses for a stored version."""
    return _bundle_at(str(materialize(version)), version.digest)


def export(version: AssignmentVersion, target: Path) -> Path:
    """Writes the version as a folder that loads back to the same digest."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target} is not empty")
    shutil.copytree(materialize(version), target, dirs_exist_ok=True)
    return target


def publish(version: AssignmentVersion, contract: bool = True) -> AssignmentVersion:
    """Runs the contract (unless told it already holds), publishes, and makes the version current."""
    if contract:
        from grader.grading.contract_cache import cached_contract
        from grader.grading.setup import get_grader

        result, _ = cached_contract(bundle_of(version), get_grader())
        if not result.ok:
            raise NotPublishable(f"{version.slug}: {result.failures} contract check(s) failed", result.rows)
        version.validation_report = [list(row) for row in result.rows]
    now = timezone.now()
    with transaction.atomic():
        if version.state == AssignmentVersion.State.DRAFT:
            version.advance(AssignmentVersion.State.VALIDATED, validated_at=now,
                            validation_report=version.validation_report)
        version.advance(AssignmentVersion.State.PUBLISHED, published_at=now)
        Assignment.objects.filter(pk=version.assignment_id).update(
            current_version=version, title=version.title, max_score=version.max_score,
            description=version.manifest.get("description", ""))
    _grades_without_result(version.assignment_id)
    return version


def _grades_without_result(assignment_id: int) -> None:
    """Stored grades with no counted result take their max score from the assignment: the one just published.

    (A grade with a counted result keeps its result's max score: it moves when the result is regraded.)
    """
    from grader.submissions.grades import update_grade
    from grader.submissions.models import Grade

    assignment = Assignment.objects.get(pk=assignment_id)
    for grade in Grade.objects.filter(assignment=assignment, submission__isnull=True).select_related("user"):
        update_grade(grade.user, assignment)


def current_bundle(assignment: Assignment) -> tuple[AssignmentVersion, Bundle]:
    version = assignment.current_version
    if version is None:
        raise LookupError(f"{assignment} has no published version")
    return version, bundle_of(version)

