"""The stored counting grade: best or latest, late penalty per started day, extensions, limits, regrades."""
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grader.courses.models import Assignment, Extension
from grader.submissions import services
from grader.submissions.grades import days_late, effective_due, update_grade, update_grades, upload_deadline
from grader.submissions.models import Grade, Submission
from tests.grader.submissions import grading_rows as rows

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture
def due():
    return (timezone.now() + 10 * DAY).replace(microsecond=0)


@pytest.fixture
def course():
    return rows.course()


@pytest.fixture
def student(course):
    return rows.person("ada", course)


def grade_of(user, assignment) -> Grade:
    return Grade.objects.get(user=user, assignment=assignment)


def test_best_counts_the_highest_score(course, student, due):
    adam = rows.assignment(course, due_at=due)
    rows.submitted(student, adam, 4, due - 3 * HOUR)
    best = rows.submitted(student, adam, 9, due - 2 * HOUR)
    rows.submitted(student, adam, 6, due - HOUR)
    grade = grade_of(student, adam)
    assert (grade.submission_id, grade.score, grade.raw_score, grade.late) == (best.pk, 9.0, 9.0, False)
    assert grade.submissions_count == 3 and grade.max_score == rows.MAX_SCORE


def test_latest_counts_the_last_graded_upload_even_when_lower(course, student, due):
    adam = rows.assignment(course, due_at=due, counting=Assignment.Counting.LATEST)
    rows.submitted(student, adam, 9, due - 2 * HOUR)
    last = rows.submitted(student, adam, 3, due - HOUR)
    assert (grade_of(student, adam).submission_id, grade_of(student, adam).score) == (last.pk, 3.0)


def test_latest_still_being_graded_leaves_the_previous_result_counting(course, student, due):
    adam = rows.assignment(course, due_at=due, counting=Assignment.Counting.LATEST)
    first = rows.submitted(student, adam, 9, due - 2 * HOUR)
    rows.upload(student, adam, due - HOUR)
    grade = grade_of(student, adam)
    assert (grade.submission_id, grade.score, grade.submissions_count) == (first.pk, 9.0, 2)


def test_a_rejected_upload_never_replaces_the_score_that_counts(course, student, due):
    adam = rows.assignment(course, due_at=due, counting=Assignment.Counting.LATEST)
    first = rows.submitted(student, adam, 9, due - 2 * HOUR)
    empty = rows.rejected(rows.upload(student, adam, due - HOUR, content=b"", name="empty.ipynb"))
    grade = grade_of(student, adam)
    assert empty.status == Submission.Status.REJECTED and empty.score is None
    assert (grade.submission_id, grade.score, grade.submissions_count) == (first.pk, 9.0, 1)


def test_a_tie_under_best_goes_to_the_later_upload(course, student, due):
    adam = rows.assignment(course, due_at=due)
    rows.submitted(student, adam, 7, due - 2 * HOUR)
    later = rows.submitted(student, adam, 7, due - HOUR)
    rows.submitted(student, adam, 5, due - HOUR / 2)
    assert grade_of(student, adam).submission_id == later.pk


def test_days_late_counts_started_days(due):
    assert days_late(due - HOUR, due) == 0
    assert days_late(due, due) == 0
    assert days_late(due + timedelta(seconds=1), due) == 1
    assert days_late(due + DAY, due) == 1
    assert days_late(due + DAY + timedelta(seconds=1), due) == 2
    assert days_late(due + 10 * DAY, None) == 0


def test_the_penalty_takes_its_percent_off_per_started_day(course, student, due):
    adam = rows.assignment(course, due_at=due, late_policy=Assignment.LatePolicy.PENALTY, late_penalty_percent=10)
    rows.submitted(student, adam, 10, due + DAY + HOUR)
    grade = grade_of(student, adam)
    assert (grade.score, grade.raw_score, grade.late, grade.days_late, grade.penalty_percent) == (
        8.0, 10.0, True, 2, 20.0)


def test_the_penalty_never_takes_the_score_below_zero(course, student, due):
    adam = rows.assignment(course, due_at=due, late_policy=Assignment.LatePolicy.PENALTY, late_penalty_percent=30)
    rows.submitted(student, adam, 10, due + 4 * DAY + HOUR)
    grade = grade_of(student, adam)
    assert (grade.score, grade.penalty_percent, grade.days_late) == (0.0, 100.0, 5)


def test_best_compares_scores_after_the_penalty(course, student, due):
    adam = rows.assignment(course, due_at=due, late_policy=Assignment.LatePolicy.PENALTY, late_penalty_percent=50)
    on_time = rows.submitted(student, adam, 7, due - HOUR)
    rows.submitted(student, adam, 10, due + HOUR)  # 5 after the penalty
    grade = grade_of(student, adam)
    assert (grade.submission_id, grade.score, grade.late) == (on_time.pk, 7.0, False)


