"""The consultation report: generated as a draft by the analysis task, answered and
published by the ministry. Served as HTML, PDF (WeasyPrint) and open data (CSV, JSON)."""

from __future__ import annotations

import json

from django.db import models
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

from analysis.charts import STANCE_COLOURS, stacked_bar
from analysis.exports import csv_chunks
from analysis.selectors import OPEN_DATA_FIELDS, open_data_rows
from cms.wayfinding import ReaderLanguageUrls

MAX_MEMBER_LINKS = 1000  # per theme on the HTML page; the open data lists every one


class ReportPage(ReaderLanguageUrls, RoutablePageMixin, Page):
    """What people said, how it was analysed, and what the ministry did about it."""

    run = models.ForeignKey(
        "analysis.AnalysisRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="report_pages",
        verbose_name=_("analysis run"),
    )
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        InlinePanel("responses", heading=_("Ministry responses per theme"), label=_("Response")),
    ]
    parent_page_types = ["cms.ConsultationPage"]
    subpage_types: list[str] = []
    template = "cms/report_page.html"

    class Meta:
        verbose_name = _("consultation report")

    # --- context --------------------------------------------------------------------------
    def report_context(self) -> dict:
        run = self.run
        consultation = self.get_parent().specific
        if run is None:
            return {"consultation": consultation, "run": None}
        results = run.results or {}
        responses = {
            r.theme_id: r for r in self.responses.select_related("changed_clause__version")
        }
        base_url = consultation.url or ""
        themes = []
        for theme in run.themes.all():
            member_ids = list(
                theme.members.order_by("submission_id").values_list("submission_id", flat=True)[
                    :MAX_MEMBER_LINKS
                ]
            )
            themes.append(
                {
                    "theme": theme,
                    "response": responses.get(theme.pk),
                    "member_links": [(sid, f"{base_url}#c{sid}") for sid in member_ids],
                    "more_members": max(0, theme.size - len(member_ids)),
                }
            )
        clauses = []
        for figures in results.get("clauses", []):
            label = figures["clause"] or str(_("whole draft"))
            groups = figures["by_stakeholder"]
            clauses.append(
                {
                    "figures": figures,
                    "label": label,
                    "chart": stacked_bar(
                        str(_("Stances on %(clause)s by stakeholder group")) % {"clause": label},
                        [(g, counts) for g, counts in groups.items()],
                    ),
                    "stances": list(STANCE_COLOURS),
                }
            )
        overall = [(f["label"], f["figures"]["by_stance"]) for f in clauses]
        return {
            "consultation": consultation,
            "run": run,
            "method": results.get("method", {}),
            "moderation": results.get("moderation", {}),
            "themes": themes,
            "clauses": clauses,
            "overall_chart": stacked_bar(str(_("Stances by clause")), overall),
            "overall": overall,
            "stances": list(STANCE_COLOURS),
            "campaigns": run.campaigns.all(),
        }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(self.report_context())
        base = self.get_url(request) or ""
        for name, route in (("pdf_url", "pdf"), ("csv_url", "csv"), ("json_url", "json")):
            context[name] = base + self.reverse_subpage(route)
        return context

    # --- formats ----------------------------------------------------------------------------
    @path("")
    def html(self, request):
        return self.render(request)

    @path("pdf/", name="pdf")
    def pdf(self, request):
        from weasyprint import HTML

        context = self.report_context() | {"page": self, "for_pdf": True}
        html = render_to_string("cms/report_page_pdf.html", context, request=request)
        pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{self.slug}.pdf"'
        return response

    @path("open-data/csv/", name="csv")
    def open_data_csv(self, request):
        rows = open_data_rows(self.run) if self.run else []
        response = StreamingHttpResponse(
            csv_chunks(OPEN_DATA_FIELDS, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{self.slug}-submissions.csv"'
        return response

    @path("open-data/json/", name="json")
    def open_data_json(self, request):
        run = self.run
        data = {
            "consultation": self.get_parent().title,
            "figures": run.results if run else {},
            "themes": [
                {
                    "number": t.number,
                    "label": t.label,
                    "terms": t.terms,
                    "size": t.size,
                    "quotes": t.quotes,
                    "response": next(
                        (
                            {"outcome": r.outcome, "reason": r.reason}
                            for r in self.responses.all()
                            if r.theme_id == t.pk
                        ),
                        None,
                    ),
                }
                for t in (run.themes.all() if run else [])
            ],
            "campaigns": [
                {
                    "number": c.number,
                    "size": c.size,
                    "representative": c.representative_id,
                    "text": c.representative_text,
                }
                for c in (run.campaigns.all() if run else [])
            ],
            "submissions": list(open_data_rows(run)) if run else [],
        }
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False}, encoder=_Encoder)


class _Encoder(json.JSONEncoder):
    def default(self, o):
        return str(o)
