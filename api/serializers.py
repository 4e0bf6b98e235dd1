"""What the API shows. Every field of a submission is one a visitor can see on the
submission's own page (tests/api/test_visibility.py holds the API to that): no original
text, no hidden name, no e-mail, no receipt code, no database id of a person."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cms.models import ConsultationPage
from consult.models import Source, Stakeholder, Stance

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def page_url(request, page) -> str:
    return absolute(request, page.get_url(request) or "")


class ConsultationSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    title_ur = serializers.CharField(allow_blank=True)
    ministry = serializers.CharField()
    ministry_ur = serializers.CharField(allow_blank=True)
    summary = serializers.CharField(allow_blank=True)
    summary_ur = serializers.CharField(allow_blank=True)
    state = serializers.ChoiceField(choices=ConsultationPage.Phase.choices, source="phase")
    is_open = serializers.SerializerMethodField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    languages = serializers.SerializerMethodField()
    moderation_mode = serializers.ChoiceField(choices=ConsultationPage.ModerationMode.choices)
    first_published_at = serializers.DateTimeField(allow_null=True)
    last_published_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    def get_is_open(self, page) -> bool:
        return page.is_open()

    def get_languages(self, page) -> list[str]:
        return page.language_codes()

    def get_url(self, page) -> str:
        return page_url(self.context.get("request"), page)

    def get_api_url(self, page) -> str:
        path = reverse("api:consultation-detail", kwargs={"slug": page.slug})
        return absolute(self.context.get("request"), path)


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    note = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    clauses = serializers.IntegerField(source="clause_count")


class ClauseSerializer(serializers.Serializer):
    key = serializers.SlugField()
    position = serializers.IntegerField()
    identifier = serializers.CharField()
    heading = serializers.CharField(allow_blank=True)
    heading_ur = serializers.CharField(allow_blank=True)
    text = serializers.CharField()
    text_ur = serializers.CharField(
        allow_blank=True, help_text="The clause in Urdu; empty where there is only the English."
    )
    text_ur_behind = serializers.BooleanField(
        help_text="True where the English was revised after the Urdu text was written and the "
        "Urdu has not been revised since: it may not say what the clause now says."
    )


class VersionDetailSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    note = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    clauses = ClauseSerializer(many=True, source="clause_list")


class RedlinePieceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["same", "ins", "del"])
    text = serializers.CharField()


class ClauseHeadSerializer(serializers.Serializer):
    identifier = serializers.CharField()
    heading = serializers.CharField(allow_blank=True)
    heading_ur = serializers.CharField(allow_blank=True)


class RedlineSerializer(serializers.Serializer):
    key = serializers.SlugField()
    status = serializers.ChoiceField(choices=["added", "removed", "changed", "unchanged"])
    old = ClauseHeadSerializer(allow_null=True)
    new = ClauseHeadSerializer(allow_null=True)
    pieces = RedlinePieceSerializer(many=True)
    pieces_ur = RedlinePieceSerializer(
        many=True, help_text="The Urdu text's redline; empty when neither version has Urdu text."
    )


class ClauseRefSerializer(serializers.Serializer):
    key = serializers.SlugField()
    identifier = serializers.CharField()
    version = serializers.IntegerField()


class QuoteSelectorSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["TextQuoteSelector"])
    exact = serializers.CharField()
    prefix = serializers.CharField(allow_blank=True)
    suffix = serializers.CharField(allow_blank=True)


class PositionSelectorSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["TextPositionSelector"])
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=0)


class AnchorSerializer(serializers.Serializer):
    """The commented words in the clause's text: W3C selectors."""

    quote = QuoteSelectorSerializer()
    position = PositionSelectorSerializer()
    language = serializers.ChoiceField(
        choices=["en", "ur"],
        help_text="Which of the clause's texts the words and offsets are in: `text` (en) or "
        "`text_ur` (ur).",
    )


def anchor_of(submission) -> dict | None:
    if not submission.anchor_exact or submission.clause_id is None:
        return None
    return {
        "quote": {
            "type": "TextQuoteSelector",
            "exact": submission.anchor_exact,
            "prefix": submission.anchor_prefix,
            "suffix": submission.anchor_suffix,
        },
        "position": {
            "type": "TextPositionSelector",
            "start": submission.anchor_start,
            "end": submission.anchor_end,
        },
        "language": submission.anchor_language,
    }


