"""The analyst's workspace: the changes a person makes to what an analysis found.

The clustering proposes themes; an analyst who has read the submissions knows better where
two themes are one, where a label misleads, which quote says it best, and what is outside the
consultation's scope. Each change here is one service call: it checks the analyst's
permission, validates, writes in one transaction and leaves an audit entry, so the report's
method section can say what people changed (``analyst_changes``) and anyone can trace it.
"""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from analysis.models import Point, Theme, ThemeMember
from analysis.services import check_can_run_analysis
from consult.audit import record
from consult.models import AuditLog, Submission
from text.public_fields import personal_data_error

RENAMED = "analysis.theme_renamed"
MERGED = "analysis.themes_merged"
MOVED = "analysis.submission_moved"
PINNED = "analysis.quote_pinned"
SCOPED = "analysis.theme_scope"
ACTIONS = (RENAMED, MERGED, MOVED, PINNED, SCOPED)
MAX_LABEL = 120


def _theme(theme_id, run_id=None) -> Theme:
    theme = Theme.objects.select_for_update().filter(pk=theme_id).first()
    if theme is None or (run_id is not None and theme.run_id != run_id):
        raise ValidationError(_("There is no such theme in this analysis."))
    return theme


def rename_theme(theme_id: int, label: str, user) -> Theme:
    """A label people can read; public, so screened like any public text."""
    check_can_run_analysis(user)
    label = " ".join((label or "").split())
    if not label:
        raise ValidationError(_("Give the theme a name."))
    if len(label) > MAX_LABEL:
        raise ValidationError(_("A theme's name has at most %(n)d characters.") % {"n": MAX_LABEL})
    problem = personal_data_error(label)
    if problem:
        raise ValidationError(problem)
    with transaction.atomic():
        theme = _theme(theme_id)
        old = theme.label
        theme.label = label
        theme.save(update_fields=["label"])
        record(RENAMED, actor=user, target=theme, before_text=old, after_text=label)
    return theme


def merge_themes(theme_id: int, into: int, user) -> Theme:
    """``theme_id``'s submissions, points and quotes join ``into``; it is then deleted (a
    ministry response to it moves too unless ``into`` has one)."""
    check_can_run_analysis(user)
    if int(theme_id) == int(into):
        raise ValidationError(_("Choose another theme to merge with."))
    with transaction.atomic():
        target = _theme(into)
        source = _theme(theme_id, target.run_id)
        have = set(target.members.values_list("submission_id", flat=True))
        source.members.exclude(submission_id__in=have).update(theme=target)
        Point.objects.filter(theme=source).update(theme=target)
        answered = target.responses.exists()
        if not answered:
            source.responses.update(theme=target)
        target.quotes = _unique_quotes(target.quotes + source.quotes)
        target.terms = list(dict.fromkeys(target.terms + source.terms))[:10]
        _refresh_figures(target)
        record(
            MERGED,
            actor=user,
            target=target,
            before_text=f"{source.number}. {source.label}",
            after_text=f"{target.number}. {target.label}",
        )
        source.delete()
    return target


def move_submission(submission_id: int, source: int, target: int, user) -> None:
    """One submission (with its points) from theme ``source`` to theme ``target``."""
    check_can_run_analysis(user)
    with transaction.atomic():
        to_theme = _theme(target)
        from_theme = _theme(source, to_theme.run_id)
        member = from_theme.members.filter(submission_id=submission_id).first()
        if member is None or from_theme.pk == to_theme.pk:
            raise ValidationError(_("That submission is not in the first theme."))
        member.theme = to_theme
        member.save(update_fields=["theme"])
        Point.objects.filter(theme=from_theme, submission_id=submission_id).update(theme=to_theme)
        from_theme.quotes = [q for q in from_theme.quotes if q["id"] != int(submission_id)]
        for theme in (from_theme, to_theme):
            _refresh_figures(theme)
        record(
            MOVED,
            actor=user,
            target=to_theme,
            submission=Submission.objects.filter(pk=submission_id).first(),
            before_text=f"{from_theme.number}. {from_theme.label}",
            after_text=f"{to_theme.number}. {to_theme.label}",
        )


def pin_quote(theme_id: int, submission_id: int, user) -> Theme:
    """The quote the report shows first for this theme."""
    check_can_run_analysis(user)
    with transaction.atomic():
        theme = _theme(theme_id)
        quote = next((q for q in theme.quotes if q["id"] == int(submission_id)), None)
        if quote is None:
            raise ValidationError(_("That submission is not one of this theme's quotes."))
        others = [q | {"pinned": False} for q in theme.quotes if q is not quote]
        theme.quotes = [quote | {"pinned": True}, *others]
        theme.save(update_fields=["quotes"])
        record(PINNED, actor=user, target=theme, after_text=str(submission_id))
    return theme


def set_out_of_scope(theme_id: int, out_of_scope: bool, user) -> Theme:
    """A theme outside what the consultation asked (it stays in the report, set aside, with
    its submissions counted and linked)."""
    check_can_run_analysis(user)
    with transaction.atomic():
        theme = _theme(theme_id)
        if theme.out_of_scope != bool(out_of_scope):
            theme.out_of_scope = bool(out_of_scope)
            theme.save(update_fields=["out_of_scope"])
            record(
                SCOPED,
                actor=user,
                target=theme,
                after_text="out of scope" if out_of_scope else "in scope",
            )
    return theme


def analyst_changes(run) -> dict[str, int]:
    """How many of each change analysts made to this run's themes (for the method)."""
    theme_ids = set(run.themes.values_list("pk", flat=True))
    entries = AuditLog.objects.filter(action__in=ACTIONS, target_type="analysis.theme")
    counts = Counter()
    for action, target_id in entries.values_list("action", "target_id"):
        if action == SCOPED:
            continue
        if target_id.isdigit() and int(target_id) in theme_ids:
            counts[action] += 1
    counts[SCOPED] = run.themes.filter(out_of_scope=True).count()
    return {action.rsplit(".", 1)[1]: n for action, n in counts.items() if n}


def _unique_quotes(quotes: list[dict], limit: int = 5) -> list[dict]:
    seen, kept = set(), []
    for quote in quotes:
        if quote["id"] not in seen:
            seen.add(quote["id"])
            kept.append(quote)
    return kept[:limit]


def _refresh_figures(theme: Theme) -> None:
    """Size, distinct texts and stakeholder counts from the theme's members as they are now."""
    members = ThemeMember.objects.filter(theme=theme).select_related("submission")
    texts, stakeholders = set(), Counter()
    size = 0
    for member in members.only("submission__comment", "submission__stakeholder"):
        size += 1
        texts.add(" ".join(member.submission.comment.split()).lower())
        stakeholders[member.submission.stakeholder] += 1
    theme.size = size
    theme.distinct_texts = len(texts)
    theme.stakeholders = dict(stakeholders)
    theme.save()
