"""The rendered clause list of a consultation's reading page, kept in the cache.

A reading page is read far more often than comments arrive: its clause list (the text, the
counts by stance, the newest comments, the highlighted words) is rendered once per change and
then served from the cache (Redis in production, so every daphne process shares it).

Each consultation has a *generation* token in the cache. Saving or deleting any comment on
the consultation, and re-anchoring its comments onto a new version, starts a new generation,
so the next reader renders afresh. The token changes at once and again after the commit: a
reader that rendered between the two (seeing the old rows) stored its copy under the first
token, which nobody asks for again. The TTL bounds anything not tracked here (an edited
clause heading) to a few minutes; a new draft version or a published page revision is part
of the key.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction

CLAUSE_LIST_TTL = 300


def _generation_key(page_id: int) -> str:
    return f"reading:generation:{page_id}"


def generation(page_id: int) -> str:
    key = _generation_key(page_id)
    value = cache.get(key)
    if value is None:
        cache.add(key, uuid.uuid4().hex, None)
        value = cache.get(key, "")
    return value


def comments_changed(page_id: int) -> None:
    """Start a new generation now and once more when the current transaction commits."""

    def bump():
        cache.set(_generation_key(page_id), uuid.uuid4().hex, None)

    bump()
    transaction.on_commit(bump)


def clause_list_key(page, version, *, language: str, is_open: bool, is_latest: bool) -> str:
    return ":".join(
        str(part)
        for part in (
            "reading:clauses",
            page.pk,
            page.latest_revision_id,
            version.pk,
            language,
            int(is_open),
            int(is_latest),
            generation(page.pk),
        )
    )


def on_comment_saved_or_deleted(sender, instance, **kwargs) -> None:
    """Signal receiver for every model in django-comments' hierarchy (the library's own
    views save the base classes too). ``object_pk`` is the consultation page's id."""
    try:
        page_id = int(instance.object_pk)
    except (TypeError, ValueError):
        return
    comments_changed(page_id)


# --- the process record (cms/process_record.py) -------------------------------------------------
# Built from page revisions, versions, town halls, reports and meetings: the same for every
# reader and changed by none of the comments that start a new reading generation, so it
# has a generation of its own, started by what changes it (cms/signals.py).


def _process_key(page_id: int) -> str:
    return f"process:generation:{page_id}"


def process_generation(page_id: int) -> str:
    key = _process_key(page_id)
    value = cache.get(key)
    if value is None:
        cache.add(key, uuid.uuid4().hex, None)
        value = cache.get(key, "")
    return value


def process_changed(page_id: int) -> None:
    """Start a new process-record generation now and once more when the transaction commits."""

    def bump():
        cache.set(_process_key(page_id), uuid.uuid4().hex, None)

    bump()
    transaction.on_commit(bump)
