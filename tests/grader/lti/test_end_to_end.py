"""LTI 1.3 end to end with the real worker: launch -> upload -> sandbox grading -> score at the platform's AGS
endpoint, and a bulk regrade of launched students passed back with one token and one score per changed grade.

The worker processes (tests/conftest.py) share the test database (registrations, keys, the token cache) and reach
the simulated platform on 127.0.0.1.
"""
from __future__ import annotations

import re
import time

import pytest
from django.core.files.base import ContentFile

from grader.authoring.services import load_folder
from grader.lti.models import Passback
from grader.submissions import regrades
from grader.submissions.grades import update_grade
from grader.submissions.models import Grade, RegradeBatch, Submission
from tests.grader.authoring.bundles import CORRECT, function, manifest, write_bundle

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]

STUDENTS = 50
# relu wrong (np.minimum): relu's points lost; leaky_relu ignoring its slope: leaky_relu's points lost.
RELU_WRONG = CORRECT.replace(b"np.maximum(Z, 0)", b"np.minimum(Z, 0)")
LEAKY_WRONG = CORRECT.replace(b"np.maximum(Z, slope * Z)", b"np.where(Z > 0, Z, 0.01 * Z)")


def until(condition, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no {what} within {timeout_s} s")


def points(relu: float, leaky_relu: float, **keys) -> str:
    """assignment.toml of the activations bundle with relu's and leaky_relu's points set."""
    return manifest(functions=[
        function("relu", relu, [{"array": [[-1.0, 0.0, 2.0]]}], "cases.py:wide"),
        function("leaky_relu", leaky_relu, [{"array": [[-1.0, 0.5]]}, 0.1], "cases.py:slope")], **keys)


def test_launch_upload_grade_and_the_score_reaches_the_platform(celery_worker_process, registered, browser,
                                                                 platform, assignment):
    visit = browser()
    page = visit.launch(sub="learner-7")
    assert page.status_code == 200 and page.url.endswith(assignment.get_absolute_url())
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    uploaded = visit.session.post(
        visit.tool + f"/courses/{assignment.course.slug}/{assignment.slug}/submit",
        data={"csrfmiddlewaretoken": token}, files={"file": ("activations.py", CORRECT, "text/x-python")},
        headers={"Referer": page.url}, timeout=30)
    assert uploaded.status_code == 200, uploaded.text[-2000:]
    submission = Submission.objects.get()
    assert uploaded.url.endswith(submission.get_absolute_url())
    assert submission.user == Passback.objects.get(lti_user_id="learner-7").user

    until(lambda: Submission.objects.filter(pk=submission.pk, status__in=["graded", "failed"]).exists(), 120,
          "graded submission")
    submission.refresh_from_db()
    assert submission.status == "graded", submission.error_message
    grade = Grade.objects.get(user=submission.user, assignment=assignment)
    assert grade.score == submission.score == 3.0
    until(lambda: [s for s in platform.scores if s.get("gradingProgress") == "FullyGraded"], 60, "score at the LMS")
    time.sleep(1)  # a duplicate post would arrive now
    final = [s for s in platform.scores if s.get("gradingProgress") == "FullyGraded"]
    assert len(final) == 1
    assert final[0]["userId"] == "learner-7"
    assert final[0]["scoreGiven"] == grade.score and final[0]["scoreMaximum"] == assignment.max_score == 3.0
    assert final[0]["activityProgress"] == "Completed"
    assert final[0]["lineitem"] == platform.lineitems[0]["id"] and len(platform.lineitems) == 1
    assert len(platform.token_requests) == 1
    assert Passback.objects.get(lti_user_id="learner-7").status == "sent"


@pytest.fixture
def launched(celery_worker_process, registered, browser, assignment):
    """STUDENTS learners launched through the platform, each with a graded upload on v1 (stored, not re-graded):
    even ones lose relu (score 2 of 3), odd ones leaky_relu (1 of 3)."""
    version = assignment.current_version
    users = []
    for number in range(STUDENTS):
        assert browser().launch(sub=f"learner-{number}").status_code == 200
        user = Passback.objects.get(lti_user_id=f"learner-{number}").user
        wrong = number % 2 == 0
        row = Submission(user=user, assignment=assignment, version=version, original_name="activations.py",
                         size_bytes=len(CORRECT), status=Submission.Status.GRADED, score=2.0 if wrong else 1.0,
                         max_score=assignment.max_score)
        row.file.save("activations.py", ContentFile(RELU_WRONG if wrong else LEAKY_WRONG), save=False)
        row.save()
        update_grade(user, assignment)
        users.append(user)
    return users


def regrade_on(version) -> RegradeBatch:
    batch = regrades.start(version, RegradeBatch.Kind.REGRADE)
    until(lambda: RegradeBatch.objects.filter(pk=batch.pk, finished_at__isnull=False).exists(), 300, "finished batch")
    return batch


def test_a_bulk_regrade_posts_one_score_per_student_with_one_token(launched, platform, assignment, tmp_path):
    course = assignment.course
    until(lambda: Passback.objects.filter(status="sent").count() == STUDENTS, 120, "first scores at the LMS")
    assert sorted(s["scoreGiven"] for s in platform.scores) == [1.0] * (STUDENTS // 2) + [2.0] * (STUDENTS // 2)
    platform.scores.clear()

    # v2 moves a point from leaky_relu to relu: every learner's score changes (2 -> 1 and 1 -> 2), the maximum not.
    v2 = load_folder(course, write_bundle(tmp_path / "v2", **{"assignment.toml": points(2, 1)}), contract=False).version
    started = time.monotonic()
    batch = regrade_on(v2)
    graded_s = time.monotonic() - started
    assert regrades.progress(batch)["done"] == regrades.progress(batch)["changed"] == STUDENTS
    until(lambda: len(platform.scores) >= STUDENTS, 120, "regraded scores at the LMS")
    posted_s = time.monotonic() - started
    time.sleep(2)  # a duplicate post would arrive now
    print(f"\n{STUDENTS} regrades graded in {graded_s:.1f} s, their scores posted by {posted_s:.1f} s")
    assert sorted(s["userId"] for s in platform.scores) == sorted(f"learner-{n}" for n in range(STUDENTS))
    expected = {f"learner-{n}": (1.0 if n % 2 == 0 else 2.0) for n in range(STUDENTS)}
    assert {s["userId"]: s["scoreGiven"] for s in platform.scores} == expected
    stored = {row.lti_user_id: Grade.objects.get(user=row.user, assignment=assignment).score
              for row in Passback.objects.all()}
    assert stored == expected
    assert all(s["scoreMaximum"] == 3.0 and s["gradingProgress"] == "FullyGraded" for s in platform.scores)
    assert len(platform.token_requests) == 1
    assert len(platform.lineitems) == 1

    # v3 only renames the assignment: a regrade on it changes no score, so nothing is posted.
    platform.scores.clear()
    v3 = load_folder(course, write_bundle(tmp_path / "v3", **{"assignment.toml": points(2, 1, title="Activations")}),
                     contract=False).version
    batch = regrade_on(v3)
    assert regrades.progress(batch)["done"] == STUDENTS and regrades.progress(batch)["changed"] == 0
    time.sleep(3)  # passback tasks the regrade might have queued would have run by now
    assert platform.scores == []
    assert len(platform.token_requests) == 1 and len(platform.lineitems) == 1
