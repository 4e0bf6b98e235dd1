"""Admin panels of the consultation page's editor."""

from __future__ import annotations

from wagtail.admin.panels import Panel


class VersionProgressPanel(Panel):
    """Where editors publish: each recent draft version, and while its comments are moving
    onto it (a background task), how many of them have moved."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "cms/admin/version_progress_panel.html"

        def is_shown(self):
            return bool(self.instance and self.instance.pk)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["versions"] = list(self.instance.versions.order_by("-number")[:3])
            latest = context["versions"][0] if context["versions"] else None
            context["urdu_behind"] = (
                list(latest.clauses.filter(text_ur_behind=True).order_by("position"))
                if latest
                else []
            )
            return context
