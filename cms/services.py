"""Write paths for drafts: importing a working draft and publishing a draft version.

Clause keys are the thread that ties versions together: a clause that continues into the
next version keeps its key even when it is renumbered, so its comments can follow it.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from drafts.models import ClauseVersion, DraftVersion, clause_key_for

from .models import Clause, ConsultationPage

# A renumbered clause is "the same clause" when this much of its text survives.
SAME_CLAUSE_SIMILARITY = 0.6
# A clause that kept its key is accepted as "the same clause" on much weaker evidence.
KEY_MATCH_SIMILARITY = 0.3


def _text_similarity(a: str, b: str) -> float:
    """Word-level: letters in common say nothing about two clauses being the same."""
    return SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def stable_keys(previous: list[tuple[str, str]], rows: list[tuple[str, str, str]]) -> list[str]:
    """Keys for ``rows`` (key or '', identifier, text) given the previous (key, text) pairs.

    1. A row keeps its key when the previous clause with that key reads alike (a key filled
       in from a number can otherwise collide with a renumbered clause's old key);
    2. else it takes the key of the most similar unclaimed previous clause (renumbering);
    3. else its own key if still free (a rewritten clause the editor kept), else a new one.
    """
    previous_text = dict(previous)
    claimed: set[str] = set()
    keys: list[str | None] = [None] * len(rows)
    wanted = [key for key, _identifier, _text in rows]
    for i, (key, _identifier, text) in enumerate(rows):
        if (
            key in previous_text
            and wanted.count(key) == 1
            and _text_similarity(previous_text[key], text) >= KEY_MATCH_SIMILARITY
        ):
            keys[i] = key
            claimed.add(key)
    for i, (_key, _identifier, text) in enumerate(rows):
        if keys[i] is not None:
            continue
        best_key, best = None, SAME_CLAUSE_SIMILARITY
        for old_key, old_text in previous:
            if old_key in claimed:
                continue
            ratio = _text_similarity(old_text, text)
            if ratio >= best:
                best_key, best = old_key, ratio
        if best_key is not None:
            keys[i] = best_key
            claimed.add(best_key)
    for i, (key, _identifier, _text) in enumerate(rows):
        if keys[i] is None and key and key not in claimed and wanted.count(key) == 1:
            keys[i] = key
            claimed.add(key)
    taken = set(claimed) | set(previous_text)
    for i, (_key, identifier, _text) in enumerate(rows):
        if keys[i] is not None:
            continue
        base = candidate = clause_key_for(identifier)
        n = 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        keys[i] = candidate
        taken.add(candidate)
    return [k for k in keys if k is not None]


def _clause_rows(page: ConsultationPage) -> list[tuple]:
    return [
        (c.key, c.identifier, c.heading, c.heading_ur, c.text)
        for c in page.clauses.all().order_by("sort_order", "pk")
    ]


@transaction.atomic
def publish_draft_version(page: ConsultationPage, user=None, note: str = "") -> DraftVersion:
    """Snapshot the page's working clauses as a new version, unless they are unchanged.

    Every open comment on the version readers see is then moved onto the new one by a
    background task (``consult.services.run_reanchoring``, progress on the version); readers
    keep the previous version until it has finished. Returns the new version.
    """
    from consult.services import enqueue_reanchoring

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
        keys = stable_keys([(r[0], r[4]) for r in published], [(r[0], r[1], r[4]) for r in rows])
    else:
        keys = stable_keys([], [(r[0], r[1], r[4]) for r in rows])
    live = page.current_version()
    # A version still waiting for its comments will never be shown: this one replaces it
    # and takes the comments straight from the version readers see.
    page.versions.filter(anchoring=DraftVersion.Anchoring.PENDING).update(
        anchoring=DraftVersion.Anchoring.SUPERSEDED
    )
    version = DraftVersion.objects.create(
        page=page,
        number=(latest.number + 1) if latest else 1,
        note=note,
        created_by=user if user is not None and user.is_authenticated else None,
        anchoring=DraftVersion.Anchoring.PENDING if live else DraftVersion.Anchoring.DONE,
        anchoring_source=live,
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
        for position, (key, (_k, identifier, heading, heading_ur, text)) in enumerate(
            zip(keys, rows, strict=True)
        )
    )
    # The working copy learns the keys, so the next version matches by key again.
    for clause, key in zip(page.clauses.all().order_by("sort_order", "pk"), keys, strict=True):
        if clause.key != key:
            Clause.objects.filter(pk=clause.pk).update(key=key)
    if live is not None:
        transaction.on_commit(partial(enqueue_reanchoring, version.pk))
    return version


def check_can_edit_draft(page: ConsultationPage, user) -> None:
    if user is None or not page.permissions_for_user(user).can_edit():
        raise PermissionDenied(_("You may not edit this consultation's draft."))


@transaction.atomic
def replace_working_draft(page: ConsultationPage, clauses: list[dict], user=None):
    """Replace the working draft with imported clauses, saved as a new (unpublished) revision.

    Keys carry over from the current working clauses by key or by text similarity, so
    comments can follow clauses that continue. The editor publishes the revision as usual.
    """
    check_can_edit_draft(page, user)
    if not clauses:
        raise ValidationError(_("The draft has no numbered clauses to import."))
    draft = page.get_latest_revision_as_object()
    previous = [(c.key, c.text) for c in draft.clauses.all()]
    keys = stable_keys(previous, [("", c["identifier"], c["text"]) for c in clauses])
    draft.clauses = [
        Clause(
            key=key,
            identifier=c["identifier"][:32],
            heading=c.get("heading", "")[:255],
            text=c["text"],
            sort_order=i,
        )
        for i, (key, c) in enumerate(zip(keys, clauses, strict=True))
    ]
    return draft.save_revision(user=user, log_action=True)
