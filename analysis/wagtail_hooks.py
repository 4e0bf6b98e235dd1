"""Analysis in the Wagtail admin: a "Run analysis" button on each consultation, a page
with its progress and history of runs. Runs are made only by the service, never by a
model form."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from analysis import admin_views
from analysis.services import RUN_PERMISSION


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("analysis/", admin_views.consultations, name="analysis_consultations"),
        path("analysis/<int:page_id>/", admin_views.runs, name="analysis_runs"),
        path("analysis/<int:page_id>/run/", admin_views.start, name="analysis_start"),
        path(
            "analysis/runs/<int:run_id>/progress/",
            admin_views.progress,
            name="analysis_progress",
        ),
    ]


def _run_button(page, user):
    from cms.models import ConsultationPage

    if page.specific_class is ConsultationPage and user.has_perm(RUN_PERMISSION):
        yield Button(
            _("Run analysis"),
            reverse("analysis_runs", args=[page.pk]),
            icon_name="cogs",
            priority=70,
        )


@hooks.register("register_page_header_buttons")
def page_header_run_button(page, user, next_url=None, view_name=None):
    yield from _run_button(page, user)


@hooks.register("register_page_listing_buttons")
def page_listing_run_button(page, user, next_url=None):
    yield from _run_button(page, user)


class AnalystMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(RUN_PERMISSION)


@hooks.register("register_admin_menu_item")
def analysis_menu_item():
    return AnalystMenuItem(
        _("Analysis"), reverse("analysis_consultations"), icon_name="cogs", order=910
    )