def test_accepted_late_work_is_flagged_without_a_penalty(course, student, due):
    adam = rows.assignment(course, due_at=due, late_policy=Assignment.LatePolicy.ACCEPT, late_penalty_percent=50)
    rows.submitted(student, adam, 10, due + 2 * DAY)
    grade = grade_of(student, adam)
    assert (grade.score, grade.late, grade.days_late, grade.penalty_percent) == (10.0, True, 2, 0.0)


def test_an_extension_moves_the_due_date_and_update_grade_applies_it(course, student, due):
    teacher = rows.person("tess", course, role="staff")
    adam = rows.assignment(course, due_at=due, late_policy=Assignment.LatePolicy.PENALTY, late_penalty_percent=25)
    rows.submitted(student, adam, 10, due + 2 * DAY)
    assert grade_of(student, adam).score == 5.0
    extension = Extension.objects.create(user=student, assignment=adam, due_at=due + 3 * DAY, granted_by=teacher)
    assert effective_due(adam, student) == due + 3 * DAY
    grade = update_grade(student, adam)
    assert (grade.score, grade.late, grade.days_late, grade.penalty_percent) == (10.0, False, 0, 0.0)
    extension.delete()
    assert update_grade(student, adam).score == 5.0


def test_an_extension_dated_before_the_due_date_gives_no_less_time(course, student, due):
    adam = rows.assignment(course, due_at=due, late_policy=Assignment.LatePolicy.PENALTY, late_penalty_percent=25)
    Extension.objects.create(user=student, assignment=adam, due_at=due - 2 * DAY)
    rows.submitted(student, adam, 10, due - DAY)
    assert effective_due(adam, student) == due
    assert grade_of(student, adam).late is False


def test_uploads_past_the_hard_deadline_are_refused(course, student):
    now = timezone.now()
    adam = rows.assignment(course, due_at=now - 2 * DAY, hard_deadline=now - DAY,
                           late_policy=Assignment.LatePolicy.REFUSE)
    with pytest.raises(ValueError, match="deadline"):
        rows.upload(student, adam)
    assert not Submission.objects.filter(user=student).exists()


def test_without_a_hard_deadline_refuse_closes_at_the_due_date(course, student):
    now = timezone.now()
    adam = rows.assignment(course, due_at=now - HOUR, late_policy=Assignment.LatePolicy.REFUSE)
    assert upload_deadline(adam, student) == now - HOUR
    with pytest.raises(ValueError):
        rows.upload(student, adam)


def test_an_extension_moves_the_hard_deadline_by_as_much_as_the_due_date(course, student):
    now = timezone.now()
    adam = rows.assignment(course, due_at=now - 3 * DAY, hard_deadline=now - DAY,
                           late_policy=Assignment.LatePolicy.REFUSE)
    Extension.objects.create(user=student, assignment=adam, due_at=now - DAY)  # two days more
    assert upload_deadline(adam, student) == now + DAY
    row = rows.graded(rows.upload(student, adam), 6)
    grade = grade_of(student, adam)
    # one day and a bit after the extended due date
    assert (grade.submission_id, grade.score, grade.late, grade.days_late) == (row.pk, 6.0, True, 2)


def test_only_the_refuse_policy_has_an_upload_deadline(course, student):
    now = timezone.now()
    adam = rows.assignment(course, due_at=now - 3 * DAY, hard_deadline=now - DAY,
                           late_policy=Assignment.LatePolicy.PENALTY, late_penalty_percent=10)
    assert upload_deadline(adam, student) is None
    rows.upload(student, adam)


def test_the_upload_limit_leaves_out_failed_gradings_and_regrades(course, student, due):
    adam = rows.assignment(course, due_at=due, max_submissions=2)
    rows.failed(rows.upload(student, adam))
    first = rows.submitted(student, adam, 5)
    rows.graded(services.regrade(first), 6)
    rows.upload(student, adam)
    with pytest.raises(ValueError, match="all 2 uploads"):
        rows.upload(student, adam)
    assert grade_of(student, adam).submissions_count == 2


def test_an_upload_through_the_form_counts_at_once(client, course, student, due, django_capture_on_commit_callbacks,
                                                  monkeypatch):
    from grader.submissions import tasks

    monkeypatch.setattr(tasks.grade_submission, "apply_async", lambda args, queue: None)
    adam = rows.assignment(course, due_at=due, max_submissions=2)
    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/courses/{course.slug}/{adam.slug}/submit",
                               {"file": SimpleUploadedFile("a.py", b"x = 2\n")})
    row = Submission.objects.get(user=student)
    assert response.status_code == 302 and response["Location"] == row.get_absolute_url()
    grade = grade_of(student, adam)
    assert (grade.submissions_count, grade.score, grade.submission_id) == (1, None, None)


