"""Drafts: the one mutable version of an assignment, edited from the staff pages until it is published.

A published version never changes; staff edit a draft, a version in state
`draft` copied from the current version (or empty for a new assignment).
After every edit the draft is written to a temporary folder and read back by
the bundle loader (`assignments.bundle.load_bundle`): the loader's problems are
stored with the draft for the pages to show, and the draft's digest is the
loader's, so an exported draft loads back to the same digest. A draft that
does not load, or is identical to another version of the assignment, gets a
provisional digest (`draft-...`, see `AssignmentVersion.is_loadable`).

Nothing here imports or runs bundle code: the loader only parses it.
"""
from __future__ import annotations

import copy
import datetime
import hashlib
import json
import re
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import nbformat
from django.conf import settings
from django.db import transaction
from django.db.models import Max

from assignments import starter
from assignments.bundle import FILE_ROLES, MANIFEST, RESERVED_JOB_NAMES, BundleError, load_bundle
from grader.authoring.bundle_zip import BadZip, read_manifest, unpack
from grader.authoring.models import PROVISIONAL_DIGEST, AssignmentVersion, BundleFile
from grader.authoring.services import EXPORT_NAMES, export_layout, store_bytes, write_folder
from grader.courses.models import Assignment

LIST_KEYS = {"job": "job_files", "private": "private_files"}  # roles listed by name in the manifest
FILE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")
DRIVE = re.compile(r"^[A-Za-z]:")


class EditRefused(ValueError):
    """An edit that cannot be made (a published version, a bad name, too large, an unreadable zip): nothing changed."""


@dataclass(frozen=True)
class ZipLoaded:
    """A bundle zip made into the assignment's draft; `left_out` lists the zip's files its manifest names nowhere."""

    draft: AssignmentVersion
    left_out: tuple[str, ...]
    slug_was: str | None  # the zip's own slug when it was not the assignment's


def current_draft(assignment: Assignment) -> AssignmentVersion | None:
    """The assignment's draft being edited, if any (the newest version in state draft)."""
    return assignment.versions.filter(state=AssignmentVersion.State.DRAFT).order_by("-number").first()


def working_version(assignment: Assignment) -> AssignmentVersion | None:
    """What the editing pages show: the draft when there is one, else the version an edit would start from."""
    return current_draft(assignment) or _base(assignment)


def _base(assignment: Assignment) -> AssignmentVersion | None:
    """A new draft copies the newest validated, unpublished version newer than the current one, else the current."""
    current = assignment.current_version
    validated = assignment.versions.filter(state=AssignmentVersion.State.VALIDATED)
    if current is not None:
        validated = validated.filter(number__gt=current.number)
    return validated.order_by("-number").first() or current


def empty_manifest(assignment: Assignment) -> dict:
    """A brand-new assignment's manifest: its slug and title, the default environment, no function yet."""
    manifest = {"slug": assignment.slug, "title": assignment.title, "environment": "numpy"}
    if assignment.description:
        manifest["description"] = assignment.description
    return {**manifest, "functions": []}


def open_draft(assignment: Assignment, user=None) -> AssignmentVersion:
    """The assignment's draft, made when there is none: a copy of the current version's files and manifest
    (number = the highest so far + 1), or an empty one for a new assignment."""
    with transaction.atomic():
        Assignment.objects.select_for_update().filter(pk=assignment.pk).first()  # one draft made at a time
        draft = current_draft(assignment)
        if draft is not None:
            return draft
        base = _base(assignment)
        draft = _new_draft(assignment, user, copy.deepcopy(base.manifest) if base else empty_manifest(assignment))
        for row in base.files.all() if base else ():
            copied = BundleFile(version=draft, role=row.role, name=row.name, sha256=row.sha256, size_bytes=row.size_bytes)
            copied.file.name = row.file.name
            copied.save()
        _check(draft)
    return draft


def edit(assignment: Assignment, user, change: Callable[[AssignmentVersion], list[str]]) -> tuple[AssignmentVersion, list[str]]:
    """Opens the draft and makes one edit (`change(draft)` returns the problems) in one transaction, so an edit
    refused (EditRefused) leaves no new draft behind. Returns the draft and its problems."""
    with transaction.atomic():
        draft = open_draft(assignment, user)
        return draft, change(draft)


