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


def _token(key: str) -> str:
    """The cache's token under ``key``, made (once, whoever asks first) if there is none."""
    value = cache.get(key)
    if value is None:
        cache.add(key, uuid.uuid4().hex, None)
        value = cache.get(key, "")
    return value


def generation(page_id: int) -> str:
    return _token(_generation_key(page_id))


def comments_changed(page_id: int, clause_key: str = "") -> None:
    """Start a new generation now and once more when the current transaction commits: of
    the page's clause list, and of the one clause a comment is on (``clause_key``) or, without
    one, of every clause (re-anchoring, a comment on no clause)."""
    keys = [_generation_key(page_id), _clause_generation_key(page_id, clause_key)]

    def bump():
        cache.set_many({key: uuid.uuid4().hex for key in keys}, None)

    bump()
    transaction.on_commit(bump)


def _clause_generation_key(page_id: int, clause_key: str) -> str:
    # "" is every clause's: a clause's token is the page-wide one and its own together.
    return f"reading:clause-generation:{page_id}:{clause_key}"


def clause_generations(page_id: int, clause_keys: list[str]) -> dict[str, str]:
    """{clause key: token} that changes whenever a comment on that clause does (or every
    clause's does): under a deadline flood each comment changes one clause, so the next
    reader renders that one and takes the others from the cache (cms.reading)."""
    keys = {key: _clause_generation_key(page_id, key) for key in ["", *clause_keys]}
    found = cache.get_many(list(keys.values()))
    missing = {cache_key: uuid.uuid4().hex for cache_key in keys.values() if cache_key not in found}
    for cache_key, token in missing.items():
        if not cache.add(cache_key, token, None):  # another reader made it first
            token = cache.get(cache_key, token)
        found[cache_key] = token
    every = found[keys[""]]
    return {key: f"{every}:{found[keys[key]]}" for key in clause_keys}


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
    comments_changed(page_id, getattr(instance, "clause_key", "") or "")


# --- the process record (cms/process_record.py) -------------------------------------------------
# Built from page revisions, versions, town halls, reports and meetings: the same for every
# reader and changed by none of the comments that start a new reading generation, so it
# has a generation of its own, started by what changes it (cms/signals.py).


def _process_key(page_id: int) -> str:
    return f"process:generation:{page_id}"


def process_generation(page_id: int) -> str:
    return _token(_process_key(page_id))


def process_changed(page_id: int) -> None:
    """Start a new process-record generation now and once more when the transaction commits."""

    def bump():
        cache.set(_process_key(page_id), uuid.uuid4().hex, None)

    bump()
    transaction.on_commit(bump)
