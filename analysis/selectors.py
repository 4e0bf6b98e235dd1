"""Reads for the analysis and the report: published submissions, moderation figures, open data."""

from __future__ import annotations

from consult.models import Submission

# Public columns of the open data: never original_text, names, e-mails or IP addresses.
OPEN_DATA_FIELDS = [
    "id",
    "submitted",
    "clause",
    "stance",
    "stakeholder",
    "organisation",
    "language",
    "source",
    "text",
    "theme",
    "campaign",
]


def published_submissions(consultation):
    """Published = is_public and not is_removed; the public text is ``comment`` (redacted)."""
    return Submission.objects.published().filter(consultation=consultation)


def draft_clause_texts(consultation) -> list[str]:
    """The text of every clause of every version of the consultation's draft, in English and
    Urdu: what submissions quote (campaign grouping discounts the quotations)."""
    from drafts.models import ClauseVersion

    rows = ClauseVersion.objects.filter(version__page=consultation).values_list("text", "text_ur")
    return sorted({text for pair in rows for text in pair if text})


def moderation_figures(consultation) -> dict:
    figures = Submission.objects.filter(consultation=consultation).state_counts()
    return {"total": sum(figures.values()), **figures}


def open_data_rows(run):
    """One row per published submission, with its theme and campaign in this run."""
    membership = {}
    from analysis.models import ThemeMember

    for submission_id, theme_number, campaign_number in ThemeMember.objects.filter(
        theme__run=run
    ).values_list("submission_id", "theme__number", "campaign__number"):
        membership[submission_id] = (theme_number, campaign_number)
    rows = published_submissions(run.consultation).order_by("pk")
    for s in rows.values_list(
        "pk",
        "submit_date",
        "clause_key",
        "stance",
        "stakeholder",
        "organisation",
        "language",
        "source",
        "comment",
    ).iterator(chunk_size=2000):
        pk, submitted, clause, stance, stakeholder, organisation, language, source, text = s
        theme, campaign = membership.get(pk, (None, None))
        yield {
            "id": pk,
            "submitted": submitted.isoformat() if submitted else "",
            "clause": clause,
            "stance": stance,
            "stakeholder": stakeholder,
            # Organisations are disclosed publicly; individuals' names never are.
            "organisation": organisation if stakeholder != "individual" else "",
            "language": language,
            "source": source,
            "text": text,
            "theme": theme if theme is not None else "",
            "campaign": campaign if campaign is not None else "",
        }


TOWN_HALL_QUESTION_FIELDS = [
    "town_hall",
    "asked",
    "clause",
    "question",
    "status",
    "votes",
    "answer",
    "answered",
]
POLL_FIELDS = ["town_hall", "opened", "poll", "kind", "status", "answers", "option", "votes"]


def town_hall_questions(consultation):
    """The questions the public saw (approved or answered) with their answers and votes;
    never who asked them."""
    from consult.live.models import Question
    from consult.live.selectors import PUBLIC_QUESTION_STATUSES, town_halls_of

    rows = (
        Question.objects.filter(
            townhall__in=town_halls_of(consultation), status__in=PUBLIC_QUESTION_STATUSES
        )
        .select_related("townhall__page")
        .order_by("townhall_id", "created_at", "pk")
    )
    for q in rows.iterator(chunk_size=2000):
        yield {
            "town_hall": q.townhall.page.title,
            "asked": q.created_at.isoformat(),
            "clause": q.clause_key,
            "question": q.text,
            "status": q.status,
            "votes": q.vote_count,
            "answer": q.answer,
            "answered": q.answered_at.isoformat() if q.answered_at else "",
        }


def poll_results(consultation):
    """One row per poll option with its votes (polls of the consultation's town halls)."""
    from consult.live.models import PollOption
    from consult.live.selectors import town_halls_of

    options = (
        PollOption.objects.filter(poll__townhall__in=town_halls_of(consultation))
        .select_related("poll__townhall__page")
        .order_by("poll__townhall_id", "poll__opened_at", "poll_id", "position")
    )
    for option in options:
        poll = option.poll
        yield {
            "town_hall": poll.townhall.page.title,
            "opened": poll.opened_at.isoformat(),
            "poll": poll.question,
            "kind": poll.kind,
            "status": poll.status,
            "answers": poll.answer_count,
            "option": option.label,
            "votes": option.vote_count,
        }


# --- What changed and why ------------------------------------------------------------------
CHANGE_FIELDS = [
    "clause",
    "identifier",
    "heading",
    "status",
    "first_version",
    "final_version",
    "first_draft",
    "final",
    "redline",
    "themes",
    "responses",
]


def draft_versions_compared(consultation):
    """(first, final): the first published draft version and the one readers see now, or
    (None, None) while there is only one."""
    first = consultation.versions.live().order_by("number").first()
    final = consultation.current_version()
    if first is None or final is None or first.pk == final.pk:
        return None, None
    return first, final


