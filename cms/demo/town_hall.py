"""A town hall on the demo consultation, for tests, the browser test and the benchmark."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from cms.models import ConsultationPage, TownHallPage


def make_town_hall(
    consultation: ConsultationPage | None = None, slug: str = "town-hall", facilitator=None
) -> TownHallPage:
    """Create (or return) a published town hall under the demo consultation."""
    if consultation is None:
        from cms.demo.consultation import load_demo

        consultation, _ = load_demo()
    existing = TownHallPage.objects.child_of(consultation).filter(slug=slug).first()
    if existing is not None:
        return existing
    if facilitator is None:
        facilitator, _ = get_user_model().objects.get_or_create(
            username="facilitator", defaults={"email": "facilitator@example.org"}
        )
    keys = list(consultation.clauses.values_list("key", flat=True)[:3])
    now = timezone.now()
    page = TownHallPage(
        title="Town hall: questions to the ministry",
        slug=slug,
        starts_at=now,
        ends_at=now + timedelta(hours=2),
        agenda_clause_keys=", ".join(keys),
        language="en",
    )
    consultation.add_child(instance=page)
    page.facilitators.set([facilitator])
    page.save_revision().publish()  # and its runtime row (cms.signals)
    return TownHallPage.objects.get(pk=page.pk)
