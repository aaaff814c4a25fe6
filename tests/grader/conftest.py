"""Fixtures of the grader's tests: a queued upload, and the grading tasks wired to a stand-in grader."""
from tests.grader.stand_in import grading, queued  # noqa: F401 (fixtures)
