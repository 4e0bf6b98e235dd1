"""Write paths for drafts: publishing a draft version."""

from __future__ import annotations

from django.db import transaction

from .models import ClauseVersion, ConsultationPage, DraftVersion


def _clause_rows(page: ConsultationPage) -> list[tuple]:
    return [
        (c.key, c.identifier, c.heading, c.heading_ur, c.text)
        for c in page.clauses.all().order_by("sort_order", "pk")
    ]


@transaction.atomic
def publish_draft_version(page: ConsultationPage, user=None, note: str = "") -> DraftVersion:
    """Snapshot the page's working clauses as a new version, unless they are unchanged.

    Returns the version readers now see (the new one, or the latest when nothing changed).
    """
    page = ConsultationPage.objects.select_for_update().get(pk=page.pk)
    rows = _clause_rows(page)
    latest = page.versions.order_by("-number").first()
    if latest is not None:
        published = [
            (c.key, c.identifier, c.heading, c.heading_ur, c.text)
            for c in latest.clauses.order_by("position")
        ]
        if published == rows:
            return latest
    version = DraftVersion.objects.create(
        page=page,
        number=(latest.number + 1) if latest else 1,
        note=note,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    ClauseVersion.objects.bulk_create(
        ClauseVersion(
            version=version,
            key=key,
            position=position,
            identifier=identifier,
            heading=heading,
            heading_ur=heading_ur,
            text=text,
        )
        for position, (key, identifier, heading, heading_ur, text) in enumerate(rows)
    )
    return version
