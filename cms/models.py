"""Pages a ministry edits: the home page and the consultation (draft rule) page.

A consultation page holds the *working draft* as an inline list of clauses. Publishing the
page snapshots the clauses into an immutable ``DraftVersion``; comments anchor to a
``ClauseVersion`` (fixed text), never to the editable working copy.
"""

from __future__ import annotations

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.panels import VersionProgressPanel
from cms.wayfinding import ReaderLanguageUrls
from drafts.consultations import ModerationMode, Phase
from drafts.models import DraftVersion, clause_key_for
from text.public_fields import CONTACT_DETAILS, personal_data_errors, refuse_personal_data


class HomePage(ReaderLanguageUrls, Page):
    """The site root: open consultations first, then upcoming, then closed ones with
    their reports."""

    intro = RichTextField(blank=True)
    intro_ur = RichTextField(blank=True, verbose_name=_("intro (Urdu)"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("intro_ur")]
    subpage_types = ["cms.ConsultationPage"]
    max_count = 1

    def clean(self):
        super().clean()
        contact = {"intro": CONTACT_DETAILS, "intro_ur": CONTACT_DETAILS}
        refuse_personal_data(self, ("title", "intro", "intro_ur"), allow=contact)

    def get_context(self, request, *args, **kwargs):
        from cms.wayfinding import home_listing

        context = super().get_context(request, *args, **kwargs)
        context["listing"] = home_listing(self)
        return context


class ConsultationPage(ReaderLanguageUrls, Page):
    """A draft rule open for public comment, published clause by clause."""

    Phase = Phase
    ModerationMode = ModerationMode

    title_ur = models.CharField(_("title (Urdu)"), max_length=255, blank=True)
    ministry = models.CharField(_("ministry"), max_length=255)
    ministry_ur = models.CharField(_("ministry (Urdu)"), max_length=255, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    summary_ur = models.TextField(_("summary (Urdu)"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    closes_at_reason = models.TextField(
        _("why the closing date changed"),
        blank=True,
        help_text=_(
            "Required when you move the closing date of a published consultation; "
            "shown in the public process record."
        ),
    )
    closes_at_reason_ur = models.TextField(_("why the closing date changed (Urdu)"), blank=True)
    phase = models.CharField(
        _("phase"), max_length=16, choices=Phase.choices, default=Phase.UPCOMING
    )
    languages = models.CharField(
        _("languages"),
        max_length=64,
        default="en,ur",
        help_text=_("Comma-separated language codes participants may write or speak in."),
    )
    moderation_mode = models.CharField(
        _("moderation mode"),
        max_length=8,
        choices=ModerationMode.choices,
        default=ModerationMode.POST,
    )
    contact = models.TextField(
        _("phone or facilitator contact"),
        blank=True,
        help_text=_("How to comment by phone or with a facilitator; shown on the page."),
    )
    contact_ur = models.TextField(_("phone or facilitator contact (Urdu)"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("title_ur"),
        MultiFieldPanel(
            [FieldPanel("ministry"), FieldPanel("ministry_ur")], heading=_("Issued by")
        ),
        FieldPanel("summary"),
        FieldPanel("summary_ur"),
        MultiFieldPanel([FieldPanel("contact"), FieldPanel("contact_ur")], heading=_("Contact")),
        MultiFieldPanel(
            [
                FieldPanel("opens_at"),
                FieldPanel("closes_at"),
                FieldPanel("closes_at_reason"),
                FieldPanel("closes_at_reason_ur"),
                FieldPanel("phase"),
                FieldPanel("languages"),
                FieldPanel("moderation_mode"),
            ],
            heading=_("Consultation period"),
        ),
        VersionProgressPanel(heading=_("Published draft versions")),
        InlinePanel("clauses", heading=_("Clauses of the working draft"), label=_("Clause")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("ministry"),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = ["cms.TownHallPage", "cms.ReportPage"]

    def clean(self):
        """Moving the closing date of a published consultation needs a reason of its own
        (the process record shows it); otherwise the reason fields are emptied, so an old
        reason never stands for a new change."""
        super().clean()
        from cms.process_record import check_closing_date_reason

        errors = {}
        try:
            check_closing_date_reason(self)  # first: it empties a reason no longer needed
        except ValidationError as error:
            errors.update(error.message_dict)
        # Everything typed here is public; the contact may give the office's phone,
        # e-mail and address, never an identity number.
        for field, messages in personal_data_errors(
            self,
            self.PUBLIC_TEXT_FIELDS,
            allow={"contact": CONTACT_DETAILS, "contact_ur": CONTACT_DETAILS},
        ).items():
            errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    PUBLIC_TEXT_FIELDS = (
        "title",
        "title_ur",
        "ministry",
        "ministry_ur",
        "summary",
        "summary_ur",
        "closes_at_reason",
        "closes_at_reason_ur",
        "contact",
        "contact_ur",
    )

    def language_codes(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]

    def is_open(self, at=None) -> bool:
        """Comments are accepted only in the open phase and inside the dates."""
        at = at or timezone.now()
        return self.phase == self.Phase.OPEN and self.opens_at <= at < self.closes_at

    def current_version(self) -> DraftVersion | None:
        """The version readers see: the newest whose comments have been moved onto it."""
        return self.versions.live().order_by("-number").first()

    @staticmethod
    def _int_param(request, name):
        try:
            return int(request.GET.get(name, ""))
        except ValueError:
            return None

    def get_template(self, request, *args, **kwargs):
        if "from" in request.GET and "to" in request.GET:
            return "cms/consultation_redline.html"
        return super().get_template(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        """The reading page (``?version=N``, ``?clause=KEY`` for one clause's full thread)
        or the redline between two versions (``?from=N&to=M``)."""
        from consult.forms import comment_form_context, reply_context
        from consult.receipts import pop_confirmation
        from consult.selectors import reading_versions
        from drafts.redline import redline

        context = super().get_context(request, *args, **kwargs)
        if "from" in request.GET and "to" in request.GET:
            versions = {v.number: v for v in self.versions.live()}
            old = versions.get(self._int_param(request, "from"))
            new = versions.get(self._int_param(request, "to"))
            context.update(
                versions=sorted(versions.values(), key=lambda v: v.number),
                old_version=old,
                new_version=new,
                redline=redline(
                    list(old.clauses.order_by("position")), list(new.clauses.order_by("position"))
                )
                if old and new
                else [],
            )
            return context
        clause_key = request.GET.get("clause", "")[:64]
        context["comments_page"] = max(1, self._int_param(request, "page") or 1)
        is_open = self.is_open()
        context.update(reading_versions(self, self._int_param(request, "version")))
        context.update(comment_form_context(self), clause_key=clause_key, is_open=is_open)
        taking_comments = is_open and context["is_latest"]
        if taking_comments and clause_key:
            context.update(reply_context(request, context["version"], clause_key))
        context["clause_list"] = self._clause_list(context, clause_key)
        # The receipt of a comment this person just sent, from their session, shown once.
        context["confirmation"] = pop_confirmation(request)
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if getattr(response, "context_data", None) and response.context_data.get("confirmation"):
            add_never_cache_headers(response)  # it shows a receipt code and its secret
        return response

    def _clause_list(self, context, clause_key: str):
        """The clauses with their counts and newest comments (cms/_clause_list.html). The
        whole draft's list is the same for every reader, so it comes from the cache until a
        comment changes; one clause's page carries its own form and is rendered each time."""
        from cms import reading
        from consult import reading_cache
        from consult.forms import new_client_token
        from consult.permalinks import submission_url_prefix
        from consult.selectors import attach_earlier_wording, clause_views

        version = context["version"]
        cache_key = None
        if version is not None and not clause_key:
            cache_key = reading_cache.clause_list_key(
                self,
                version,
                language=get_language(),
                is_open=context["is_open"],
                is_latest=context["is_latest"],
            )
            cached = cache.get(cache_key)
            if cached is not None:
                return mark_safe(cached)  # rendered by our own template below
        prefix = submission_url_prefix(self.slug)
        items: list = []
        if version is None:
            pass
        elif clause_key:
            # One clause's page: its plain form, which works without JavaScript.
            views = clause_views(
                version, clause_key, context.get("comments_page", 1), is_latest=context["is_latest"]
            )
            if context["is_latest"]:
                attach_earlier_wording(views, version)
            for view in views:
                view.client_token = new_client_token()
            items = [reading.clause_page_item(view, context, prefix=prefix) for view in views]
            if views:
                context["comment_pages"] = {
                    "older": views[0].page_number + 1 if views[0].has_older else None,
                    "newer": views[0].page_number - 1 if views[0].page_number > 1 else None,
                }
        elif context["is_latest"]:
            items = reading.latest_clause_items(
                page=self, version=version, is_open=context["is_open"], prefix=prefix
            )
        else:
            items = reading.clause_items(
                clause_views(version, is_latest=False),
                page=self,
                version=version,
                is_open=context["is_open"],
                is_latest=False,
                prefix=prefix,
            )
        html = render_to_string("cms/_clause_list.html", {"clause_items": items})
        if cache_key is not None:
            cache.set(cache_key, html, reading_cache.CLAUSE_LIST_TTL)
        return mark_safe(html)  # our own template, every value escaped in it


# Urdu fields of the editor type and read right to left in an Urdu font.
URDU_INPUT = {"lang": "ur", "dir": "rtl", "class": "urdu-input"}


class Clause(Orderable):
    """One clause of the working draft. ``key`` stays the same across draft versions."""

    page = ParentalKey(ConsultationPage, on_delete=models.CASCADE, related_name="clauses")
    key = models.SlugField(
        _("stable key"),
        max_length=64,
        blank=True,
        help_text=_("Identifies this clause across versions. Filled from the number if empty."),
    )
    identifier = models.CharField(_("number"), max_length=32, help_text=_("e.g. 7(2)(a)"))
    heading = models.CharField(_("heading"), max_length=255, blank=True)
    heading_ur = models.CharField(_("heading (Urdu)"), max_length=255, blank=True)
    text = models.TextField(_("text"))
    text_ur = models.TextField(
        _("text (Urdu)"),
        blank=True,
        help_text=_(
            "The clause in Urdu. Where it is empty the Urdu page shows the English original, "
            "marked as such."
        ),
    )

    panels = [
        FieldPanel("identifier"),
        FieldPanel("heading"),
        FieldPanel("heading_ur", widget=forms.TextInput(attrs=URDU_INPUT)),
        FieldPanel("text"),
        FieldPanel("text_ur", widget=forms.Textarea(attrs={**URDU_INPUT, "rows": 4})),
        FieldPanel("key"),
    ]

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = clause_key_for(self.identifier)
        super().save(*args, **kwargs)

    def __str__(self):
        return f"{self.identifier} {self.heading}".strip()


from .process_record import StakeholderMeeting  # noqa: E402, F401
from .report_pages import ReportPage  # noqa: E402, F401
from .town_hall_pages import TownHallPage  # noqa: E402, F401
