from django.urls import path

from consult.voice import views

app_name = "voice"

urlpatterns = [
    path("<slug:slug>/record/", views.record, name="record"),
    path("<slug:slug>/intake/", views.intake, name="intake"),
    path("note/<uuid:public_id>/", views.review, name="review"),
    path("note/<uuid:public_id>/status.json", views.status, name="status"),
    path("note/<uuid:public_id>/retry/", views.retry, name="retry"),
    path("note/<uuid:public_id>/audio", views.audio, name="audio"),
]
