"""/api/v1/: the public read-only API, its OpenAPI schema and its documentation."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

# Swagger UI's page carries one <style> block: styles (never scripts) may be inline on this
# page only. Its script is a separate file (the split view), so script-src stays 'self'.
docs = csp_update({"style-src": [UNSAFE_INLINE]})(
    SpectacularSwaggerSplitView.as_view(url_name="api:schema")
)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs, name="docs"),
    path("consultations/", views.ConsultationList.as_view(), name="consultation-list"),
    path(
        "consultations/<slug:slug>/", views.ConsultationDetail.as_view(), name="consultation-detail"
    ),
    path("consultations/<slug:slug>/versions/", views.VersionList.as_view(), name="version-list"),
    path(
        "consultations/<slug:slug>/versions/<int:number>/",
        views.VersionDetail.as_view(),
        name="version-detail",
    ),
    path("consultations/<slug:slug>/redline/", views.Redline.as_view(), name="redline"),
    path("consultations/<slug:slug>/themes/", views.ThemeList.as_view(), name="theme-list"),
    path("consultations/<slug:slug>/points/", views.PointList.as_view(), name="point-list"),
    path("consultations/<slug:slug>/report/", views.Report.as_view(), name="report"),
    path("consultations/<slug:slug>/town-halls/", views.TownHallList.as_view(), name="town-halls"),
    path(
        "consultations/<slug:slug>/transparency/",
        views.Transparency.as_view(),
        name="transparency",
    ),
    path("consultations/<slug:slug>/record/", views.Record.as_view(), name="record"),
    path("consultations/<slug:slug>/bulk/", views.BulkList.as_view(), name="bulk-list"),
    path(
        "consultations/<slug:slug>/bulk/<slug:file_format>/",
        views.BulkFile.as_view(),
        name="bulk-file",
    ),
    path("submissions/", views.SubmissionList.as_view(), name="submission-list"),
    path("submissions/<int:pk>/", views.SubmissionDetail.as_view(), name="submission-detail"),
    path(
        "submissions/<int:pk>/annotation/",
        views.SubmissionAnnotation.as_view(),
        name="submission-annotation",
    ),
    path("annotations/", views.AnnotationList.as_view(), name="annotation-list"),
    re_path(r"", views.not_found),  # anything else under /api/v1/: a JSON 404, not a page
]
