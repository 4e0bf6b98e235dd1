"""Public participation URLs (language-prefixed for Urdu: /ur/...)."""

from django.urls import include, path

from consult import facilitation, permalinks, views

app_name = "consult"

urlpatterns = [
    path("consultations/<int:page_id>/comment/", views.post_comment, name="comment"),
    path("<slug:slug>/pack.pdf", facilitation.consultation_pack, name="pack"),
    path("<slug:slug>/facilitate/", facilitation.facilitate, name="facilitate"),
    path(
        "<slug:slug>/comments/<int:pk>/",
        permalinks.submission_permalink,
        name="submission",
    ),
    path("voice/", include("consult.voice.urls")),
]
