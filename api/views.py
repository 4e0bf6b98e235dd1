"""The public API's views: thin reads over ``api.selectors`` and the project's selectors.

Every view answers GET (and HEAD, OPTIONS) only, carries an ETag (If-None-Match gives 304)
and, where it can be told, Last-Modified; errors are JSON in the asked language.
"""

from __future__ import annotations

import functools
from datetime import datetime

from django import forms
from django.db.models import Count, Max
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import generics, renderers, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from analysis.models import Point
from consult.models import Source, Stakeholder, Stance, Submission
from drafts.redline import redline

from . import bulk, conditional, selectors
from .pagination import IdCursorPagination, SmallCursorPagination
from .serializers import (
    AnnotationSerializer,
    BulkSerializer,
    ConsultationSerializer,
    PointSerializer,
    RecordEventSerializer,
    RedlineSerializer,
    ReportSerializer,
    SubmissionSerializer,
    ThemeSerializer,
    TownHallSerializer,
    TransparencySerializer,
    VersionDetailSerializer,
    VersionSerializer,
    absolute,
    annotation,
    page_url,
)

ANNOTATION_MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


class PublicView:
    """GET only, conditional (ETag, Last-Modified), ``Cache-Control: no-cache`` so caches
    revalidate (a removal must not linger in a shared cache)."""

    http_method_names = ["get", "head", "options"]

    @classmethod
    def as_view(cls, *args, **kwargs):
        return conditional.conditional_get(super().as_view(*args, **kwargs))

    def initial(self, request, *args, **kwargs):
        activate_asked_language(request)
        super().initial(request, *args, **kwargs)

    def consultation(self):
        """The public consultation named by the path's ``slug`` (404 otherwise), read once."""
        if not hasattr(self, "_consultation"):
            self._consultation = consultation_or_404(self.kwargs["slug"])
        return self._consultation

    def last_modified(self):
        """Not before the last change to what the answer shows (``api.conditional``);
        None (no header) when that cannot be told."""
        if "slug" in self.kwargs:
            return conditional.consultation_changed_at(self.consultation())
        return None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            conditional.set_last_modified(response, self.last_modified())
            response.setdefault("Cache-Control", "public, no-cache")
        return response


def activate_asked_language(request) -> None:
    """The API's paths carry no language prefix, so LocaleMiddleware keeps English there;
    messages follow the language cookie, else Accept-Language."""
    translation.activate(translation.get_language_from_request(request, check_path=False))


def not_found(request, *args, **kwargs):
    activate_asked_language(request)
    return JsonResponse({"detail": _("There is no such address in the API.")}, status=404)


def consultation_or_404(slug: str):
    return get_object_or_404(selectors.public_consultations(), slug=slug[:255])


# --- consultations, versions, clauses ---------------------------------------------------------


class ConsultationList(PublicView, generics.ListAPIView):
    """Every public consultation: state, dates and languages."""

    serializer_class = ConsultationSerializer
    pagination_class = SmallCursorPagination
    filter_backends: list = []

    def get_queryset(self):
        return selectors.public_consultations()

    def last_modified(self):
        pages = list(selectors.public_consultations())
        return conditional.latest(
            conditional.consultations_logged_at(),
            *(page.last_published_at for page in pages),
            *(conditional.period_changed_at(page) for page in pages),
        )


class ConsultationDetail(PublicView, generics.RetrieveAPIView):
    """One public consultation."""

    serializer_class = ConsultationSerializer
    lookup_field = "slug"
    filter_backends: list = []

    def get_queryset(self):
        return selectors.public_consultations()


class VersionList(PublicView, generics.ListAPIView):
    """The published draft versions of a consultation, oldest first."""

    serializer_class = VersionSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return selectors.versions(self.consultation()).annotate(clause_count=Count("clauses"))


class VersionDetail(PublicView, generics.RetrieveAPIView):
    """One draft version with its clauses (headings and text in English and Urdu)."""

    serializer_class = VersionDetailSerializer
    filter_backends: list = []

    def get_object(self):
        number = _int_or_404(self.kwargs["number"], 2**31)
        version = selectors.versions(self.consultation()).filter(number=number).first()
        if version is None:
            raise NotFound(_("This consultation has no version %(n)s.") % {"n": number})
        version.clause_list = list(version.clauses.order_by("position"))
        return version


