"""Template helpers for finding one's way: a page's fields in the reader's language, and
the consultation page's ways to take part and to follow the outcome."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from cms import wayfinding
from consult.roles import is_facilitator
from frontend.templatetags.text_direction import text_attrs

register = template.Library()


@register.filter
def local(page, name: str = "title") -> str:
    """``{{ page|local:"summary" }}``: the Urdu field on Urdu pages when filled."""
    return wayfinding.localised(page, name)


@register.filter
def local_attrs(page, name: str = "title") -> str:
    """``<p{{ page|local_attrs:"summary" }}>``: the language and direction of
    ``page|local``, so an English fallback on an Urdu page reads left to right."""
    return text_attrs(wayfinding.localised_lang(page, name))


# Also here, so that templates loading wayfinding need no second library.
register.filter("text_attrs", text_attrs)


@register.inclusion_tag("cms/_ways.html", takes_context=True)
def consultation_ways(context, page):
    """Every way to take part in ``page`` and to follow what becomes of it."""
    user = getattr(context.get("request"), "user", None)
    return {
        "page": page,
        "request": context.get("request"),
        "is_open": page.is_open(),
        "not_yet_open": page.phase == page.Phase.UPCOMING or timezone.now() < page.opens_at,
        "town_halls": wayfinding.town_halls(page),
        "report": wayfinding.published_report(page),
        "record_url": reverse("consult:voice:record", kwargs={"slug": page.slug}),
        "pack_url": reverse("consult:pack", kwargs={"slug": page.slug}),
        "transparency_url": reverse("moderation:transparency", kwargs={"page_id": page.pk}),
        "signed_in": bool(user and user.is_authenticated),
        # Facilitators' tools are reached from the consultation they serve (no other link).
        "facilitator_urls": {
            "facilitate": reverse("consult:facilitate", kwargs={"slug": page.slug}),
            "intake": reverse("consult:voice:intake", kwargs={"slug": page.slug}),
        }
        if is_facilitator(user)
        else None,
        # Ministry editors reach the page's editor (clauses, import, publish) from the page.
        "edit_url": reverse("wagtailadmin_pages:edit", args=[page.pk])
        if user and user.is_authenticated and page.permissions_for_user(user).can_edit()
        else None,
    }


@register.simple_tag(takes_context=True)
def agenda_clauses(context, town_hall) -> list[dict]:
    """A town hall's agenda as readers know the clauses: number and heading, linked."""
    consultation = town_hall.get_parent().specific
    version = consultation.current_version()
    keys = town_hall.agenda_keys()
    if version is None or not keys:
        return []
    clauses = {c.key: c for c in version.clauses.filter(key__in=keys)}
    base = consultation.get_url(context.get("request")) or ""
    items = []
    for key in keys:
        clause = clauses.get(key)
        if clause is None:
            continue
        urdu = get_language() == "ur" and bool(clause.heading_ur)
        items.append(
            {
                "key": key,
                "identifier": clause.identifier,
                "heading": clause.heading_ur if urdu else clause.heading,
                "heading_lang": "ur" if urdu else "en",
                "url": f"{base}#clause-{key}",
            }
        )
    return items
