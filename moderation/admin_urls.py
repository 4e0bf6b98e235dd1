"""Moderators' queue inside the Wagtail admin (/admin/moderation/...)."""

from django.urls import path

from moderation import views

app_name = "moderation_admin"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("submissions/", views.submissions, name="submissions"),
    path("submission/<int:pk>/", views.submission_detail, name="submission"),
    path("appeal/<int:pk>/", views.appeal_detail, name="appeal"),
]
