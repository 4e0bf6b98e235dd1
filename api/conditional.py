"""ETag, If-None-Match, Last-Modified and If-Modified-Since for every API answer.

The ETag is Django's ConditionalGetMiddleware's: a digest of the body, so it is right by
construction (a removed submission changes the body, so the tag). Last-Modified is given
where it can be told cheaply and never too early: for a consultation's data, the latest of
its page's publication, its newest draft version, and the moment this process first saw the
current *generation* of its comments (``consult.reading_cache``: every saved, moderated or
re-anchored comment starts a new one, so any change moves the time forward).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.core.cache import cache
from django.middleware.http import ConditionalGetMiddleware
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


def consultation_changed_at(page, *more) -> datetime:
    from .selectors import last_version_at

    times = [comments_changed_at(page.pk), last_version_at(page), page.last_published_at, *more]
    return max(t for t in times if t is not None)


def set_last_modified(response, when: datetime | None):
    if when is not None and response.status_code == 200:
        response["Last-Modified"] = http_date(when.timestamp())
    return response