def clause_changes(consultation, run=None, responses=()) -> list[dict]:
    """Every clause whose words changed between the first draft and the final one: its
    redline, and the themes of this run whose submissions are about that clause (most
    submissions first) with the ministry's response to each. A theme whose response names
    the clause as changed stands beside it too. ``responses``: the report's ThemeResponses."""
    from django.db.models import Count

    from analysis.models import Theme, ThemeMember
    from drafts.redline import redline

    first, final = draft_versions_compared(consultation)
    if first is None:
        return []
    rows = [
        r
        for r in redline(list(first.clauses.all()), list(final.clauses.all()))
        if r.status != "unchanged"
    ]
    keys = [r.key for r in rows]
    by_theme = {r.theme_id: r for r in responses if r.theme_id is not None}
    counts: dict[str, dict[int, int]] = {key: {} for key in keys}
    themes = {}
    if run is not None:
        members = (
            ThemeMember.objects.filter(theme__run=run, submission__clause_key__in=keys)
            .values_list("submission__clause_key", "theme_id")
            .annotate(n=Count("pk"))
        )
        for key, theme_id, n in members:
            counts[key][theme_id] = n
        for response in by_theme.values():
            clause = response.changed_clause
            if clause is not None and clause.key in counts:
                counts[clause.key].setdefault(response.theme_id, 0)
        wanted = {t for per_clause in counts.values() for t in per_clause}
        themes = {t.pk: t for t in Theme.objects.filter(run=run, pk__in=wanted)}
    changes = []
    for row in rows:
        clause = row.new or row.old
        assert clause is not None  # a redline row has an old clause, a new one, or both
        led = [
            {"theme": themes[theme_id], "submissions": n, "response": by_theme.get(theme_id)}
            for theme_id, n in sorted(
                counts[row.key].items(), key=lambda item: (-item[1], themes[item[0]].number)
            )
            if theme_id in themes
        ]
        changes.append(
            {
                "key": row.key,
                "identifier": clause.identifier,
                "heading": clause.heading,
                "heading_ur": clause.heading_ur,
                "status": row.status,
                "first_version": first.number,
                "final_version": final.number,
                "first_draft": row.old.text if row.old else "",
                "final": row.new.text if row.new else "",
                "pieces": row.pieces,
                "themes": led,
            }
        )
    return changes


def redline_text(pieces) -> str:
    """A redline as plain text: ``[-deleted-]`` and ``{+inserted+}`` (wdiff's notation)."""
    marks = {"same": "{}", "del": "[-{}-]", "ins": "{{+{}+}}"}
    return "".join(marks[p.kind].format(p.text) for p in pieces)


def clause_change_rows(changes: list[dict]):
    """The open-data rows of ``clause_changes``: one per changed clause (CSV and JSON)."""
    for change in changes:
        yield {
            "clause": change["key"],
            "identifier": change["identifier"],
            "heading": change["heading"],
            "status": change["status"],
            "first_version": change["first_version"],
            "final_version": change["final_version"],
            "first_draft": change["first_draft"],
            "final": change["final"],
            "redline": redline_text(change["pieces"]),
            "themes": "; ".join(
                f"{t['theme'].number}. {t['theme'].label} ({t['submissions']})"
                for t in change["themes"]
            ),
            "responses": "; ".join(
                f"{t['theme'].number}. {r.outcome}" + (f": {r.reason}" if r.reason else "")
                for t in change["themes"]
                if (r := t["response"]) is not None
            ),
        }


def clause_change_json(changes: list[dict]) -> list[dict]:
    """``clause_changes`` for the JSON open data, with the themes and their responses as a
    list rather than the CSV's joined words."""
    rows = []
    for change, row in zip(changes, clause_change_rows(changes), strict=True):
        del row["responses"]
        row["themes"] = [
            {
                "number": t["theme"].number,
                "label": t["theme"].label,
                "submissions": t["submissions"],
                "response": {"outcome": r.outcome, "reason": r.reason}
                if (r := t["response"]) is not None
                else None,
            }
            for t in change["themes"]
        ]
        rows.append(row)
    return rows


# --- Points ---------------------------------------------------------------------------------
POINT_FIELDS = ["submission", "position", "number", "clause", "matched_by", "theme", "text"]


def point_counts(run) -> dict:
    """How many points in all, per theme (by id), per clause (by key), and how many
    submissions made more than one."""
    from django.db.models import Count

    points = run.points.all()
    per_submission = points.values("submission_id").annotate(n=Count("pk"))
    return {
        "total": points.count(),
        "by_theme": dict(points.values_list("theme_id").annotate(n=Count("pk"))),
        "by_clause": dict(points.values_list("clause_key").annotate(n=Count("pk"))),
        "split": per_submission.filter(n__gt=1).count(),
    }


POINT_ROW_FIELDS = [
    "submission_id",
    "position",
    "number",
    "clause_key",
    "matched_by",
    "text",
    "theme__number",
    "submission__comment",
]


def point_rows(run):
    """One row per point of the run's published submissions, with its clause and theme.

    A point's text was copied from the public text when the run was made; a moderator may
    have redacted the submission since. The text goes out only while it is still part of
    the submission's public text: otherwise the row keeps its clause and theme, without
    the words that were taken out."""
    rows = published_points(run).order_by("submission_id", "position")
    for p in rows.iterator(chunk_size=2000):
        yield {
            "submission": p.submission_id,
            "position": p.position,
            "number": p.number,
            "clause": p.clause_key,
            "matched_by": p.matched_by,
            "theme": p.theme.number if p.theme else "",
            "text": public_point_text(p),
        }


def published_points(run):
    """The run's points of submissions that are published now, with what a row shows."""
    published = published_submissions(run.consultation).values("pk")
    return (
        run.points.filter(submission_id__in=published)
        .select_related("theme", "submission")
        .only(*POINT_ROW_FIELDS)
    )


def public_point_text(point) -> str:
    """The point's words while they are still in the submission's public text, else ""."""
    return point.text if point.text in point.submission.comment else ""
