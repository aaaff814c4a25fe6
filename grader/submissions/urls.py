from django.urls import path

from grader.submissions import views

app_name = "submissions"
urlpatterns = [
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/file", views.download, name="file"),
    path("<int:pk>/feedback", views.feedback_fragment, name="feedback"),
    path("<int:pk>/status", views.status, name="status"),
    path("<int:pk>/plots/<int:result_id>/<str:which>.png", views.plot, name="plot"),
]
