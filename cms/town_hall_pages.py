"""The town hall page: what editors schedule. The live runtime is in ``consult.live``."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

from cms.wayfinding import ReaderLanguageUrls
from text.public_fields import refuse_personal_data

YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"}
DEFAULT_JITSI_HOSTS = ["meet.jit.si"]
QUESTION_SORTS = ("votes", "time")


def jitsi_hosts() -> set[str]:
    return set(getattr(settings, "LIVE_JITSI_HOSTS", DEFAULT_JITSI_HOSTS))


def stream_embed_url(url: str) -> str | None:
    """The iframe address for a YouTube or Jitsi link, or None if it is neither."""
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme != "https":
        return None
    host = (parsed.hostname or "").lower()
    if host in YOUTUBE_HOSTS:
        if host == "youtu.be":
            video = parsed.path.strip("/")
        elif parsed.path.startswith(("/embed/", "/live/")):
            video = parsed.path.split("/")[2]
        else:
            video = (parse_qs(parsed.query).get("v") or [""])[0]
        if not video or not video.replace("-", "").replace("_", "").isalnum():
            return None
        return f"https://www.youtube-nocookie.com/embed/{video}"
    if host in jitsi_hosts():
        room = parsed.path.strip("/")
        if not room or "/" in room:
            return None
        return f"https://{host}/{room}"
    return None


def validate_stream_url(url: str) -> None:
    if url and stream_embed_url(url) is None:
        raise ValidationError(
            _(
                "The stream link must be an https YouTube video link (youtube.com/watch?v=…, "
                "youtu.be/…) or a Jitsi room (%(hosts)s/room-name)."
            )
            % {"hosts": ", ".join(sorted(jitsi_hosts()))}
        )


class TownHallPage(RoutablePageMixin, ReaderLanguageUrls, Page):
    """A live town hall about one consultation: questions, polls and a speaker queue."""

    title_ur = models.CharField(_("title (Urdu)"), max_length=255, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    facilitators = ParentalManyToManyField(
        "auth.User", blank=True, related_name="facilitated_town_halls"
    )
    agenda_clause_keys = models.CharField(
        _("clauses on the agenda"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated clause keys of the consultation, e.g. c-1, c-7-2-a."),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    stream_url = models.URLField(
        _("stream link"),
        blank=True,
        validators=[validate_stream_url],
        help_text=_("Optional: a YouTube video or a Jitsi room to embed."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("title_ur"),
        MultiFieldPanel(
            [FieldPanel("starts_at"), FieldPanel("ends_at"), FieldPanel("language")],
            heading=_("Session"),
        ),
        FieldPanel("facilitators"),
        FieldPanel("agenda_clause_keys"),
        FieldPanel("stream_url"),
    ]
    parent_page_types = ["cms.ConsultationPage"]
    subpage_types: list[str] = []
    template = "cms/town_hall_page.html"

    class Meta:
        verbose_name = _("town hall")

    @property
    def consultation(self):
        from .models import ConsultationPage

        return ConsultationPage.objects.get(pk=self.get_parent().pk)

    def agenda_keys(self) -> list[str]:
        return [k.strip() for k in self.agenda_clause_keys.split(",") if k.strip()]

    def clean(self):
        super().clean()
        refuse_personal_data(self, ("title", "title_ur"))  # public, as written (text.public_fields)
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end time must be after the start time.")})
        keys = self.agenda_keys()
        parent = self.get_parent() if self.pk or self.path else None
        if keys and parent is not None:
            known = set(parent.specific.clauses.values_list("key", flat=True))
            unknown = [k for k in keys if k not in known]
            if unknown:
                raise ValidationError(
                    {
                        "agenda_clause_keys": _("Unknown clause keys: %(keys)s.")
                        % {"keys": ", ".join(unknown)}
                    }
                )

    def embed_url(self) -> str | None:
        return stream_embed_url(self.stream_url)

    def get_context(self, request, *args, **kwargs):
        from consult.live import selectors
        from consult.live.identity import participant_for_request

        context = super().get_context(request, *args, **kwargs)
        participant = participant_for_request(request)
        board = selectors.board(self, participant=participant)
        sort = request.GET.get("sort")
        context["sort"] = sort if sort in QUESTION_SORTS else "votes"
        board["questions"] = selectors.sorted_questions(board["questions"], context["sort"])
        context["board"] = board
        context["is_facilitator"] = selectors.can_facilitate(self, request.user)
        context["ws_path"] = f"/ws/townhall/{self.pk}/"
        return context

    @path("console/", name="console")
    def console_view(self, request):
        """The facilitators' console: every control of the session, for this town hall's
        facilitators only (the actions themselves check again, in the services)."""
        from consult.live import selectors

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not selectors.can_facilitate(self, request.user):
            raise PermissionDenied
        context = super().get_context(request)
        context["board"] = selectors.board(self, facilitator=True)
        context["reject_reasons"] = selectors.reject_reasons()
        context["ws_path"] = f"/ws/townhall/{self.pk}/"
        return TemplateResponse(request, "cms/town_hall_console.html", context)

    @path("screen/", name="screen")
    def screen_view(self, request):
        """The projector's view: large type, public content only, no controls; it follows
        the session over a read-only connection."""
        from consult.live import selectors

        context = super().get_context(request)
        context["board"] = selectors.board(self)
        context["current"] = selectors.current_question(context["board"]["questions"])
        context["ws_path"] = f"/ws/townhall/{self.pk}/screen/"
        return TemplateResponse(request, "cms/town_hall_screen.html", context)

    def serve(self, request, *args, **kwargs):
        """A Jitsi stream's frame may use camera and microphone; our own page never may."""
        from frontend.security_headers import allow_features

        response = super().serve(request, *args, **kwargs)
        embed = self.embed_url()
        if embed and urlparse(embed).hostname in jitsi_hosts():
            origin = f"https://{urlparse(embed).hostname}"
            allow_features(response, camera=[origin], microphone=[origin])
        return response
