"""Write paths for drafts: importing a working draft and publishing a draft version.

Clause keys are the thread that ties versions together: a clause that continues into the
next version keeps its key even when it is renumbered, so its comments can follow it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
        (c.key, c.identifier, c.heading, c.heading_ur, c.text, c.text_ur)
        for c in page.clauses.all().order_by("sort_order", "pk")
    ]


def urdu_left_behind(previous: ClauseVersion | None, text: str, text_ur: str) -> bool:
    """Whether a clause's Urdu text is an older translation: the English changed (now, or in
    an earlier version with the Urdu left as it was since) while the Urdu did not."""
    if previous is None or not text_ur or text_ur != previous.text_ur:
        return False
    return text != previous.text or previous.text_ur_behind


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
    previous: dict[str, ClauseVersion] = {}
    if latest is not None:
        previous = {c.key: c for c in latest.clauses.order_by("position")}
        published = [
            (c.key, c.identifier, c.heading, c.heading_ur, c.text, c.text_ur)
            for c in previous.values()
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
            text_ur=text_ur,
            text_ur_behind=urdu_left_behind(previous.get(key), text, text_ur),
        )
        for position, (key, (_k, identifier, heading, heading_ur, text, text_ur)) in enumerate(
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


# The fields of a clause an import may lack while the working draft has them, and how the
# preview names them.
KEEPABLE_FIELDS = {
    "heading": gettext_lazy("heading"),
    "heading_ur": gettext_lazy("Urdu heading"),
    "text_ur": gettext_lazy("Urdu text"),
}
CLAUSE_FIELDS = ("identifier", "heading", "heading_ur", "text", "text_ur")


@dataclass
class ImportRow:
    """One clause of an import preview: ``added`` (new), ``removed`` (in the working draft,
    not in the import), ``changed`` or ``unchanged``. ``missing``: the fields the working
    clause has and the import lacks, (field, label, working value)."""

    status: str
    key: str
    identifier: str
    old: dict | None
    new: dict | None
    missing: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class ImportPlan:
    """What replacing the working draft with an import changes (``plan_import``)."""

    rows: list[ImportRow]

    def counts(self) -> dict[str, int]:
        counts = {"added": 0, "removed": 0, "changed": 0, "unchanged": 0}
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def removed(self) -> list[ImportRow]:
        return [row for row in self.rows if row.status == "removed"]

    @property
    def missing(self) -> list[ImportRow]:
        """Continuing clauses with a heading or Urdu the import lacks."""
        return [row for row in self.rows if row.missing]

    def has_losses(self, keep_missing: bool) -> bool:
        """Whether applying it drops words: removed clauses, or (unless kept) the headings
        and Urdu of continuing clauses that the import lacks."""
        return bool(self.removed) or (not keep_missing and bool(self.missing))


def _values(clause) -> dict:
    if isinstance(clause, dict):
        return {name: str(clause.get(name) or "") for name in CLAUSE_FIELDS}
    return {name: getattr(clause, name) for name in CLAUSE_FIELDS}


def _merged(new: dict, old: dict | None, keep_missing: bool) -> dict:
    """The imported clause, with the working clause's heading and Urdu where the import has
    none and the editor keeps them."""
    merged = dict(new)
    if old is not None and keep_missing:
        for name in KEEPABLE_FIELDS:
            if not merged[name] and old[name]:
                merged[name] = old[name]
    return merged


# A working clause added in the editor has no key until it is published: it stands in the
# plan under a name of its own, and leaves it without a key (filled from its number on save).
UNSAVED_KEY = "__unsaved-"


def _import_rows(page: ConsultationPage, clauses: list[dict], keep_missing: bool):
    draft = page.get_latest_revision_as_object()
    working = list(draft.clauses.all())
    for i, c in enumerate(working):
        c.key = c.key or f"{UNSAVED_KEY}{i}"
    old_by_key = {c.key: _values(c) for c in working}
    new_values = [_values(c) for c in clauses]
    keys = stable_keys(
        [(c.key, c.text) for c in working], [("", c["identifier"], c["text"]) for c in new_values]
    )
    rows: list[ImportRow] = []
    for key, new in zip(keys, new_values, strict=True):
        old = old_by_key.get(key)
        if old is None:
            rows.append(ImportRow("added", key, new["identifier"], None, new))
            continue
        missing = [
            (name, str(label), old[name])
            for name, label in KEEPABLE_FIELDS.items()
            if old[name] and not new[name]
        ]
        status = "unchanged" if _merged(new, old, keep_missing) == old else "changed"
        rows.append(ImportRow(status, key, new["identifier"], old, new, missing))
    claimed = set(keys)
    for c in working:
        if c.key not in claimed:
            rows.append(ImportRow("removed", c.key, c.identifier, old_by_key[c.key], None))
    return draft, rows


def plan_import(page: ConsultationPage, clauses: list[dict], keep_missing: bool = True):
    """The preview of replacing the working draft with ``clauses``: every clause added,
    removed, changed or unchanged, and the headings and Urdu the import lacks."""
    return ImportPlan(_import_rows(page, clauses, keep_missing)[1])


@transaction.atomic
def replace_working_draft(
    page: ConsultationPage,
    clauses: list[dict],
    user=None,
    *,
    keep_missing: bool = True,
    accept_losses: bool = False,
):
    """Replace the working draft with imported clauses, saved as a new (unpublished) revision.

    Keys carry over from the current working clauses by key or by text similarity, so
    comments can follow clauses that continue. A continuing clause keeps its heading, Urdu
    heading and Urdu text where the import has none (``keep_missing``), unless the editor
    chose to drop them. Nothing is dropped silently: when clauses would be removed, or
    headings or Urdu dropped, the editor must have accepted it (``accept_losses``, after
    seeing ``plan_import``). The editor publishes the revision as usual.
    """
    check_can_edit_draft(page, user)
    if not clauses:
        raise ValidationError(_("The draft has no numbered clauses to import."))
    draft, rows = _import_rows(page, clauses, keep_missing)
    plan = ImportPlan(rows)
    if plan.has_losses(keep_missing) and not accept_losses:
        raise ValidationError(
            _(
                "This import removes clauses or drops headings or Urdu text (see the preview). "
                "Tick the box to confirm that they may go."
            ),
            code="losses",
        )
    kept = [row for row in rows if row.status != "removed"]
    draft.clauses = [
        Clause(
            key="" if row.key.startswith(UNSAVED_KEY) else row.key,
            sort_order=i,
            **_clause_fields(_merged(row.new, row.old, keep_missing)),
        )
        for i, row in enumerate(kept)
        if row.new is not None
    ]
    return draft.save_revision(user=user, log_action=True)


def _clause_fields(values: dict) -> dict:
    return {
        "identifier": values["identifier"][:32],
        "heading": values["heading"][:255],
        "heading_ur": values["heading_ur"][:255],
        "text": values["text"],
        "text_ur": values["text_ur"],
    }
