"""The site's URLs plus one view that fails, to see the 500 page as a student would."""
from django.urls import include, path

from grader.urls import handler404, handler500  # noqa: F401  (the handlers this urlconf uses)


def boom(request):
    raise RuntimeError("a bug of ours")


urlpatterns = [path("boom/", boom), path("", include("grader.urls"))]