def test_the_upload_form_shows_the_refusal_instead_of_failing(client, course, student, due):
    adam = rows.assignment(course, due_at=due, max_submissions=1)
    rows.upload(student, adam)
    client.force_login(student)
    response = client.post(f"/courses/{course.slug}/{adam.slug}/submit",
                           {"file": SimpleUploadedFile("a.py", b"x = 2\n")})
    assert response.status_code == 303 and response["Location"].startswith(f"/courses/{course.slug}/{adam.slug}/?upload=")
    assert "all 1 uploads" in client.get(response["Location"]).content.decode()
    assert Submission.objects.filter(user=student).count() == 1


def test_a_regrade_keeps_the_old_result_counting_until_it_is_graded(course, student, due):
    adam = rows.assignment(course, due_at=due, late_policy=Assignment.LatePolicy.PENALTY, late_penalty_percent=10)
    original = rows.submitted(student, adam, 4, due + HOUR)
    regrade = services.regrade(original)
    assert regrade.created_at == original.created_at and regrade.regrade_of_id == original.pk
    assert grade_of(student, adam).submission_id == original.pk
    rows.graded(regrade, 10)
    original.refresh_from_db()
    grade = grade_of(student, adam)
    assert original.superseded and not regrade.superseded
    assert (grade.submission_id, grade.score, grade.days_late, grade.submissions_count) == (regrade.pk, 9.0, 1, 1)


def test_a_superseded_result_never_counts_even_when_higher(course, student, due):
    adam = rows.assignment(course, due_at=due)
    original = rows.submitted(student, adam, 9, due - HOUR)
    regrade = rows.graded(services.regrade(original), 3)
    grade = grade_of(student, adam)
    assert (grade.submission_id, grade.score) == (regrade.pk, 3.0)


def test_regrades_finishing_out_of_order_leave_the_later_one_counting(course, student, due):
    adam = rows.assignment(course, due_at=due)
    original = rows.submitted(student, adam, 2, due - HOUR)
    older, newer = services.regrade(original), services.regrade(original)
    rows.graded(newer, 5)
    rows.graded(older, 9)
    older.refresh_from_db()
    assert older.superseded
    assert (grade_of(student, adam).submission_id, grade_of(student, adam).score) == (newer.pk, 5.0)


def test_failed_gradings_never_count(course, student, due):
    adam = rows.assignment(course, due_at=due)
    original = rows.submitted(student, adam, 6, due - HOUR)
    rows.failed(services.regrade(original))
    rows.failed(rows.upload(student, adam, due - HOUR / 2))
    original.refresh_from_db()
    grade = grade_of(student, adam)
    assert not original.superseded
    assert (grade.submission_id, grade.score, grade.submissions_count) == (original.pk, 6.0, 1)


def test_requeue_takes_back_only_failed_rows_and_counts_the_upload_again(
        course, student, due, django_capture_on_commit_callbacks, monkeypatch):
    from grader.submissions import tasks

    sent = []
    monkeypatch.setattr(tasks.grade_submission, "apply_async", lambda args, queue: sent.append((args, queue)))
    adam = rows.assignment(course, due_at=due)
    broken = rows.failed(rows.upload(student, adam))
    assert grade_of(student, adam).submissions_count == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue(broken)
    assert sent == [((broken.pk,), "interactive")]
    broken.refresh_from_db()
    assert broken.status == Submission.Status.QUEUED and broken.error_message == ""
    assert grade_of(student, adam).submissions_count == 1
    rows.graded(broken, 7)
    assert not services.requeue(broken)
    assert grade_of(student, adam).score == 7.0


def test_updated_at_moves_only_when_a_value_changes(course, student, due):
    adam = rows.assignment(course, due_at=due)
    rows.submitted(student, adam, 6, due - HOUR)
    before = grade_of(student, adam).updated_at
    update_grade(student, adam)
    update_grades(adam)
    assert grade_of(student, adam).updated_at == before
    rows.submitted(student, adam, 8, due - HOUR / 2)
    assert grade_of(student, adam).updated_at > before


def test_update_grades_applies_a_changed_counting_rule_to_every_student(course, student, due):
    other = rows.person("bob", course)
    adam = rows.assignment(course, due_at=due)
    for user in (student, other):
        rows.submitted(user, adam, 9, due - 2 * HOUR)
        rows.submitted(user, adam, 4, due - HOUR)
    Assignment.objects.filter(pk=adam.pk).update(counting=Assignment.Counting.LATEST)
    adam.refresh_from_db()
    assert update_grades(adam) == 2
    assert [g.score for g in Grade.objects.filter(assignment=adam)] == [4.0, 4.0]
