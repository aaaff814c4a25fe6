"""Template context every page gets: the courses whose staff pages the user may open."""
from grader.courses.models import Course, Enrollment


def staff_courses(request) -> dict:
    """`staff_courses`: the courses the logged-in user is staff of (by course role), for the header's links."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff_courses": []}
    courses = Course.objects.filter(enrollments__user=user, enrollments__role=Enrollment.Role.STAFF).distinct()
    return {"staff_courses": list(courses.order_by("title"))}