class SubmissionSerializer(serializers.Serializer):
    """A published submission. Written by hand (``to_representation``) for speed: a page of
    500 is built in a few milliseconds; the declared fields are the schema."""

    id = serializers.IntegerField(help_text="Public: the comment's anchor on its page.")
    consultation = serializers.SlugField()
    clause = ClauseRefSerializer(allow_null=True, help_text="Null: about the whole draft.")
    text = serializers.CharField(help_text="The public (redacted) text.")
    proposed_wording = serializers.CharField(allow_blank=True)
    stance = serializers.ChoiceField(choices=Stance.choices)
    stakeholder = serializers.ChoiceField(choices=Stakeholder.choices)
    organisation = serializers.CharField(
        allow_blank=True, help_text="Organisations are named publicly; individuals never."
    )
    author = serializers.CharField(
        allow_null=True,
        help_text="The name shown on the page: an organisation, a name its author chose to "
        "show, or a pseudonym. Null for comments on the whole draft, shown on no page.",
    )
    language = serializers.CharField()
    source = serializers.ChoiceField(choices=Source.choices)
    submitted = serializers.DateTimeField()
    anchor = AnchorSerializer(allow_null=True)

    def to_representation(self, s):
        slugs = self.context.get("slugs") or {}
        clause = s.clause if s.clause_id else None
        on_page = clause is not None
        return {
            "id": s.pk,
            "consultation": slugs.get(s.consultation_id) or s.consultation.slug,
            "clause": {
                "key": clause.key,
                "identifier": clause.identifier,
                "version": clause.version.number,
            }
            if clause
            else None,
            "text": s.comment,
            "proposed_wording": s.proposed_wording if on_page else "",
            "stance": s.stance,
            "stakeholder": s.stakeholder,
            "organisation": s.organisation if s.stakeholder != Stakeholder.INDIVIDUAL else "",
            "author": s.public_name if on_page else None,
            "language": s.language,
            "source": s.source,
            "submitted": s.submit_date.isoformat(),
            "anchor": anchor_of(s),
        }


def annotation(submission, request, page_urls: dict[int, str]) -> dict:
    """A W3C Web Annotation (https://www.w3.org/TR/annotation-model/) of a clause comment:
    its body is the public text, its target the clause's page narrowed by the quote and
    position selectors that the anchoring code (drafts/anchoring.py) reads.
    ``page_urls``: the consultation pages' public addresses, by page id."""
    clause = submission.clause
    source = (
        f"{page_urls[submission.consultation_id]}?clause={clause.key}"
        f"&version={clause.version.number}"
    )
    bodies = [
        {
            "type": "TextualBody",
            "purpose": "commenting",
            "value": submission.comment,
            "format": "text/plain",
            "language": submission.language,
        },
        {"type": "TextualBody", "purpose": "tagging", "value": submission.stance},
    ]
    if submission.proposed_wording:
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "editing",
                "value": submission.proposed_wording,
                "format": "text/plain",
                "language": submission.language,
            }
        )
    target: dict = {"source": source}
    anchor = anchor_of(submission)
    if anchor:
        # The clause's page holds its English and Urdu texts: the selectors count in this one.
        target["language"] = anchor["language"]
        target["selector"] = [anchor["quote"], anchor["position"]]
    path = reverse("api:submission-annotation", kwargs={"pk": submission.pk})
    return {
        "@context": W3C_CONTEXT,
        "id": absolute(request, path),
        "type": "Annotation",
        "motivation": "commenting",
        "created": submission.submit_date.isoformat(),
        "creator": {
            "type": "Organization"
            if submission.stakeholder in Stakeholder.organisations() and submission.organisation
            else "Person",
            "name": submission.public_name,
        },
        "body": bodies,
        "target": target,
    }


@extend_schema_field(OpenApiTypes.OBJECT)
class AnyObjectField(serializers.JSONField):
    pass


class AnnotationSerializer(serializers.Serializer):
    """Schema of one annotation (the body is built by ``annotation``)."""

    context = serializers.CharField()
    id = serializers.URLField()
    type = serializers.ChoiceField(choices=["Annotation"])
    motivation = serializers.ChoiceField(choices=["commenting"])
    created = serializers.DateTimeField()
    creator = AnyObjectField()
    body = serializers.ListField(child=AnyObjectField())
    target = AnyObjectField()

    def get_fields(self):
        fields = super().get_fields()
        fields["@context"] = fields.pop("context")
        return fields


# --- themes, report, town halls, transparency, record (schemas; data built in the views) ------


class ThemePointSerializer(serializers.Serializer):
    submission = serializers.IntegerField(help_text="A published submission's id")
    text = serializers.CharField()
    stakeholder = serializers.CharField()
    supporters = serializers.IntegerField()


