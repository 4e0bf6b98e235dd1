"""ETag, If-None-Match, Last-Modified and If-Modified-Since for every API answer.

The ETag is Django's ConditionalGetMiddleware's: a digest of the body, so it is right by
construction (a removed submission changes the body, so the tag). Last-Modified is given
where it can be told cheaply and never too early: for a consultation's data, the latest of
its page's publication, its newest draft version, and the moment this process first saw the
current *generation* of its comments (``consult.reading_cache``: every saved, moderated or
re-anchored comment starts a new one, so any change moves the time forward), and the
moments its comment period opened and closed (``is_open`` changes then with no write). An
answer whose content moves with no timestamp at all (a live town hall's votes) carries no
Last-Modified: the ETag alone then answers conditional requests.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Max
from django.middleware.http import ConditionalGetMiddleware
from django.utils import timezone
from django.utils.decorators import decorator_from_middleware
from django.utils.http import http_date

from consult import reading_cache

conditional_get = decorator_from_middleware(ConditionalGetMiddleware)
SEEN_TTL = 7 * 24 * 3600


def comments_changed_at(page_id: int) -> datetime:
    """Not before the last change to the consultation's comments (see module doc)."""
    key = f"api:generation-seen:{page_id}:{reading_cache.generation(page_id)}"
    cache.add(key, time.time(), SEEN_TTL)
    return datetime.fromtimestamp(cache.get(key) or time.time(), tz=UTC)


def period_changed_at(page, now=None) -> datetime | None:
    """The comment period opening or closing changes ``is_open`` with no write to any row:
    the latest of those moments already passed."""
    now = now or timezone.now()
    return max((t for t in (page.opens_at, page.closes_at) if t and t <= now), default=None)


def consultation_changed_at(page, *more) -> datetime:
    from .selectors import last_version_at

    times = [
        comments_changed_at(page.pk),
        last_version_at(page),
        page.last_published_at,
        period_changed_at(page),
        *more,
    ]
    return latest(*times)


def subtree_logged_at(page) -> datetime | None:
    """The latest logged action on the page or below it (publish, unpublish, privacy, move,
    delete): town halls and reports joining or leaving the record."""
    from wagtail.models import PageLogEntry

    below = PageLogEntry.objects.filter(page__path__startswith=page.path)
    return below.aggregate(at=Max("timestamp"))["at"]


def consultations_logged_at() -> datetime | None:
    """The latest logged action on any consultation page (one unpublished leaves the list;
    its entries stay in the log under its content type)."""
    from wagtail.models import PageLogEntry

    from cms.models import ConsultationPage

    kind = ContentType.objects.get_for_model(ConsultationPage)
    return PageLogEntry.objects.filter(content_type=kind).aggregate(at=Max("timestamp"))["at"]


def latest(*times) -> datetime | None:
    return max((t for t in times if t is not None), default=None)


def set_last_modified(response, when: datetime | None):
    if when is not None and response.status_code == 200:
        response["Last-Modified"] = http_date(when.timestamp())
    return response
