"""Admin seams: an "Import clauses" button on consultation pages, the moderators' list of
comments that a new draft version left orphaned, and analysis: a "Run analysis" button on
each consultation, a page with its progress and history of runs (runs are made only by the
service, never by a model form)."""

from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from analysis.services import RUN_PERMISSION
from consult.accounts import ensure_sign_in_address
from consult.roles import is_moderator

from . import analysis_views, views
from .models import ConsultationPage
from .process_record import StakeholderMeeting


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("consultations/<int:page_id>/import/", views.import_clauses, name="cms_import"),
        path("consultations/orphans/", views.orphan_review, name="cms_orphans"),
        path("analysis/", analysis_views.consultations, name="analysis_consultations"),
        path("analysis/<int:page_id>/", analysis_views.runs, name="analysis_runs"),
        path("analysis/<int:page_id>/run/", analysis_views.start, name="analysis_start"),
        path(
            "analysis/runs/<int:run_id>/themes/",
            analysis_views.themes,
            name="analysis_themes",
        ),
        path(
            "analysis/runs/<int:run_id>/progress/",
            analysis_views.progress,
            name="analysis_progress",
        ),
    ]


def _import_button(page, user):
    if (
        isinstance(page.specific_deferred, ConsultationPage)
        or page.specific_class is ConsultationPage
    ) and page.permissions_for_user(user).can_edit():
        yield Button(
            _("Import clauses"),
            reverse("cms_import", args=[page.pk]),
            icon_name="doc-full",
            priority=60,
        )


@hooks.register("register_page_header_buttons")
def page_header_import_button(page, user, next_url=None, view_name=None):
    yield from _import_button(page, user)


@hooks.register("register_page_listing_buttons")
def page_listing_import_button(page, user, next_url=None):
    yield from _import_button(page, user)


class ModeratorMenuItem(MenuItem):
    def is_shown(self, request):
        return is_moderator(request.user)


@hooks.register("register_admin_menu_item")
def orphans_menu_item():
    return ModeratorMenuItem(
        _("Orphaned comments"), reverse("cms_orphans"), icon_name="warning", order=900
    )


class StakeholderMeetingViewSet(SnippetViewSet):
    """The ministry's meetings with stakeholders: public in each consultation's record."""

    model = StakeholderMeeting
    icon = "group"
    menu_label = _("Meetings with stakeholders")
    add_to_admin_menu = True
    list_display = ["held_at", "who", "topic", "consultation"]


register_snippet(StakeholderMeetingViewSet)


def _run_button(page, user):
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


@hooks.register("insert_editor_js")
def editor_minimap_keyboard_access():
    """The editor's minimap list made reachable by keyboard (js/admin-minimap.js)."""
    return format_html('<script src="{}" defer></script>', static("js/admin-minimap.js"))


@hooks.register("after_create_user")
@hooks.register("after_edit_user")
def record_the_sign_in_address(request, user):
    """Staff sign in with an e-mail code: the address typed here is the one they use."""
    ensure_sign_in_address(user)