class PointSerializer(serializers.Serializer):
    """One point of a published submission (a paragraph, list item or long sentence), with
    the clause it is about and its theme in the published report's analysis."""

    submission = serializers.IntegerField(source="submission_id")
    position = serializers.IntegerField(help_text="0 for the submission's first point")
    number = serializers.CharField(allow_blank=True, help_text="Its own numbering, if any")
    clause = serializers.CharField(
        source="clause_key", allow_blank=True, help_text="Clause key; empty: the whole draft"
    )
    matched_by = serializers.ChoiceField(choices=["reference", "words", "anchor", "none"])
    theme = serializers.IntegerField(
        source="theme_id", allow_null=True, help_text="The theme's id (from /themes/)"
    )
    theme_number = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField(
        help_text="Empty once a moderator has redacted these words from the submission"
    )

    def get_theme_number(self, point) -> int | None:
        return point.theme.number if point.theme else None

    def get_text(self, point) -> str:
        from analysis.selectors import public_point_text

        return public_point_text(point)


class ThemeResponseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["pending", "accepted", "partly", "not_accepted"])
    reason = serializers.CharField(allow_blank=True)
    changed_clause = ClauseRefSerializer(allow_null=True)


class ThemeSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Filter submissions with ?theme=<id>")
    number = serializers.IntegerField()
    label = serializers.CharField()
    terms = serializers.ListField(child=serializers.CharField())
    size = serializers.IntegerField()
    distinct_texts = serializers.IntegerField()
    stakeholders = serializers.DictField(child=serializers.IntegerField())
    points = ThemePointSerializer(many=True, help_text="Quotes near the theme's centre")
    response = ThemeResponseSerializer(allow_null=True, help_text="The ministry's answer")
    submissions_url = serializers.URLField()


class CampaignSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    size = serializers.IntegerField()
    representative = serializers.IntegerField(allow_null=True)
    text = serializers.CharField(allow_blank=True)
    first_at = serializers.DateTimeField(allow_null=True)
    last_at = serializers.DateTimeField(allow_null=True)
    share_anonymous = serializers.FloatField(allow_null=True)
    stances = serializers.DictField(child=serializers.IntegerField())


class ReportSerializer(serializers.Serializer):
    title = serializers.CharField()
    intro = serializers.CharField(allow_blank=True)
    url = serializers.URLField()
    pdf_url = serializers.URLField()
    published_at = serializers.DateTimeField(allow_null=True)
    analysed_at = serializers.DateTimeField(allow_null=True)
    method = AnyObjectField(help_text="Parameters, counts and timings of the analysis")
    moderation = AnyObjectField(help_text="Moderation figures when analysed")
    clauses = serializers.ListField(child=AnyObjectField(), help_text="Figures per clause")
    themes = ThemeSerializer(many=True)
    campaigns = CampaignSerializer(many=True)


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    clause = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=["approved", "answered"])
    answer = serializers.CharField(allow_blank=True)
    votes = serializers.IntegerField()
    asked_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)


class PollOptionSerializer(serializers.Serializer):
    label = serializers.CharField()
    votes = serializers.IntegerField()


class PollSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField()
    kind = serializers.ChoiceField(choices=["single", "multiple"])
    status = serializers.ChoiceField(choices=["open", "closed"])
    answers = serializers.IntegerField()
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    options = PollOptionSerializer(many=True)


class TownHallSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    title_ur = serializers.CharField(allow_blank=True)
    url = serializers.URLField()
    language = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=["scheduled", "live", "ended"])
    started_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    public_questions = serializers.IntegerField()
    questions = QuestionSerializer(many=True, help_text="Approved and answered, most-voted first")
    polls = PollSerializer(many=True)


class ReasonCountSerializer(serializers.Serializer):
    reason = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class TransparencySerializer(serializers.Serializer):
    received = serializers.IntegerField()
    published = serializers.IntegerField()
    held = serializers.IntegerField()
    removed = serializers.IntegerField()
    removed_by_reason = ReasonCountSerializer(many=True)
    decisions = serializers.DictField(child=serializers.IntegerField())
    decided_submissions = serializers.IntegerField()
    median_hours_to_decision = serializers.FloatField(allow_null=True)
    appeals = serializers.IntegerField()
    appeal_outcomes = serializers.DictField(child=serializers.IntegerField())


class RecordEventSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=[
            "consultation_published",
            "comments_open",
            "comments_close",
            "version_published",
            "town_hall",
            "analysis",
            "report_published",
        ]
    )
    at = serializers.DateTimeField()
    title = serializers.CharField(allow_blank=True)
    number = serializers.IntegerField(allow_null=True)
    url = serializers.CharField(allow_blank=True)


class BulkFileSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["csv", "jsonl", "parquet"])
    media_type = serializers.CharField()
    url = serializers.URLField()
    bytes = serializers.IntegerField(allow_null=True)


class BulkSerializer(serializers.Serializer):
    consultation = serializers.SlugField()
    built = serializers.BooleanField(help_text="False: built on the first download")
    rows = serializers.IntegerField(allow_null=True)
    generated_at = serializers.DateTimeField(allow_null=True)
    columns = serializers.ListField(child=serializers.CharField())
    files = BulkFileSerializer(many=True)
