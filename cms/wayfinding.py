"""What a newcomer needs to find their way: the consultations on the home page, and on a
consultation's page every way to take part and every way to follow the outcome.

Read-only selectors; the templates link only to what exists (a town hall that is scheduled,
a report that is published), so nobody follows a link to a dead end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import get_language, override


def localised(page, name: str) -> str:
    """A page's ``name`` in the reader's language: the ``name_ur`` field on Urdu pages when
    the editors filled it, else the English."""
    if get_language() == "ur":
        value = getattr(page, f"{name}_ur", "")
        if value:
            return value
    return getattr(page, name, "")


def localised_lang(page, name: str) -> str:
    """The language the value ``localised`` returns is written in (for its ``lang``)."""
    if get_language() == "ur" and getattr(page, f"{name}_ur", ""):
        return "ur"
    return "en"


@dataclass
class Listing:
    open: list = field(default_factory=list)
    upcoming: list = field(default_factory=list)
    closed: list = field(default_factory=list)


def home_listing(home, at=None) -> Listing:
    """The home page's consultations: open ones closing soonest first, upcoming ones, and
    closed ones newest first, each closed one with its published report (or None)."""
    from cms.models import ConsultationPage
    from cms.report_pages import ReportPage

    at = at or timezone.now()
    listing = Listing()
    pages = ConsultationPage.objects.live().child_of(home).order_by("closes_at")
    for page in pages:
        if page.is_open(at):
            listing.open.append(page)
        elif page.phase == ConsultationPage.Phase.UPCOMING or (
            page.phase == ConsultationPage.Phase.OPEN and at < page.opens_at
        ):
            listing.upcoming.append(page)
        else:
            page.report = ReportPage.objects.live().child_of(page).first()
            listing.closed.append(page)
    listing.closed.reverse()
    return listing


def town_halls(page, at=None) -> list:
    """The consultation's published town halls that have not ended, soonest first; then
    the ended ones (their summaries stay readable), latest first."""
    at = at or timezone.now()
    halls = _published_children(page)[0]
    coming = [h for h in halls if h.ends_at > at]
    ended = [h for h in halls if h.ends_at <= at]
    return coming + ended[::-1]


def published_report(page):
    return _published_children(page)[1]


def _published_children(page) -> tuple[list, object]:
    """The consultation's published town halls (by start) and its published report, from
    the cache: every reading page links them, and they change only when one of them is
    published, unpublished or deleted, which starts a new process-record generation
    (cms/signals.py), as the process record does."""
    from django.core.cache import cache

    from cms.process_record import PROCESS_RECORD_TTL
    from cms.report_pages import ReportPage
    from cms.town_hall_pages import TownHallPage
    from consult.reading_cache import process_generation

    key = f"ways:children:{page.pk}:{process_generation(page.pk)}"
    found = cache.get(key)
    if found is None:
        found = (
            list(TownHallPage.objects.live().child_of(page).order_by("starts_at")),
            ReportPage.objects.live().child_of(page).first(),
        )
        cache.set(key, found, PROCESS_RECORD_TTL)
    return found


class ReaderLanguageUrls:
    """Page URLs in the reader's language (``/ur/...`` on Urdu pages).

    One page serves both languages here (its ``*_ur`` fields), but Wagtail's i18n builds a
    page's URL in the language of the page's locale, so every link and redirect from an
    Urdu page led back to English.
    """

    def get_url_parts(self, request=None):
        parts = super().get_url_parts(request)
        if not parts or parts[2] is None:
            return parts
        site_id, root_url, path = parts
        reader = get_language()
        if reader == settings.LANGUAGE_CODE:
            return parts
        # The path is in the default language's form (no prefix), which only resolves
        # while that language is active.
        with override(settings.LANGUAGE_CODE):
            try:
                match = resolve(path)
            except Resolver404:
                return parts
        with override(reader):
            return site_id, root_url, reverse(match.view_name, args=match.args, kwargs=match.kwargs)
