"""The analyst's workspace: the changes a person makes to what an analysis found.

The clustering proposes themes; an analyst who has read the submissions knows better where
two themes are one, where a label misleads, which quote says it best, and what is outside the
consultation's scope. Each change here is one service call: it checks the analyst's
permission, validates, writes in one transaction and leaves an audit entry, so the report's
method section can say what people changed (``analyst_changes``) and anyone can trace it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from threadpoolctl import threadpool_limits

from analysis.models import AnalysisRun, Point, Theme, ThemeMember
from analysis.normalise import normalise
from analysis.pipeline import PipelineParams
from analysis.services import check_can_run_analysis
from analysis.themes import cluster_units, pick_quotes
from consult.audit import record
from consult.models import AuditLog, Submission
from text.public_fields import personal_data_error

RENAMED = "analysis.theme_renamed"
MERGED = "analysis.themes_merged"
MOVED = "analysis.submission_moved"
PINNED = "analysis.quote_pinned"
SCOPED = "analysis.theme_scope"
SPLIT = "analysis.theme_split"
CARRIED = "analysis.changes_carried"
ACTIONS = (RENAMED, MERGED, MOVED, PINNED, SCOPED, SPLIT)
MAX_LABEL = 120
MAX_PARTS = 6
TEXTS_PER_PART = 2  # a part needs at least this many different texts to be a theme


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
        theme.decisions = theme.decisions | {"renamed": True}
        theme.save(update_fields=["label", "decisions"])
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
        _merge(source, target)
        record(
            MERGED,
            actor=user,
            target=target,
            before_text=f"{source.number}. {source.label}",
            after_text=f"{target.number}. {target.label}",
        )
        source.delete()
    return target


def _merge(source: Theme, target: Theme) -> None:
    """Members, points, quotes, terms and decisions of ``source`` join ``target`` (the
    caller deletes ``source``)."""
    have = set(target.members.values_list("submission_id", flat=True))
    source.members.exclude(submission_id__in=have).update(theme=target)
    Point.objects.filter(theme=source).update(theme=target)
    if not target.responses.exists():
        source.responses.update(theme=target)
    target.quotes = _unique_quotes(target.quotes + source.quotes)
    target.terms = list(dict.fromkeys(target.terms + source.terms))[:10]
    moved_in = sorted(set(target.decisions.get("moved_in", [])) | set(_moved_in(source)))
    target.decisions = target.decisions | {"merged": True, "moved_in": moved_in}
    _refresh_figures(target)


def move_submission(submission_id: int, source: int, target: int, user) -> None:
    """One submission (with its points) from theme ``source`` to theme ``target``."""
    check_can_run_analysis(user)
    with transaction.atomic():
        to_theme = _theme(target)
        from_theme = _theme(source, to_theme.run_id)
        if from_theme.pk == to_theme.pk or not _move(int(submission_id), from_theme, to_theme):
            raise ValidationError(_("That submission is not in the first theme."))
        record(
            MOVED,
            actor=user,
            target=to_theme,
            submission=Submission.objects.filter(pk=submission_id).first(),
            before_text=f"{from_theme.number}. {from_theme.label}",
            after_text=f"{to_theme.number}. {to_theme.label}",
        )


def _move(submission_id: int, from_theme: Theme, to_theme: Theme) -> bool:
    """One member (and its points) from one theme to another; False if it is not there."""
    member = from_theme.members.filter(submission_id=submission_id).first()
    if member is None:
        return False
    member.theme = to_theme
    member.save(update_fields=["theme"])
    Point.objects.filter(theme=from_theme, submission_id=submission_id).update(theme=to_theme)
    from_theme.quotes = [q for q in from_theme.quotes if q["id"] != submission_id]
    from_theme.decisions = from_theme.decisions | {
        "moved_in": [s for s in _moved_in(from_theme) if s != submission_id]
    }
    to_theme.decisions = to_theme.decisions | {
        "moved_in": sorted({*_moved_in(to_theme), submission_id})
    }
    for theme in (from_theme, to_theme):
        _refresh_figures(theme)
    return True


def _moved_in(theme: Theme) -> list[int]:
    return list(theme.decisions.get("moved_in", []))


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


def split_theme(theme_id: int, user, parts: int = 2) -> list[Theme]:
    """Re-cluster one theme's members into ``parts`` themes, with the vectoriser and
    clusterer of the whole analysis (analysis.themes, the run's parameters and seed): each
    part gets a label made the same way as any theme's, quotes chosen again and its
    figures counted. The first (largest) part keeps the theme's row, number and the
    ministry's response; returns the parts, first the one that kept it."""
    check_can_run_analysis(user)
    if not isinstance(parts, int) or not 2 <= parts <= MAX_PARTS:
        raise ValidationError(_("Split into 2 to %(n)d themes.") % {"n": MAX_PARTS})
    with transaction.atomic():
        theme = _theme(theme_id)
        before = f"{theme.number}. {theme.label}"
        pieces = _apply_split(theme, recluster(theme, parts))
        record(
            SPLIT,
            actor=user,
            target=theme,
            before_text=before,
            after_text="; ".join(f"{p.number}. {p.label}" for p in pieces),
        )
    return pieces


def recluster(theme: Theme, parts: int) -> list[dict]:
    """The parts the clusterer finds in ``theme``'s members: per part its members, label,
    terms and quotes (the largest part first; the same every time for the same members).

    As in the pipeline, each campaign is one unit weighted by its supporters and identical
    texts are one unit, so a campaign is never cut in two."""
    params = PipelineParams.from_dict(theme.run.parameters)
    rows = (
        theme.members.order_by("submission_id")
        .values_list(
            "submission_id", "campaign_id", "submission__comment", "submission__clause_key",
            "submission__stakeholder",
        )
    )  # fmt: skip
    unit_of: dict = {}
    units: list[dict] = []
    for sid, campaign, text, clause, stakeholder in rows:
        normalised = normalise(text or "", strip_diacritics=params.strip_diacritics)
        key = ("campaign", campaign) if campaign else ("text", normalised)
        if key not in unit_of:
            unit_of[key] = len(units)
            units.append(
                {"text": normalised, "clause": clause or "", "id": sid, "quote": text,
                 "group": stakeholder or "unknown", "members": []}
            )  # fmt: skip
        units[unit_of[key]]["members"].append(sid)
    if len(units) < TEXTS_PER_PART * parts:
        raise ValidationError(
            _(
                "This theme has too few different submissions to split into %(parts)d "
                "(it needs at least %(n)d)."
            )
            % {"parts": parts, "n": TEXTS_PER_PART * parts}
        )
    weights = np.array([len(u["members"]) for u in units], dtype=np.float64)
    theme_params = replace(params.themes, k_min=parts, k_max=parts)
    with threadpool_limits(limits=params.threads):
        model = cluster_units(
            [u["text"] for u in units], weights, theme_params, [u["clause"] for u in units]
        )
    groups = [u["group"] for u in units]
    pieces: list[dict] = []
    for t in range(model.k):
        chosen = np.flatnonzero(model.labels == t)
        if not len(chosen):
            continue
        terms = model.terms[t] if t < len(model.terms) else []
        phrase = model.phrases[t] if model.phrases and t < len(model.phrases) else ""
        quotes = pick_quotes(chosen, model.distance, groups, theme_params.quotes_per_theme)
        pieces.append(
            {
                "members": sorted(s for u in chosen.tolist() for s in units[u]["members"]),
                "label": _part_label([phrase, " / ".join(terms[:3])], theme, len(pieces) + 1),
                "terms": terms,
                "quotes": [
                    {
                        "id": units[u]["id"],
                        "text": units[u]["quote"],
                        "stakeholder": groups[u],
                        "supporters": len(units[u]["members"]),
                    }
                    for u in quotes
                ],
            }
        )
    if len(pieces) < 2:
        raise ValidationError(
            _("The clusterer could not tell these submissions apart; move them one by one.")
        )
    return pieces


def _part_label(candidates: list[str], theme: Theme, n: int) -> str:
    """The first candidate label that is not empty and passes the personal data screen
    (a label is public), else the theme's own label numbered."""
    for label in candidates:
        label = " ".join((label or "").split())[:MAX_LABEL]
        if label and not personal_data_error(label):
            return label
    return f"{theme.label[: MAX_LABEL - 6]} ({n})"


def _apply_split(theme: Theme, pieces: list[dict]) -> list[Theme]:
    """``theme`` becomes ``pieces[0]``; each further piece a new theme of the same run,
    numbered after the last. A pinned quote stays pinned in the part that has it."""
    group = theme.decisions.get("split_from", theme.pk)
    moved_in = set(_moved_in(theme))
    pinned = next((q for q in theme.quotes if q.get("pinned")), None)
    number = theme.run.themes.order_by("-number").values_list("number", flat=True).first() or 0
    used_labels: set[str] = set()
    result = []
    for i, piece in enumerate(pieces):
        members = set(piece["members"])
        label = piece["label"]
        if label in used_labels:
            label = f"{label[: MAX_LABEL - 6]} ({i + 1})"
        used_labels.add(label)
        quotes = [q for q in piece["quotes"] if q["id"] != (pinned or {}).get("id")]
        if pinned is not None and pinned["id"] in members:
            quotes = [pinned, *quotes]
        decisions = {"split_from": group, "moved_in": sorted(moved_in & members)}
        if i == 0:
            part = theme
            part.label, part.terms, part.quotes = label, piece["terms"], quotes
            part.decisions = decisions
        else:
            number += 1
            part = Theme.objects.create(
                run_id=theme.run_id, number=number, label=label, terms=piece["terms"],
                size=0, quotes=quotes, out_of_scope=theme.out_of_scope, decisions=decisions,
            )  # fmt: skip
            ThemeMember.objects.filter(theme=theme, submission_id__in=members).update(theme=part)
            Point.objects.filter(theme=theme, submission_id__in=members).update(theme=part)
        result.append(part)
    for part in result:  # once every part has its members
        _refresh_figures(part)
    return result


def analyst_changes(run) -> dict[str, int]:
    """How many of each change analysts made to this run's themes (for the method), with
    those a re-run carried over from the previous run (``carry_over``)."""
    theme_ids = set(run.themes.values_list("pk", flat=True))
    entries = AuditLog.objects.filter(action__in=ACTIONS, target_type="analysis.theme")
    carried = (run.results or {}).get("workspace", {}).get("counts", {})
    counts = Counter({f"analysis.{key}": n for key, n in carried.items()})
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


# --- a re-run keeps the analyst's changes ---------------------------------------------------
#
# Where "the same submissions are still together" is decided by overlap of members:
# - a theme of the new run *is* an old theme when their members overlap by at least half
#   (Jaccard >= 0.5), each old theme matched once, best first: the rule the report uses to
#   keep the ministry's answers (cms/reports.py), so a name, a pin, a scope mark and an
#   answer always follow the same theme;
# - new themes are merged again when each has most (more than half) of its members in one
#   merged old theme;
# - a split is made again on the new theme holding most of the split theme's members, by
#   which part each member was in, when at least two parts have members there.
MATCH_JACCARD = 0.5


def carry_over(run: AnalysisRun) -> dict | None:
    """Apply the decisions analysts made on the previous finished run of the consultation
    to ``run``'s freshly stored themes (before its points and report are built), record
    what was kept and what could not be in ``run.results["workspace"]`` and audit it.
    Called by ``analysis.services.execute_run`` inside its transaction; None when the
    previous run has nothing to carry."""
    previous = (
        AnalysisRun.objects.filter(
            consultation_id=run.consultation_id, status=AnalysisRun.Status.DONE, pk__lt=run.pk
        )
        .order_by("-pk")
        .first()
    )
    if previous is None:
        return None
    old = list(previous.themes.order_by("number"))
    if not any(_carries(theme) for theme in old):
        return None
    old_members = _members_of(old)
    kept: list[dict] = []
    lost: list[dict] = []
    counts: Counter = Counter()

    # Merges, then splits: the shape of the themes, before matching them one to one.
    for theme in (t for t in old if t.decisions.get("merged")):
        themes = list(run.themes.order_by("number"))
        members = _members_of(themes)
        mine = old_members[theme.pk]
        within = [t for t in themes if 2 * len(members[t.pk] & mine) > len(members[t.pk])]
        if not within:
            lost.append({"change": "merged", "label": theme.label})
            continue
        within.sort(key=lambda t: (-len(members[t.pk]), t.number))
        target = within[0]
        for source in within[1:]:
            _merge(source, target)
            source.delete()
            counts[MERGED] += 1
        target.decisions = target.decisions | {"merged": True}
        target.label = theme.label
        target.save(update_fields=["decisions", "label"])
        kept.append({"change": "merged", "label": theme.label, "themes": len(within)})
    splits: dict[int, list[Theme]] = defaultdict(list)
    for theme in old:
        if "split_from" in theme.decisions:
            splits[theme.decisions["split_from"]].append(theme)
    for parts in splits.values():
        label = " / ".join(p.label for p in parts)
        done, moved = _split_again(run, parts, old_members)
        counts[MOVED] += moved
        if done == "split":
            counts[SPLIT] += 1
        (kept if done else lost).append({"change": "split", "label": label})

    themes = {t.pk: t for t in run.themes.all()}
    members = _members_of(themes.values())
    match = _match(old, old_members, list(themes.values()), members)
    everyone = set().union(*members.values()) if members else set()
    for theme in old:
        new = themes.get(match.get(theme.pk))
        for sid in _moved_in(theme):
            if sid not in old_members[theme.pk]:
                continue
            item = {"change": "moved", "label": theme.label, "submission": sid}
            if new is None or sid not in everyone:
                lost.append(item)
                continue
            if sid not in members[new.pk]:
                source = next(themes[pk] for pk, ids in members.items() if sid in ids)
                _move(sid, source, new)
                members[source.pk].discard(sid)
                members[new.pk].add(sid)
                counts[MOVED] += 1
            else:
                new.decisions = new.decisions | {"moved_in": sorted({*_moved_in(new), sid})}
                new.save(update_fields=["decisions"])
            kept.append(item)
    for theme in old:
        new = themes.get(match.get(theme.pk))
        if new is not None:
            new.refresh_from_db()
        if theme.decisions.get("renamed"):
            if new is None:
                lost.append({"change": "renamed", "label": theme.label})
            else:
                new.label = theme.label
                new.decisions = new.decisions | {"renamed": True}
                new.save(update_fields=["label", "decisions"])
                counts[RENAMED] += 1
                kept.append({"change": "renamed", "label": theme.label})
        pinned = next((q for q in theme.quotes if q.get("pinned")), None)
        if pinned is not None:
            item = {"change": "pinned", "label": theme.label, "submission": pinned["id"]}
            if new is None or pinned["id"] not in members[new.pk]:
                lost.append(item)
            else:
                text = Submission.objects.filter(pk=pinned["id"]).values_list("comment", flat=True)
                quote = pinned | {"text": text.first() or pinned["text"], "pinned": True}
                others = [q | {"pinned": False} for q in new.quotes if q["id"] != pinned["id"]]
                new.quotes = [quote, *others]
                new.save(update_fields=["quotes"])
                counts[PINNED] += 1
                kept.append(item)
        if theme.out_of_scope:
            if new is None:
                lost.append({"change": "out_of_scope", "label": theme.label})
            else:
                new.out_of_scope = True
                new.save(update_fields=["out_of_scope"])
                kept.append({"change": "out_of_scope", "label": theme.label})

    summary = {
        "from_run": previous.pk,
        "carried": kept,
        "not_carried": lost,
        "counts": {action.rsplit(".", 1)[1]: n for action, n in counts.items()},
    }
    run.results = (run.results or {}) | {"workspace": summary}
    run.save(update_fields=["results"])
    record(
        CARRIED,
        target=run,
        explanation=(
            f"analysts' changes to analysis run {previous.pk}: {len(kept)} kept, "
            f"{len(lost)} could not be kept"
        ),
        after_text="; ".join(f"{i['change']}: {i['label']}" for i in lost),
    )
    return summary


def _carries(theme: Theme) -> bool:
    return bool(
        theme.out_of_scope
        or any(theme.decisions.get(key) for key in ("renamed", "merged", "moved_in"))
        or "split_from" in theme.decisions
        or any(q.get("pinned") for q in theme.quotes)
    )


def _members_of(themes) -> dict[int, set[int]]:
    members: dict[int, set[int]] = {t.pk: set() for t in themes}
    rows = ThemeMember.objects.filter(theme_id__in=list(members)).values_list(
        "theme_id", "submission_id"
    )
    for theme_id, submission_id in rows.iterator(chunk_size=20000):
        members[theme_id].add(submission_id)
    return members


def _in_run(run: AnalysisRun) -> set[int]:
    return set(ThemeMember.objects.filter(theme__run=run).values_list("submission_id", flat=True))


def _match(old, old_members, new, new_members) -> dict[int, int]:
    """Old theme id -> new theme id, members overlapping by at least ``MATCH_JACCARD``."""
    pairs = []
    for o in old:
        for n in new:
            mine, theirs = old_members[o.pk], new_members[n.pk]
            union = len(mine | theirs)
            score = len(mine & theirs) / union if union else 0.0
            if score >= MATCH_JACCARD:
                pairs.append((-score, o.number, n.number, o.pk, n.pk))
    matches: dict[int, int] = {}
    used: set[int] = set()
    for _score, _o, _n, old_id, new_id in sorted(pairs):
        if old_id not in matches and new_id not in used:
            matches[old_id] = new_id
            used.add(new_id)
    return matches


def _split_again(run: AnalysisRun, parts: list[Theme], old_members) -> tuple[str, int]:
    """Make a split again on the new theme holding most of the split theme's members: the
    submissions an analyst had moved into it come back first, then each member goes to the
    part it was in (members new to it stay with the largest part). Returns ("split" or
    "apart" when the clustering already keeps the parts in different themes, or "" when
    it cannot be made; submissions moved)."""
    themes = list(run.themes.order_by("number"))
    members = _members_of(themes)
    union = set().union(*(old_members[p.pk] for p in parts))
    host = max(themes, key=lambda t: (len(members[t.pk] & union), -t.number), default=None)
    if host is None or not members[host.pk] & union:
        return "", 0
    moved = 0
    wanted = {sid for p in parts for sid in _moved_in(p) if sid in old_members[p.pk]}
    for theme in themes:
        for sid in sorted((wanted & members[theme.pk]) - members[host.pk]):
            _move(sid, theme, host)
            members[theme.pk].discard(sid)
            members[host.pk].add(sid)
            moved += 1
    here = [(p, members[host.pk] & old_members[p.pk]) for p in parts]
    here = sorted([(p, ids) for p, ids in here if ids], key=lambda x: (-len(x[1]), x[0].number))
    if len(here) < 2:
        homes = {t.pk for t in themes for p in parts if members[t.pk] & old_members[p.pk]}
        return ("apart" if len(homes) >= 2 else ""), moved
    rest = members[host.pk] - set().union(*(ids for _p, ids in here))
    pieces = []
    for i, (part, ids) in enumerate(here):
        ids = ids | rest if i == 0 else ids
        quotes = [q | {"pinned": False} for q in part.quotes if q["id"] in ids]
        if not quotes:
            quotes = [
                {"id": sid, "text": text, "stakeholder": group or "unknown", "supporters": 1}
                for sid, text, group in Submission.objects.filter(pk__in=sorted(ids)[:3])
                .order_by("pk")
                .values_list("pk", "comment", "stakeholder")
            ]
        pieces.append(
            {"members": sorted(ids), "label": part.label, "terms": part.terms, "quotes": quotes}
        )
    _apply_split(host, pieces)
    return "split", moved