def _clause_head(clause) -> dict:
    return {
        "identifier": clause.identifier,
        "heading": clause.heading,
        "heading_ur": clause.heading_ur,
    }


class RedlineQuery(serializers.Serializer):
    from_version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    to_version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class Redline(PublicView, APIView):
    """What changed between two versions, clause by clause and word by word."""

    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("from_version", int, required=True, description="Older number"),
            OpenApiParameter("to_version", int, required=True, description="Newer number"),
        ],
        responses=RedlineSerializer(many=True),
    )
    def get(self, request, slug):
        page = self.consultation()
        query = RedlineQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        by_number = {v.number: v for v in selectors.versions(page)}
        old = by_number.get(query.validated_data["from_version"])
        new = by_number.get(query.validated_data["to_version"])
        if old is None or new is None:
            raise NotFound(_("This consultation has no such version."))
        rows = redline(
            list(old.clauses.order_by("position")), list(new.clauses.order_by("position"))
        )
        data = [
            {
                "key": row.key,
                "status": row.status,
                "old": _clause_head(row.old) if row.old else None,
                "new": _clause_head(row.new) if row.new else None,
                "pieces": [{"kind": p.kind, "text": p.text} for p in row.pieces],
                "pieces_ur": [{"kind": p.kind, "text": p.text} for p in row.pieces_ur],
            }
            for row in rows
        ]
        return Response(RedlineSerializer(data, many=True).data)


# --- submissions and annotations ----------------------------------------------------------------


class _Given:
    """A query parameter's form field that, given empty (``?version=``), refuses it with 400
    like any other value its type does not allow, rather than silently ignoring it (which
    answers as if no filter had been asked for)."""

    empty_error = "invalid"

    def clean(self, value):
        if value == "":
            raise forms.ValidationError(
                self.error_messages[self.empty_error], code=self.empty_error, params={"value": ""}
            )
        return super().clean(value)


class _GivenIntegerField(_Given, forms.IntegerField):
    pass


class _GivenChoiceField(_Given, filters.ChoiceFilter.field_class):
    empty_error = "invalid_choice"


class _GivenIsoDateTimeField(_Given, filters.IsoDateTimeFilter.field_class):
    pass


class IdFilter(filters.NumberFilter):
    """A whole number within the database's range (a bigger one would be a 500)."""

    field_class = _GivenIntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(*args, **kwargs)


class EnumFilter(filters.ChoiceFilter):
    """A listed value or nothing (``?stance=`` is refused like any unlisted value)."""

    field_class = _GivenChoiceField


class DateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 date and time or nothing (``?submitted_after=`` is refused)."""

    field_class = _GivenIsoDateTimeField


class SubmissionFilter(filters.FilterSet):
    consultation = filters.CharFilter(method="filter_consultation", max_length=255)
    clause = filters.CharFilter(field_name="clause_key", max_length=64, help_text="Clause key")
    version = IdFilter(field_name="clause__version__number")
    stance = EnumFilter(choices=Stance.choices)
    stakeholder = EnumFilter(choices=Stakeholder.choices)
    language = filters.CharFilter(max_length=8)
    source = EnumFilter(choices=Source.choices)
    submitted_after = DateTimeFilter(field_name="submit_date", lookup_expr="gte")
    submitted_before = DateTimeFilter(field_name="submit_date", lookup_expr="lt")
    theme = IdFilter(method="filter_theme", help_text="A theme's id (from /themes/)")

    def filter_consultation(self, queryset, name, value):
        return queryset.filter(consultation_id__in=selectors.public_consultation_ids(slug=value))

    def filter_theme(self, queryset, name, value):
        return queryset.filter(
            theme_memberships__theme_id=value,
            theme_memberships__theme__run_id__in=selectors.published_run_ids(),
        )


def consultation_slugs(objects) -> dict[int, str]:
    ids = {s.consultation_id for s in objects}
    return dict(selectors.public_consultations().filter(pk__in=ids).values_list("pk", "slug"))


class SubmissionList(PublicView, generics.ListAPIView):
    """Published submissions, oldest first, a page at a time (follow ``next``)."""

    serializer_class = SubmissionSerializer
    pagination_class = IdCursorPagination
    filterset_class = SubmissionFilter
    queryset = Submission.objects.none()  # the model, for the schema; see get_queryset

    def get_queryset(self):
        return selectors.published_submissions()

    def get_serializer(self, *args, **kwargs):
        if args:
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["slugs"] = consultation_slugs(args[0])
        return super().get_serializer(*args, **kwargs)

    def last_modified(self):
        slug = self.request.query_params.get("consultation")
        pages = selectors.public_consultations()
        if slug:
            pages = pages.filter(slug=slug[:255])
        times = [conditional.consultation_changed_at(page) for page in pages]
        return max(times, default=None)


class SubmissionDetail(PublicView, generics.RetrieveAPIView):
    """One published submission (404 once it is held or removed)."""

    serializer_class = SubmissionSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.published_submissions()

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=_int_or_404(self.kwargs["pk"]))

    def last_modified(self):
        return conditional.consultation_changed_at(self.get_object().consultation)


def _int_or_404(value, limit: int = 2**63) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < number < limit:
        raise NotFound()
    return number


class AnnotationRenderer(renderers.JSONRenderer):
    """W3C Web Annotation JSON-LD (the Web Annotation Protocol's media type)."""

    media_type = ANNOTATION_MEDIA_TYPE
    format = "jsonld"


ANNOTATION_RENDERERS = [AnnotationRenderer, renderers.JSONRenderer]


class AnnotationNegotiation(APIView.content_negotiation_class):
    """JSON-LD with the Web Annotation profile unless plain JSON is asked for by name: DRF
    never matches ``*/*`` to a media type with parameters, so it would pick plain JSON."""

    def select_renderer(self, request, renderers_, format_suffix=None):
        if request.query_params.get("format") == "":
            raise NotFound()  # a format named empty is no format, as an unknown one is
        renderer, media_type = super().select_renderer(request, renderers_, format_suffix)
        asked_json = request.query_params.get("format") == "json" or (
            "application/json" in request.headers.get("Accept", "")
        )
        if renderer is renderers_[1] and not asked_json:
            return renderers_[0], renderers_[0].media_type
        return renderer, media_type


def page_urls(request, objects) -> dict[int, str]:
    ids = {s.consultation_id for s in objects}
    return {p.pk: page_url(request, p) for p in selectors.public_consultations().filter(pk__in=ids)}


class SubmissionAnnotation(SubmissionDetail):
    """A comment on a clause as a W3C Web Annotation, for annotation clients."""

    renderer_classes = ANNOTATION_RENDERERS
    content_negotiation_class = AnnotationNegotiation

    def get_queryset(self):
        return super().get_queryset().exclude(clause=None)

    @extend_schema(responses=AnnotationSerializer)
    def get(self, request, *args, **kwargs):
        submission = self.get_object()
        return Response(annotation(submission, request, page_urls(request, [submission])))


class AnnotationPagination(IdCursorPagination):
    """A W3C AnnotationPage: ``items`` and ``next``/``prev``."""

    def get_paginated_response(self, data):
        return Response(
            {
                "@context": "http://www.w3.org/ns/anno.jsonld",
                "type": "AnnotationPage",
                "id": self.request.build_absolute_uri(),
                "next": self.get_next_link(),
                "prev": self.get_previous_link(),
                "items": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["@context", "type", "id", "items"],
            "properties": {
                "@context": {"type": "string"},
                "type": {"type": "string", "enum": ["AnnotationPage"]},
                "id": {"type": "string", "format": "uri"},
                "next": {"type": "string", "format": "uri", "nullable": True},
                "prev": {"type": "string", "format": "uri", "nullable": True},
                "items": schema,
            },
        }


class AnnotationList(SubmissionList):
    """Comments on clauses as W3C Web Annotations (an AnnotationPage), with the same filters
    as the submissions."""

    renderer_classes = ANNOTATION_RENDERERS
    content_negotiation_class = AnnotationNegotiation
    pagination_class = AnnotationPagination
    serializer_class = AnnotationSerializer

    def get_queryset(self):
        return super().get_queryset().exclude(clause=None)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        urls = page_urls(request, page)
        return self.get_paginated_response([annotation(s, request, urls) for s in page])


# --- themes and the report ------------------------------------------------------------------


def report_or_404(page):
    report = selectors.published_report(page)
    if report is None:
        raise NotFound(_("This consultation has no published report yet."))
    return report


def theme_data(request, report) -> list[dict]:
    from analysis.models import ThemeResponse

    themes = list(report.run.themes.all())
    quoted = selectors.published_ids(q["id"] for t in themes for q in t.quotes)
    responses = {
        r.theme_id: r
        for r in ThemeResponse.objects.filter(page=report).select_related("changed_clause__version")
    }
    listing = reverse("api:submission-list")
    slug = report.get_parent().slug
    data = []
    for theme in themes:
        response = responses.get(theme.pk)
        clause = response.changed_clause if response else None
        data.append(
            {
                "id": theme.pk,
                "number": theme.number,
                "label": theme.label,
                "terms": theme.terms,
                "size": theme.size,
                "distinct_texts": theme.distinct_texts,
                "stakeholders": theme.stakeholders,
                "points": [
                    {
                        "submission": q["id"],
                        "text": q["text"],
                        "stakeholder": q.get("stakeholder", ""),
                        "supporters": q.get("supporters", 1),
                    }
                    for q in theme.quotes
                    if q["id"] in quoted
                ],
                "response": {
                    "outcome": response.outcome,
                    "reason": response.reason,
                    "changed_clause": {
                        "key": clause.key,
                        "identifier": clause.identifier,
                        "version": clause.version.number,
                    }
                    if clause
                    else None,
                }
                if response
                else None,
                "submissions_url": absolute(
                    request, f"{listing}?consultation={slug}&theme={theme.pk}"
                ),
            }
        )
    return data


class ReportView(PublicView):
    """An answer drawn from the published report: it changes when a report is published
    or withdrawn (logged under the consultation) and when a quoted submission is removed."""

    def last_modified(self):
        page = self.consultation()
        return conditional.consultation_changed_at(page, conditional.subtree_logged_at(page))


class ThemeList(ReportView, APIView):
    """The themes of the consultation's published report and their points."""

    @extend_schema(responses=ThemeSerializer(many=True))
    def get(self, request, slug):
        report = report_or_404(self.consultation())
        return Response(ThemeSerializer(theme_data(request, report), many=True).data)


class PointFilter(filters.FilterSet):
    theme = IdFilter(field_name="theme_id", help_text="A theme's id (from /themes/)")
    clause = filters.CharFilter(field_name="clause_key", max_length=64, help_text="Clause key")
    submission = IdFilter(field_name="submission_id")


class PointList(ReportView, generics.ListAPIView):
    """The points of the published report's analysis: each published submission split into
    its points, each with its clause and theme, a page at a time (follow ``next``)."""

    serializer_class = PointSerializer
    pagination_class = IdCursorPagination
    filterset_class = PointFilter
    queryset = Point.objects.none()  # the model, for the schema; see get_queryset

    def get_queryset(self):
        from analysis.selectors import published_points

        report = report_or_404(self.consultation())
        return published_points(report.run)


class Report(ReportView, APIView):
    """The published report: method, figures per clause, themes, campaigns, responses."""

    @extend_schema(responses=ReportSerializer)
    def get(self, request, slug):
        page = self.consultation()
        report = report_or_404(page)
        run = report.run
        results = run.results or {}
        campaigns = list(run.campaigns.all())
        shown = selectors.published_ids(c.representative_id for c in campaigns)
        url = page_url(request, report)
        data = {
            "title": report.title,
            "intro": report.intro,
            "url": url,
            "pdf_url": absolute(request, (report.get_url(request) or "") + "pdf/"),
            "published_at": report.last_published_at,
            "analysed_at": run.finished_at,
            "method": results.get("method", {}),
            "moderation": results.get("moderation", {}),
            "clauses": results.get("clauses", []),
            "themes": theme_data(request, report),
            "campaigns": [
                {
                    "number": c.number,
                    "size": c.size,
                    "representative": c.representative_id if c.representative_id in shown else None,
                    # A campaign's words stay only while one of its copies is published.
                    "text": c.representative_text if c.representative_id in shown else "",
                    "first_at": c.first_at,
                    "last_at": c.last_at,
                    "share_anonymous": c.share_anonymous,
                    "stances": c.stances,
                }
                for c in campaigns
            ],
        }
        return Response(ReportSerializer(data).data)


# --- town halls, transparency, the process record ---------------------------------------------


def town_hall_data(request, hall) -> dict:
    from consult.live.models import Poll, Question, TownHall
    from consult.live.selectors import PUBLIC_QUESTION_STATUSES, snapshot_question_limit

    runtime = TownHall.objects.filter(page_id=hall.pk).first()
    questions = Question.objects.none()
    polls = Poll.objects.none()
    if runtime is not None:
        questions = Question.objects.filter(townhall=runtime, status__in=PUBLIC_QUESTION_STATUSES)
        polls = Poll.objects.filter(townhall=runtime).prefetch_related("options")
    return {
        "slug": hall.slug,
        "title": hall.title,
        "title_ur": hall.title_ur,
        "url": page_url(request, hall),
        "language": hall.language,
        "starts_at": hall.starts_at,
        "ends_at": hall.ends_at,
        "state": runtime.state if runtime else "scheduled",
        "started_at": runtime.started_at if runtime else None,
        "ended_at": runtime.ended_at if runtime else None,
        "public_questions": questions.count(),
        "questions": [
            {
                "id": q.pk,
                "text": q.text,
                "clause": q.clause_key,
                "status": q.status,
                "answer": q.answer,
                "votes": q.vote_count,
                "asked_at": q.created_at,
                "answered_at": q.answered_at,
            }
            for q in questions.order_by("-vote_count", "created_at")[: snapshot_question_limit()]
        ],
        "polls": [
            {
                "id": p.pk,
                "question": p.question,
                "kind": p.kind,
                "status": p.status,
                "answers": p.answer_count,
                "opened_at": p.opened_at,
                "closed_at": p.closed_at,
                "options": [{"label": o.label, "votes": o.vote_count} for o in p.options.all()],
            }
            for p in polls
        ],
    }


def town_halls(page):
    from cms.town_hall_pages import TownHallPage

    return TownHallPage.objects.live().public().child_of(page).order_by("starts_at", "pk")


class TownHallList(PublicView, APIView):
    """Town-hall summaries: public questions with answers and votes, and polls."""

    def last_modified(self):
        """None while a town hall is live: its votes move with no timestamp."""
        from consult.live.models import LiveEvent, TownHall

        page = self.consultation()
        halls = town_halls(page).values("pk")
        runtimes = TownHall.objects.filter(page_id__in=halls)
        if runtimes.filter(state=TownHall.State.LIVE).exists():
            return None
        moments = runtimes.aggregate(started=Max("started_at"), ended=Max("ended_at"))
        logged = LiveEvent.objects.filter(townhall__in=runtimes).aggregate(at=Max("created_at"))
        return conditional.consultation_changed_at(
            page, conditional.subtree_logged_at(page), logged["at"], *moments.values()
        )

    @extend_schema(responses=TownHallSerializer(many=True))
    def get(self, request, slug):
        page = self.consultation()
        data = [town_hall_data(request, hall) for hall in town_halls(page)]
        return Response(TownHallSerializer(data, many=True).data)


class Transparency(PublicView, APIView):
    """Moderation figures: counts only, as on the transparency page."""

    def last_modified(self):
        from moderation.models import Appeal

        page = self.consultation()
        appeals = Appeal.objects.filter(decision__submission__consultation_id=page.pk)
        moments = appeals.aggregate(filed=Max("created_at"), decided=Max("decided_at"))
        return conditional.consultation_changed_at(page, *moments.values())

    @extend_schema(responses=TransparencySerializer)
    def get(self, request, slug):
        from moderation.selectors import transparency_figures

        figures = transparency_figures(self.consultation())
        return Response(TransparencySerializer(figures).data)


class Record(PublicView, APIView):
    """The process record: publication, comment period, draft versions, town halls,
    analyses and reports, in time order."""

    def last_modified(self):
        from analysis.models import AnalysisRun

        page = self.consultation()
        runs = AnalysisRun.objects.filter(consultation=page).aggregate(at=Max("finished_at"))
        return conditional.consultation_changed_at(
            page, conditional.subtree_logged_at(page), runs["at"]
        )

    @extend_schema(responses=RecordEventSerializer(many=True))
    def get(self, request, slug):
        from analysis.models import AnalysisRun

        page = self.consultation()
        link = functools.partial(page_url, request)
        events = [
            ("consultation_published", page.first_published_at, page.title, None, link(page)),
            ("comments_open", page.opens_at, "", None, ""),
            ("comments_close", page.closes_at, "", None, ""),
        ]
        for version in selectors.versions(page):
            path = reverse("api:version-detail", args=[page.slug, version.number])
            at, note, number = version.created_at, version.note, version.number
            events.append(("version_published", at, note, number, absolute(request, path)))
        for hall in town_halls(page):
            events.append(("town_hall", hall.starts_at, hall.title, None, link(hall)))
        for run in AnalysisRun.objects.filter(consultation=page, status=AnalysisRun.Status.DONE):
            events.append(("analysis", run.finished_at or run.created_at, "", run.pk, ""))
        for report in selectors.published_reports(page):
            at = report.last_published_at
            events.append(("report_published", at, report.title, None, link(report)))
        data = [
            {"type": kind, "at": at, "title": title, "number": number, "url": url}
            for kind, at, title, number, url in sorted(
                (e for e in events if e[1] is not None), key=lambda e: e[1]
            )
        ]
        return Response(RecordEventSerializer(data, many=True).data)


# --- bulk files --------------------------------------------------------------------------------


def bulk_listing(request, page) -> dict:
    files = bulk.current(page)
    meta = files.meta() if files.built else {}
    return {
        "consultation": page.slug,
        "built": bool(meta),
        "rows": meta.get("rows"),
        "generated_at": meta.get("generated_at"),
        "columns": bulk.COLUMNS,
        "files": [
            {
                "format": name,
                "media_type": media_type,
                "url": absolute(
                    request,
                    reverse("api:bulk-file", kwargs={"slug": page.slug, "file_format": name}),
                ),
                "bytes": (meta.get("bytes") or {}).get(name),
            }
            for name, (_file, media_type) in bulk.FORMATS.items()
        ],
    }


def bulk_built_at(page):
    """When the consultation's current bulk files were built (None before the first)."""
    files = bulk.current(page)
    generated = files.meta().get("generated_at") if files.built else None
    return datetime.fromisoformat(generated) if generated else None


class BulkList(PublicView, APIView):
    """The consultation's bulk files: every published submission as CSV, JSON Lines and
    Parquet, rebuilt after each change."""

    def last_modified(self):
        page = self.consultation()
        return conditional.consultation_changed_at(page, bulk_built_at(page))

    @extend_schema(responses=BulkSerializer)
    def get(self, request, slug):
        return Response(BulkSerializer(bulk_listing(request, self.consultation())).data)


class AnyAccept(APIView.content_negotiation_class):
    """A download answers in its own format whatever the Accept header; errors are JSON."""

    def select_renderer(self, request, renderers_, format_suffix=None):
        return renderers_[0], renderers_[0].media_type


class BulkFile(PublicView, APIView):
    """One bulk file (built on first download after a change)."""

    content_negotiation_class = AnyAccept

    def last_modified(self):
        return bulk_built_at(self.consultation())

    @extend_schema(
        operation_id="api_v1_consultations_bulk_file",
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, "application/jsonl"): OpenApiTypes.BINARY,
            (200, "application/vnd.apache.parquet"): OpenApiTypes.BINARY,
        },
        parameters=[
            OpenApiParameter("file_format", str, OpenApiParameter.PATH, enum=list(bulk.FORMATS))
        ],
    )
    def get(self, request, slug, file_format):
        page = self.consultation()
        if file_format not in bulk.FORMATS:
            raise NotFound(_("The bulk files are csv, jsonl and parquet."))
        files = bulk.build(page)
        name, media_type = bulk.FORMATS[file_format]
        response = FileResponse(
            open(files.path(file_format), "rb"),  # noqa: SIM115 - FileResponse closes it
            content_type=media_type,
            as_attachment=True,
            filename=f"{page.slug}-{name}",
        )
        response["ETag"] = f'"{files.stamp}-{file_format}"'
        return response
