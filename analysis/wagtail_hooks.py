"""Analysis runs in the Wagtail admin: status and progress visible to the ministry."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from analysis.models import AnalysisRun


class AnalysisRunViewSet(SnippetViewSet):
    model = AnalysisRun
    icon = "cogs"
    menu_label = _("Analysis runs")
    add_to_admin_menu = True
    list_display = ["__str__", "status", "stage", "progress", "created_at", "finished_at"]
    list_filter = ["status"]


register_snippet(AnalysisRunViewSet)
