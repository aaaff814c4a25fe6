"""Assignment versions: a bundle's manifest and files, stored as data; immutable once published.

The database is the source of truth for what grading uses: a course
assignment points at its current version, every submission records the
version it was graded with, and caches are keyed by the version's digest.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models, transaction


PROVISIONAL_DIGEST = "draft-"  # a draft that does not load (or repeats a version) has no loader digest yet


class ImmutableVersion(Exception):
    """A published version (or one of its files) cannot change: make a new version instead."""


class VersionQuerySet(models.QuerySet):
    """Bulk updates and deletes refuse published versions, as `save` and `delete` do."""

    def update(self, **kwargs):
        if self.filter(state=AssignmentVersion.State.PUBLISHED).exists():
            raise ImmutableVersion("published versions cannot be changed; load or make a new version")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(state=AssignmentVersion.State.PUBLISHED).exists():
            raise ImmutableVersion("published versions cannot be deleted")
        return super().delete()


class AssignmentVersion(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        VALIDATED = "validated", "Validated"
        PUBLISHED = "published", "Published"

    _RANK = {State.DRAFT: 0, State.VALIDATED: 1, State.PUBLISHED: 2}

    assignment = models.ForeignKey("courses.Assignment", on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    environment = models.SlugField(default="numpy")
    manifest = models.JSONField(help_text="assignment.toml as stored with this version's files")
    digest = models.CharField(max_length=64, db_index=True, help_text="sha256 over file contents by role and the manifest")
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    max_score = models.FloatField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    validation_report = models.JSONField(default=list, blank=True)
    problems = models.JSONField(default=list, blank=True,
                                help_text="what the bundle loader finds wrong with a draft, each naming its key or file "
                                          "(empty: it loads); a draft with problems has a provisional 'draft-' digest")

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["assignment", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "number"], name="one_version_number_per_assignment"),
            models.UniqueConstraint(fields=["assignment", "digest"], name="one_version_per_digest"),
        ]

    def __str__(self) -> str:
        return f"{self.slug} v{self.number} ({self.state})"

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED

    @property
    def is_loadable(self) -> bool:
        """Its digest is the bundle loader's (no problems, not identical to another version): it can be validated."""
        return not self.digest.startswith(PROVISIONAL_DIGEST)

    def save(self, *args, **kwargs):
        """Only ever forward (draft -> validated -> published); nothing changes after publishing."""
        if self.pk is not None:
            stored = AssignmentVersion.objects.filter(pk=self.pk).values_list("state", flat=True).first()
            if stored == self.State.PUBLISHED:
                raise ImmutableVersion(f"{self} is published; load or make a new version instead")
            if stored is not None and self._RANK[self.state] < self._RANK[stored]:
                raise ImmutableVersion(f"a version never goes back from {stored} to {self.state}")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_published:
            raise ImmutableVersion(f"{self} is published and cannot be deleted")
        return super().delete(*args, **kwargs)

    def advance(self, state: str, **fields) -> None:
        """Moves the state forward under a row lock (the last change a published version ever gets)."""
        with transaction.atomic():
            current = AssignmentVersion.objects.select_for_update().get(pk=self.pk)
            if current.state == self.State.PUBLISHED or self._RANK[state] <= self._RANK[current.state]:
                raise ImmutableVersion(f"{current} cannot move to {state}")
            AssignmentVersion.objects.filter(pk=self.pk).update(state=state, **fields)
        self.refresh_from_db()


def bundle_file_path(instance: "BundleFile", filename: str) -> str:
    """Content-addressed: the same file in many versions is stored once."""
    return f"bundles/{instance.sha256[:2]}/{instance.sha256}"


class BundleFile(models.Model):
    class Role(models.TextChoices):
        REFERENCE = "reference", "Reference solution"
        CASES = "cases", "Case builders"
        SUPPLIED = "supplied", "Supplied course code"
        MISTAKES = "mistakes", "Mistake catalogue"
        STARTER = "starter", "Starter notebook"
        JOB = "job", "Job file"
        PRIVATE = "private", "Private file"
        INPUT = "input", "HDF5 case arguments"

    version = models.ForeignKey(AssignmentVersion, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(max_length=16, choices=Role.choices)
    name = models.CharField(max_length=255, help_text="its path in an exported bundle folder")
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField()
    file = models.FileField(upload_to=bundle_file_path, max_length=300)

    class Meta:
        ordering = ["version", "role", "name"]
        constraints = [models.UniqueConstraint(fields=["version", "name"], name="one_file_name_per_version")]

    def __str__(self) -> str:
        return f"{self.version}: {self.name} ({self.role})"

    def save(self, *args, **kwargs):
        if AssignmentVersion.objects.filter(pk=self.version_id, state=AssignmentVersion.State.PUBLISHED).exists():
            raise ImmutableVersion(f"{self.version} is published; its files cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if AssignmentVersion.objects.filter(pk=self.version_id, state=AssignmentVersion.State.PUBLISHED).exists():
            raise ImmutableVersion(f"{self.version} is published; its files cannot be removed")
        return super().delete(*args, **kwargs)
