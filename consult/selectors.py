"""Reads for the public reading page. A fixed number of queries, however many comments."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber

from consult.models import Source, Stakeholder, Stance, Submission
from drafts.models import ClauseVersion, DraftVersion

COMMENTS_PER_CLAUSE = 3
# One clause's own page shows its comment threads a page at a time, newest first: a clause
# with thousands of comments must not become one page of megabytes.
THREADS_PER_CLAUSE_PAGE = 50
# The whole draft shows the first replies of each thread shown; the clause's page has all.
REPLIES_PER_THREAD_ON_DRAFT = 10
MAX_CLAUSE_PAGE = 10_000


def published(queryset=None):
    queryset = Submission.objects.all() if queryset is None else queryset
    return queryset.published()


@dataclass
class ClauseView:
    clause: ClauseVersion
    counts: dict[str, int] = field(default_factory=dict)
    comments: list[Submission] = field(default_factory=list)
    total: int = 0
    segments: list[tuple[str, str]] = field(default_factory=list)  # (text, mark ids)
    # The Urdu text's pieces, marked with the comments on Urdu words ([] with no Urdu text).
    segments_ur: list[tuple[str, str]] = field(default_factory=list)
    client_token: str = ""  # idempotency token for this clause's form, made per render
    form_html: str = ""
    page_number: int = 1  # one clause's page: which page of its threads
    has_older: bool = False

    stance_counts: list[tuple[str, str, int]] = field(default_factory=list)
    # The latest version only: published comments on this clause's earlier wording that
    # re-anchoring could not place (orphaned), newest first, and how many there are.
    earlier: list[Submission] = field(default_factory=list)
    earlier_total: int = 0


def version_comments(version: DraftVersion, is_latest: bool = True) -> tuple:
    """The published comments a reader of ``version`` sees, and the field that says which of
    its clauses each belongs to. The latest version: the comments on its clauses (moved
    onto them as versions changed). An earlier version: the comments written on it, by
    clause key, wherever re-anchoring has since moved them."""
    if is_latest:
        return published().filter(clause__version=version), "clause_id"
    return (
        published().filter(consultation_id=version.page_id, written_on_version=version.number),
        "clause_key",
    )


def _on_clauses(comments, group: str, clause_keys: list[str]):
    """Comments on the clauses with these keys: by the clause they are on for the latest
    version (a comment's own ``clause_key`` may be empty on rows older than the field), by
    their ``clause_key`` for an earlier one."""
    if group == "clause_id":
        return comments.filter(clause__key__in=clause_keys)
    return comments.filter(clause_key__in=clause_keys)


def stance_counts(
    version: DraftVersion, is_latest: bool = True, clause_keys: list[str] | None = None
) -> dict:
    """{clause id (latest) or key (earlier): {stance: count}} for published comments, in one
    aggregate query (the clauses with ``clause_keys`` only, when given)."""
    comments, group = version_comments(version, is_latest)
    if clause_keys is not None:
        comments = _on_clauses(comments, group, clause_keys)
    rows = comments.values(group, "stance").annotate(n=Count("id")).order_by()
    counts: dict = {}
    for row in rows:
        counts.setdefault(row[group], {})[row["stance"]] = row["n"]
    return counts


SHOWN_FIELDS = [
    "id",
    "comment",
    "language",  # the lang and dir of the text
    "submit_date",
    "level",
    "thread_id",
    "order",
    "user_name",
    "clause_id",
    "stance",
    "stakeholder",
    "organisation",
    "display_mode",
    "proposed_wording",
    "public_alias",
    "anchor_language",
    "anchor_exact",
    "written_on_exact",
    "written_on_version",
    "anchor_start",
    "anchor_end",
    "anchor_status",
    "language",
    "source",
]


def latest_threads(
    version: DraftVersion,
    per_clause: int,
    clause_key: str = "",
    offset: int = 0,
    is_latest: bool = True,
    clause_keys: list[str] | None = None,
) -> list:
    """The newest top-level comments per clause and their replies, in three queries.

    A window query ranks comments per clause and returns only ids; the full rows are then
    fetched for the few shown. With ``clause_key`` and ``per_clause``, one clause's threads
    ``offset`` to ``offset + per_clause`` (newest first); with ``clause_keys``, those
    clauses' only.
    """
    comments, group = version_comments(version, is_latest)
    top = comments.filter(level=0)
    if clause_keys is not None:
        top = _on_clauses(top, group, clause_keys)
    if clause_key:
        top = (
            top.filter(clause_key=clause_key)
            if group == "clause_key"
            else top.filter(clause__key=clause_key)
        )
    if clause_key and per_clause:
        top = top.order_by("-submit_date", "-id")[offset : offset + per_clause]
    elif per_clause:
        # The database ranks; only the ids of the newest few per clause come back.
        top = top.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F(group)],
                order_by=[F("submit_date").desc(), F("id").desc()],
            )
        ).filter(rank__lte=per_clause)
    ids = list(top.values_list("id", flat=True))
    top_list = list(
        Submission.objects.filter(pk__in=ids).select_related(None).only(*SHOWN_FIELDS, "clause_key")
    )
    replies = published().filter(thread_id__in=ids, level__gt=0)
    if per_clause and not clause_key:
        replies = replies.annotate(
            reply_rank=Window(
                RowNumber(), partition_by=[F("thread_id")], order_by=[F("order").asc()]
            )
        ).filter(reply_rank__lte=REPLIES_PER_THREAD_ON_DRAFT)
    replies = list(
        replies.select_related(None)
        .only(*SHOWN_FIELDS, "clause_key")
        .order_by("thread_id", "order")
    )
    by_thread: dict[int, list] = {}
    for reply in replies:
        by_thread.setdefault(reply.thread_id, []).append(reply)
    ordered = []
    for comment in sorted(top_list, key=lambda c: (getattr(c, group), -c.submit_date.timestamp())):
        ordered.append(comment)
        ordered.extend(by_thread.get(comment.pk, []))
    return ordered


class ChoiceLabels:
    """A comment's stance, stakeholder and source labels, resolved once per request:
    get_FOO_display() re-hashes the lazy choices on every call."""

    def __init__(self):
        self.stance = {value: str(label) for value, label in Stance.choices}
        self.stakeholder = {value: str(label) for value, label in Stakeholder.choices}
        self.source = {value: str(label) for value, label in Source.choices}

    def apply(self, comment) -> None:
        comment.stance_label = self.stance.get(comment.stance, comment.stance)
        comment.stakeholder_label = self.stakeholder.get(comment.stakeholder, "")
        comment.source_label = self.source.get(comment.source, "")


def highlight_segments(text: str, spans: list[tuple[int, int, int]]) -> list[tuple[str, str]]:
    """Split clause text into (piece, 'comment ids') with anchored words marked."""
    spans = sorted((s, e, i) for s, e, i in spans if 0 <= s < e <= len(text))
    merged: list[list] = []
    for start, end, ident in spans:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2].append(ident)
        else:
            merged.append([start, end, [ident]])
    segments, at = [], 0
    for start, end, idents in merged:
        if start > at:
            segments.append((text[at:start], ""))
        segments.append((text[start:end], " ".join(f"comment-{i}" for i in idents)))
        at = end
    if at < len(text):
        segments.append((text[at:], ""))
    return segments


def reading_versions(page, version_number=None) -> dict:
    """The versions of a draft and the one being read (the latest unless asked): one query."""
    versions = list(page.versions.live().order_by("number"))
    if not versions:
        return {"versions": [], "version": None, "is_latest": True}
    version = versions[-1]
    if version_number is not None:
        version = next((v for v in versions if v.number == version_number), version)
    return {"versions": versions, "version": version, "is_latest": version == versions[-1]}


def clause_views(
    version: DraftVersion | None,
    clause_key: str = "",
    page_number: int = 1,
    is_latest=True,
    only_keys: list[str] | None = None,
) -> list[ClauseView]:
    """Each clause of ``version`` with its stance counts, newest comments and highlighted
    words: four queries, however many clauses and comments. One clause's page
    (``clause_key``) shows page ``page_number`` of its threads; its view says whether there
    are older ones (``has_older``). An earlier version shows the comments written on it,
    marked on the words they were written on. ``only_keys``: the whole draft's views of
    those clauses only (the ones a new comment changed, cms.reading.latest_clause_items)."""
    if version is None:
        return []
    clauses = version.clauses.order_by("position")
    if clause_key:
        clauses = clauses.filter(key=clause_key)
    if only_keys is not None:
        clauses = clauses.filter(key__in=only_keys)
    # Comments find their clause by id on the latest version, by key on an earlier one.
    views: dict[int | str, ClauseView] = {
        (c.pk if is_latest else c.key): ClauseView(c) for c in clauses
    }
    group = "clause_id" if is_latest else "clause_key"
    for place, counts in stance_counts(version, is_latest, only_keys).items():
        if place in views:
            views[place].counts = counts
            views[place].total = sum(counts.values())
    labels = ChoiceLabels()
    per_clause = COMMENTS_PER_CLAUSE
    offset = 0
    if clause_key:
        page_number = min(max(1, page_number), MAX_CLAUSE_PAGE)
        offset = (page_number - 1) * THREADS_PER_CLAUSE_PAGE
        per_clause = THREADS_PER_CLAUSE_PAGE + 1  # one more says whether older ones exist
    shown_threads: dict[int | str, int] = {}
    for comment in latest_threads(version, per_clause, clause_key, offset, is_latest, only_keys):
        place = getattr(comment, group)
        if clause_key and comment.level == 0:
            shown_threads[place] = shown_threads.get(place, 0) + 1
            if shown_threads[place] > THREADS_PER_CLAUSE_PAGE:
                views[place].has_older = True
                continue
        if (
            clause_key
            and comment.level > 0
            and (shown_threads.get(place, 0) > THREADS_PER_CLAUSE_PAGE)
        ):
            continue  # replies of the thread held back for the next page
        if place in views:
            labels.apply(comment)
            if not is_latest:
                _as_written(comment, views[place].clause)
            views[place].comments.append(comment)
    for view in views.values():
        view.page_number = page_number if clause_key else 1
        view.stance_counts = [
            (value, label, view.counts.get(value, 0)) for value, label in labels.stance.items()
        ]
        spans: dict[str, list[tuple[int, int, int]]] = {"en": [], "ur": []}
        for c in view.comments:
            if c.anchor_exact and c.anchor_start is not None and c.anchor_end is not None:
                spans.setdefault(c.anchor_language, []).append((c.anchor_start, c.anchor_end, c.pk))
        # Each comment is marked on the words of the language it was written on.
        view.segments = highlight_segments(view.clause.text, spans["en"])
        if view.clause.text_ur:
            view.segments_ur = highlight_segments(view.clause.text_ur, spans["ur"])
    return list(views.values())


def _as_written(comment: Submission, clause: ClauseVersion) -> None:
    """Show a comment on the version it was written on with the words it quoted there (not
    the words re-anchoring later moved it to), marked where they stand in that text. In
    memory only: nothing is saved."""
    if not comment.written_on_exact:
        return
    text = clause.text_in(comment.anchor_language or "en")
    start = text.find(comment.written_on_exact)
    comment.anchor_exact = comment.written_on_exact
    comment.anchor_status = "exact"
    if start < 0:
        comment.anchor_start = comment.anchor_end = None
    else:
        comment.anchor_start, comment.anchor_end = start, start + len(comment.written_on_exact)


EARLIER_PER_CLAUSE = 5


def attach_earlier_wording(views: list[ClauseView], version: DraftVersion) -> None:
    """Give each clause of the latest ``version`` the published comments left on its
    earlier wording (orphaned by a revision): readers still see them, under their own
    heading, with the words they were written on. Two queries."""
    keys = {view.clause.key: view for view in views}
    orphans = published().filter(
        consultation_id=version.page_id,
        anchor_status="orphaned",
        clause_key__in=list(keys),
        clause__version__number__lt=version.number,
    )
    totals = orphans.order_by().values("clause_key").annotate(n=Count("pk"))
    for row in totals:
        keys[row["clause_key"]].earlier_total = row["n"]
    shown = (
        orphans.select_related(None)
        .only(*SHOWN_FIELDS, "clause_key")
        .order_by("-submit_date")[: EARLIER_PER_CLAUSE * len(keys)]
    )
    labels = ChoiceLabels()
    for comment in shown:
        view = keys[comment.clause_key]
        if len(view.earlier) < EARLIER_PER_CLAUSE:
            labels.apply(comment)
            view.earlier.append(comment)


def orphaned_submissions(page=None):
    """Comments a new version left behind, for the moderators' review list."""
    queryset = Submission.objects.filter(anchor_status="orphaned", is_removed=False)
    if page is not None:
        queryset = queryset.filter(consultation=page)
    return queryset.select_related("clause", "clause__version", "consultation").order_by(
        "consultation_id", "clause__key", "submit_date"
    )
