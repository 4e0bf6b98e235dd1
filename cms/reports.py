"""The report page drafted from an analysis run: the report and its building are one
capability, so this lives with the page (cms), not with the analysis (a lower layer, which
only announces a finished run: ``analysis.signals.run_done``, connected in cms/signals.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from analysis.models import AnalysisRun, Theme, ThemeMember, ThemeResponse
from cms.report_pages import ReportPage


def draft_report(run: AnalysisRun):
    """The consultation's one report page, drafted from this run.

    The first run creates it at ``report/``; later runs save a new draft revision of the
    same page, so its address stays and each published state remains a revision. Never
    published here: the ministry reviews it, writes its responses, then publishes. An
    answer carries over to the new theme that holds most of the same submissions."""
    consultation = run.consultation
    themes = list(run.themes.all())
    existing = ReportPage.objects.child_of(consultation).order_by("path").first()
    if existing is None:
        page = ReportPage(
            title=_("Consultation report: %(title)s") % {"title": consultation.title},
            slug="report",
            run=run,
            live=False,
        )
        page.responses = [ThemeResponse(theme=theme) for theme in themes]
        consultation.add_child(instance=page)
        page.save_revision(user=run.created_by)
        return page
    page = existing.get_latest_revision_as_object()
    previous = {r.theme_id: r for r in page.responses.all() if r.theme_id}
    matches = _matching_themes(list(previous), themes)
    page.run = run
    page.responses = [
        _carried_response(previous.get(matches.get(theme.pk)), theme) for theme in themes
    ]
    if not existing.live:
        page.save()  # never published: the page row is the draft
    page.save_revision(user=run.created_by)
    return page


def _carried_response(old: ThemeResponse | None, theme: Theme) -> ThemeResponse:
    if old is None:
        return ThemeResponse(theme=theme)
    return ThemeResponse(
        theme=theme,
        outcome=old.outcome,
        reason=old.reason,
        changed_clause_id=old.changed_clause_id,
    )


def _matching_themes(old_theme_ids: list[int], themes: list[Theme]) -> dict[int, int]:
    """New theme id -> old theme id, where their members overlap by at least half
    (Jaccard), each old theme used once."""
    if not old_theme_ids or not themes:
        return {}
    members: dict[int, set[int]] = {}
    rows = ThemeMember.objects.filter(
        theme_id__in=old_theme_ids + [t.pk for t in themes]
    ).values_list("theme_id", "submission_id")
    for theme_id, submission_id in rows:
        members.setdefault(theme_id, set()).add(submission_id)
    pairs = []
    for theme in themes:
        new = members.get(theme.pk, set())
        for old_id in old_theme_ids:
            old = members.get(old_id, set())
            union = len(new | old)
            if union and len(new & old) / union >= 0.5:
                pairs.append((len(new & old) / union, theme.pk, old_id))
    matches: dict[int, int] = {}
    used: set[int] = set()
    for _score, new_id, old_id in sorted(pairs, reverse=True):
        if new_id not in matches and old_id not in used:
            matches[new_id] = old_id
            used.add(old_id)
    return matches
