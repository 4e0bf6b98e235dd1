"""The consultation report: generated as a draft by the analysis task, answered and
published by the ministry. Served as HTML, PDF (WeasyPrint) and open data (CSV, JSON)."""

from __future__ import annotations

import json

from django.db import models
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page, PageLogEntry

from analysis.charts import STANCE_COLOURS, stacked_bar
from analysis.exports import csv_chunks
from analysis.selectors import (
    CHANGE_FIELDS,
    OPEN_DATA_FIELDS,
    POINT_FIELDS,
    POLL_FIELDS,
    TOWN_HALL_QUESTION_FIELDS,
    clause_change_json,
    clause_change_rows,
    clause_changes,
    open_data_rows,
    point_counts,
    point_rows,
    poll_results,
    town_hall_questions,
)
from cms.process_record import process_timeline
from cms.wayfinding import ReaderLanguageUrls
from text.public_fields import refuse_personal_data

PROCESS_FIELDS = ["at", "kind", "text", "url"]
MAX_MEMBER_LINKS = 1000  # per theme on the HTML page; the open data lists every one


class ReportPageForm(WagtailAdminPageForm):
    """The ministry's responses choose among this run's themes only, and among the clauses
    of the newest draft version (each clause once), plus whatever a response already holds."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        formset = self.formsets.get("responses")
        if formset is None:
            return
        from analysis.models import Theme, ThemeResponse

        page = self.instance
        consultation = self.parent_page or (page.get_parent() if page.pk else None)
        chosen_themes, chosen_clauses = set(), set()
        for form in formset.forms:
            chosen_themes.add(form.initial.get("theme"))
            chosen_clauses.add(form.initial.get("changed_clause"))
        themes = Theme.objects.filter(run_id=page.run_id) if page.run_id else Theme.objects.none()
        clause_model = ThemeResponse._meta.get_field("changed_clause").related_model
        version = consultation.specific.current_version() if consultation else None
        clauses = clause_model.objects.filter(
            Q(version=version) | Q(pk__in=chosen_clauses - {None})
        ).select_related("version")

        def limit(form):
            form.fields["theme"].queryset = themes
            form.fields["changed_clause"].queryset = clauses

        for form in formset.forms:
            limit(form)

        class LimitedForm(formset.form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                limit(self)

        formset.form = LimitedForm


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
    base_form_class = ReportPageForm

    class Meta:
        verbose_name = _("consultation report")

    def clean(self):
        super().clean()
        refuse_personal_data(self, ("title", "intro"))  # public, as written (text.public_fields)

    # --- context --------------------------------------------------------------------------
    def report_context(self) -> dict:
        from analysis import report_text as words
        from analysis.workspace import analyst_changes
        from consult.permalinks import submission_url_prefix

        run = self.run
        consultation = self.get_parent().specific
        if run is None:
            return {"consultation": consultation, "run": None}
        results = run.results or {}
        points = point_counts(run)
        response_list = list(self.responses.select_related("changed_clause__version"))
        responses = {r.theme_id: r for r in response_list}
        permalink = submission_url_prefix(consultation.slug)
        themes = []
        for theme in run.themes.all():
            member_ids = list(
                theme.members.order_by("submission_id").values_list("submission_id", flat=True)[
                    :MAX_MEMBER_LINKS
                ]
            )
            quotes = [
                q
                | {
                    "url": f"{permalink}{q['id']}/",
                    "stakeholder_label": words.stakeholder_label(q.get("stakeholder")),
                }
                for q in theme.quotes
            ]
            themes.append(
                {
                    "theme": theme,
                    "quotes": quotes,
                    "stakeholders": [
                        (words.stakeholder_label(g), n) for g, n in theme.stakeholders.items()
                    ],
                    "response": responses.get(theme.pk),
                    "points": points["by_theme"].get(theme.pk, 0),
                    "member_links": [(sid, f"{permalink}{sid}/") for sid in member_ids],
                    "more_members": max(0, theme.size - len(member_ids)),
                }
            )
        stance_labels = {s: words.stance_label(s) for s in STANCE_COLOURS}
        version = consultation.current_version()
        clause_names = {c.key: c for c in version.clauses.all()} if version else {}
        clauses = []
        for figures in results.get("clauses", []):
            clause = clause_names.get(figures["clause"])
            if not figures["clause"]:
                label = str(_("Whole draft"))
            elif clause is not None:
                label = str(_("Clause %(number)s")) % {"number": clause.identifier}
            else:
                label = figures["clause"]
            groups = [
                (words.stakeholder_label(g), counts)
                for g, counts in figures["by_stakeholder"].items()
            ]
            clauses.append(
                {
                    "figures": figures,
                    "label": label,
                    "heading": clause.heading if clause else "",
                    "url": f"{consultation.url}?clause={figures['clause']}"
                    if clause
                    else consultation.url,
                    "verdict": words.verdict_label(figures["verdict"]),
                    "points": points["by_clause"].get(figures["clause"] or "", 0),
                    "consensus": words.consensus_sentence(figures),
                    "groups": groups,
                    "chart": stacked_bar(
                        str(_("Stances on %(clause)s by stakeholder group")) % {"clause": label},
                        groups,
                        labels=stance_labels,
                    ),
                }
            )
        overall = [(f["label"], f["figures"]["by_stance"]) for f in clauses]
        method = results.get("method", {})
        return {
            "consultation": consultation,
            "run": run,
            "method": method,
            "method_counts": words.count_rows(method.get("counts", {})),
            "method_timings": words.timing_sentence(method.get("timings", {})),
            "analyst_changes": words.analyst_changes_sentence(analyst_changes(run)),
            "moderation": results.get("moderation", {}),
            "themes": [item for item in themes if not item["theme"].out_of_scope],
            "out_of_scope": [item for item in themes if item["theme"].out_of_scope],
            "clauses": clauses,
            "overall_chart": stacked_bar(
                str(_("Stances by clause")), overall, labels=stance_labels
            ),
            "overall": overall,
            "stances": list(stance_labels.items()),
            "campaigns": run.campaigns.all(),
            "permalink_prefix": permalink,
            "changes": clause_changes(consultation, run, response_list),
            "points": points,
        }

    def published_versions(self) -> list[dict]:
        """Every published state of this report, newest first: a revision each, citable at
        its own address."""
        base = self.url or ""
        rows = (
            PageLogEntry.objects.filter(page=self, action="wagtail.publish")
            .exclude(revision=None)
            .order_by("-timestamp", "-pk")
            .values_list("revision_id", "timestamp")
        )
        seen, versions = set(), []
        for revision_id, timestamp in rows:
            if revision_id not in seen:
                seen.add(revision_id)
                url = base + self.reverse_subpage("version", args=[revision_id])
                versions.append({"revision_id": revision_id, "published_at": timestamp, "url": url})
        return versions

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(self.report_context())
        base = self.get_url(request) or ""
        for name, route in (
            ("pdf_url", "pdf"),
            ("csv_url", "csv"),
            ("json_url", "json"),
            ("process_csv_url", "process_csv"),
            ("questions_csv_url", "questions_csv"),
            ("polls_csv_url", "polls_csv"),
            ("changes_csv_url", "changes_csv"),
            ("points_csv_url", "points_csv"),
        ):
            context[name] = base + self.reverse_subpage(route)
        context["published_versions"] = self.published_versions() if self.live else []
        return context

    # --- formats ----------------------------------------------------------------------------
    @path("")
    def html(self, request):
        return self.render(request)

    @path("versions/<int:revision_id>/", name="version")
    def version(self, request, revision_id: int):
        """The report exactly as it was published in one revision."""
        versions = {v["revision_id"]: v for v in self.published_versions()}
        if revision_id not in versions:
            raise Http404
        old = self.revisions.get(pk=revision_id).as_object()
        context = old.get_context(request)
        context["cited_version"] = versions[revision_id]
        context["current_url"] = self.url
        return TemplateResponse(request, self.template, context)

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

    @path("open-data/process-record/csv/", name="process_csv")
    def process_record_csv(self, request):
        events = process_timeline(self.get_parent().specific)
        rows = ({k: e[k] for k in PROCESS_FIELDS} for e in events)
        response = StreamingHttpResponse(
            csv_chunks(PROCESS_FIELDS, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{self.slug}-process.csv"'
        return response

    @path("open-data/town-hall-questions/csv/", name="questions_csv")
    def town_hall_questions_csv(self, request):
        return self._csv(
            TOWN_HALL_QUESTION_FIELDS, town_hall_questions(self.get_parent()), "questions"
        )

    @path("open-data/polls/csv/", name="polls_csv")
    def polls_csv(self, request):
        return self._csv(POLL_FIELDS, poll_results(self.get_parent()), "polls")

    @path("open-data/clause-changes/csv/", name="changes_csv")
    def clause_changes_csv(self, request):
        return self._csv(CHANGE_FIELDS, clause_change_rows(self._changes()), "clause-changes")

    @path("open-data/points/csv/", name="points_csv")
    def points_csv(self, request):
        return self._csv(POINT_FIELDS, point_rows(self.run) if self.run else [], "points")

    def _changes(self) -> list[dict]:
        return clause_changes(
            self.get_parent().specific,
            self.run,
            self.responses.select_related("changed_clause"),
        )

    def _csv(self, fields, rows, name):
        response = StreamingHttpResponse(
            csv_chunks(fields, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{self.slug}-{name}.csv"'
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
            "town_hall_questions": list(town_hall_questions(self.get_parent())),
            "poll_results": list(poll_results(self.get_parent())),
            "clause_changes": clause_change_json(self._changes()),
            "points": list(point_rows(run)) if run else [],
            "process_record": [
                {k: v for k, v in e.items() if k != "date"}
                for e in process_timeline(self.get_parent().specific)
            ],
        }
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False}, encoder=_Encoder)


class _Encoder(json.JSONEncoder):
    def default(self, o):
        return str(o)