def _new_draft(assignment: Assignment, user, manifest: dict) -> AssignmentVersion:
    number = (assignment.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return AssignmentVersion.objects.create(
        assignment=assignment, number=number, slug=assignment.slug, title=manifest.get("title") or assignment.title,
        environment=str(manifest.get("environment") or "numpy")[:50], manifest=manifest, digest=f"{PROVISIONAL_DIGEST}new-{assignment.pk}-{number}",
        created_by=user)


def _locked(draft: AssignmentVersion) -> AssignmentVersion:
    """The draft's row, locked for one edit; refuses a version that is no longer a draft."""
    row = AssignmentVersion.objects.select_for_update().get(pk=draft.pk)
    if row.state != AssignmentVersion.State.DRAFT:
        raise EditRefused(f"version {row.number} is {row.get_state_display().lower()}: it cannot change; "
                          "edit a new draft instead")
    return row


def _refresh(draft: AssignmentVersion, row: AssignmentVersion) -> list[str]:
    for field in ("manifest", "digest", "problems", "title", "environment", "max_score"):
        setattr(draft, field, getattr(row, field))
    return list(row.problems)


def change_manifest(draft: AssignmentVersion, change: Callable[[dict], None]) -> list[str]:
    """Applies `change` to a copy of the draft's manifest under the draft's lock; returns the loader's problems.

    `change` may raise EditRefused (nothing is stored then). The slug always stays the assignment's.
    """
    with transaction.atomic():
        row = _locked(draft)
        manifest = copy.deepcopy(row.manifest)
        change(manifest)
        if manifest.get("slug") != row.assignment.slug:
            raise EditRefused(f"the slug stays {row.assignment.slug!r}: it names the assignment in every page and grade")
        row.manifest = manifest
        _check(row)
    return _refresh(draft, row)


def save_manifest(draft: AssignmentVersion, manifest: dict) -> list[str]:
    """Replaces the draft's manifest (assignment.toml as data); returns the loader's problems."""
    return change_manifest(draft, lambda stored: (stored.clear(), stored.update(copy.deepcopy(manifest))))


def parse_manifest(text: str) -> dict:
    """assignment.toml text as data; EditRefused names the line of a TOML syntax error, or a date's key."""
    try:
        manifest = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise EditRefused(f"{MANIFEST} is not valid TOML: {error}") from None
    _no_dates(manifest, "")
    return manifest


def _no_dates(value, where: str) -> None:
    """A manifest is stored as JSON: TOML dates and times are no value of the format."""
    if isinstance(value, dict):
        for key, item in value.items():
            _no_dates(item, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for number, item in enumerate(value, start=1):
            _no_dates(item, f"{where}[{number}]")
    elif isinstance(value, (datetime.date, datetime.time)):
        raise EditRefused(f"{where} = {value}: dates and times are no value of assignment.toml; quote it as a string")


def stored_name(role: str, name: str) -> str:
    """Where a file of `role` lives in the draft's folder: the export name, inputs/NAME, or the job file's name."""
    if role in EXPORT_NAMES:
        return EXPORT_NAMES[role]
    base = PurePosixPath(name.replace("\\", "/")).name
    if not FILE_NAME.match(base) or base == MANIFEST:
        raise EditRefused(f"{name!r} is not a usable file name: letters, digits, '_', '-', '.' and '+', "
                          "not starting with '.' or '-'")
    if role == BundleFile.Role.INPUT:
        if not base.endswith(".h5"):
            raise EditRefused(f"{base!r}: HDF5 case arguments are .h5 files")
        return f"inputs/{base}"
    if role in LIST_KEYS:
        if base in RESERVED_JOB_NAMES:
            raise EditRefused(f"{base!r}: the sandbox uses this name for its own file; rename it")
        return base
    raise EditRefused(f"unknown file role {role!r}")


def _reference(manifest: dict, role: str, name: str) -> None:
    """Makes the manifest name the file: its role's key, or an entry of job_files / private_files."""
    if role in EXPORT_NAMES:
        manifest[role] = name
    elif role in LIST_KEYS:
        names = manifest.get(LIST_KEYS[role])
        names = names if isinstance(names, list) else []
        same = [i for i, n in enumerate(names) if isinstance(n, str) and PurePosixPath(n).name == name]
        if same:  # a job file is its name: "../common/dnn_utils.py" of an uploaded folder is this dnn_utils.py
            names[same[0]] = name
            names = [n for i, n in enumerate(names) if i not in same[1:]]
        else:
            names.append(name)
        manifest[LIST_KEYS[role]] = names


def put_file(draft: AssignmentVersion, role: str, name: str, data: bytes) -> list[str]:
    """Adds or replaces a file of the draft and names it in the manifest; returns the loader's problems.

    A reference, cases, supplied, mistakes or starter file replaces that role's
    file (stored under its export name; a starter notebook normalised, its
    outputs cleared); job and private files keep their names (students import
    job modules by name); HDF5 case arguments go to inputs/.
    """
    target = stored_name(role, name)
    if role == BundleFile.Role.STARTER:
        data = _normalised_notebook(data)
    limit = settings.GRADER_MAX_BUNDLE_BYTES
    with transaction.atomic():
        row = _locked(draft)
        clash = row.files.filter(name=target).exclude(role=role).first()
        if clash is not None:
            raise EditRefused(f"{target!r} is already the draft's {clash.get_role_display().lower()}; "
                              "remove it first or choose another name")
        others = sum(f.size_bytes for f in row.files.exclude(name=target)
                     if not (role in EXPORT_NAMES and f.role == role))
        if others + len(data) > limit:
            raise EditRefused(f"the bundle's files would take {others + len(data):,} bytes; the limit is {limit:,}")
        if role in EXPORT_NAMES:
            row.files.filter(role=role).delete()
        else:
            row.files.filter(name=target).delete()
        sha, size, storage_name = store_bytes(data)
        added = BundleFile(version=row, role=role, name=target, sha256=sha, size_bytes=size)
        added.file.name = storage_name
        added.save()
        _reference(row.manifest, role, target)
        _check(row)
    return _refresh(draft, row)


def _normalised_notebook(data: bytes) -> bytes:
    """A starter is stored as `python -m assignments.starter --write` leaves it: outputs and editor state cleared."""
    try:
        return starter.normalize(data.decode("utf-8")).encode()
    except (UnicodeDecodeError, ValueError, nbformat.ValidationError) as error:
        raise EditRefused(f"the starter is not a Jupyter notebook: {error}") from None


def remove_file(draft: AssignmentVersion, name: str) -> list[str]:
    """Removes a file of the draft and its name from the manifest; returns the loader's problems.

    A case whose arguments were the removed HDF5 file keeps naming it, and the loader says so.
    """
    with transaction.atomic():
        row = _locked(draft)
        stored = row.files.filter(name=name).first()
        if stored is None:
            raise EditRefused(f"the draft has no file {name!r}")
        stored.delete()
        if stored.role in EXPORT_NAMES and row.manifest.get(stored.role) == name:
            del row.manifest[stored.role]
        elif stored.role in LIST_KEYS and isinstance(row.manifest.get(LIST_KEYS[stored.role]), list):
            names = [n for n in row.manifest[LIST_KEYS[stored.role]] if n != name]
            if names:
                row.manifest[LIST_KEYS[stored.role]] = names
            else:
                del row.manifest[LIST_KEYS[stored.role]]
        _check(row)
    return _refresh(draft, row)


def discard(draft: AssignmentVersion) -> None:
    """Deletes the draft (its stored file contents stay: other versions may share them)."""
    with transaction.atomic():
        _locked(draft).delete()


def load_zip(assignment: Assignment, upload, user=None) -> ZipLoaded:
    """A whole bundle folder, zipped, becomes the assignment's draft (replacing the draft's files and manifest).

    The zip may hold the folder's files at its top or inside one folder. Refused
    (EditRefused, nothing changed) when it is not a zip, has no assignment.toml
    or one that is not TOML, holds a path outside its folder (an absolute path,
    `..`, a link), or more than GRADER_MAX_BUNDLE_BYTES once unpacked. A bundle
    with problems is still stored, with the loader's problems, to be fixed here.
    """
    with tempfile.TemporaryDirectory(prefix="gradebox-zip-") as scratch:
        try:
            root = unpack(upload, Path(scratch), settings.GRADER_MAX_BUNDLE_BYTES)
            manifest = parse_manifest(read_manifest(root))
        except BadZip as error:
            raise EditRefused(str(error)) from None
        slug_was = None if manifest.get("slug") == assignment.slug else str(manifest.get("slug"))
        manifest["slug"] = assignment.slug
        manifest, files = export_layout(root, manifest, inside=root)
        used = {path for _, _, path in files}
        left_out = tuple(sorted(str(p.relative_to(root)) for p in root.rglob("*")
                                if p.is_file() and p.name != MANIFEST and p.resolve() not in used))
        with transaction.atomic():
            draft = open_draft(assignment, user)
            row = _locked(draft)
            row.files.all().delete()
            for role, name, path in files:
                sha, size, storage_name = store_bytes(path.read_bytes())
                added = BundleFile(version=row, role=role, name=name, sha256=sha, size_bytes=size)
                added.file.name = storage_name
                added.save()
            row.manifest = manifest
            _check(row)
    _refresh(draft, row)
    return ZipLoaded(draft, left_out, slug_was)


def _outside(manifest: dict) -> list[str]:
    """Paths of the manifest that leave the draft's folder (absolute, `..`): a draft never reads outside its files.

    A path inside the folder that names no file is left to the loader, which says so.
    """
    problems = []

    def check(where: str, value) -> None:
        if isinstance(value, str):
            path = PurePosixPath(value.replace("\\", "/"))
            if path.is_absolute() or ".." in path.parts or DRIVE.match(value):
                problems.append(f"{where} = {value!r} points outside the bundle: name a file of the draft "
                                "(upload it on the files page)")

    for role in FILE_ROLES:
        check(role, manifest.get(role))
    for key in LIST_KEYS.values():
        for value in manifest.get(key, []) if isinstance(manifest.get(key), list) else []:
            check(key, value)
    for kind in ("functions", "model_checks"):
        for entry in manifest.get(kind, []) if isinstance(manifest.get(kind), list) else []:
            if not isinstance(entry, dict):
                continue
            where = f"{kind}.{entry.get('name', entry.get('id'))}"
            cases = entry.get("cases", []) if isinstance(entry.get("cases"), list) else []
            for case in cases + [entry]:
                args = case.get("args") if isinstance(case, dict) else None
                if isinstance(args, str) and not args.startswith("cases.py:"):
                    check(f"{where}.cases.{case.get('id')}.args" if case is not entry else f"{where}.args", args)
            for key in ("train", "test"):
                if isinstance(entry.get(key), dict):
                    check(f"{where}.{key}.file", entry[key].get("file"))
    return problems


def _provisional(row: AssignmentVersion) -> str:
    """A digest for a draft without the loader's: over its manifest and files, unique to the draft's row."""
    files = sorted(row.files.values_list("name", "role", "sha256"))
    content = json.dumps([row.pk, row.manifest, files], sort_keys=True, default=str)
    return PROVISIONAL_DIGEST + hashlib.sha256(content.encode()).hexdigest()[:64 - len(PROVISIONAL_DIGEST)]


def _check(row: AssignmentVersion) -> None:
    """Loads the locked draft from a temporary folder; stores its digest, problems, title, environment, max score."""
    problems = _outside(row.manifest)
    bundle = None
    if not problems:
        with tempfile.TemporaryDirectory(prefix="gradebox-draft-") as folder:
            write_folder(row, Path(folder))
            try:
                bundle = load_bundle(folder)
            except BundleError as error:
                problems = [e.replace(folder, ".") for e in error.errors]
    digest = bundle.digest if bundle else None
    if digest is not None:
        same = row.assignment.versions.filter(digest=digest).exclude(pk=row.pk).first()
        if same is not None:
            problems = [f"identical to version {same.number} ({same.get_state_display().lower()}): "
                        "change something to make a new version, or discard this draft"]
            digest = None
    row.digest = digest or _provisional(row)
    row.problems = problems
    manifest = row.manifest
    row.title = bundle.title if bundle else str(manifest.get("title") or row.assignment.title)[:200]
    row.environment = bundle.environment if bundle else row.environment
    row.max_score = bundle.max_score if bundle else row.max_score
    row.save()
