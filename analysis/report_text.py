"""The report's figures in plain words, in the reader's language: labels for the codes the
analysis stores (stances, stakeholder groups, languages, verdicts, step counts)."""

from __future__ import annotations

from django.utils.translation import get_language_info, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from consult.models import Stakeholder, Stance

VERDICTS = {
    "too_few_groups": gettext_lazy("Not enough groups commented to say"),
    "consensus_support": gettext_lazy("Every group leans towards support"),
    "consensus_oppose": gettext_lazy("Every group leans against it"),
    "divisive": gettext_lazy("Groups disagree"),
    "mixed": gettext_lazy("Views are mixed"),
}

COUNTS = {
    "submissions": gettext_lazy("Published submissions analysed"),
    "exact_duplicates": gettext_lazy("Exact copies of another submission"),
    "near_duplicates": gettext_lazy("Near-copies of another submission"),
    "units": gettext_lazy("Distinct texts"),
    "campaigns": gettext_lazy("Campaigns"),
    "campaign_supporters": gettext_lazy("Submissions in a campaign"),
    "themes": gettext_lazy("Themes"),
    "in_a_theme": gettext_lazy("Submissions in a theme"),
    "clauses": gettext_lazy("Clauses commented on (with the whole draft)"),
}

STAGES = {
    "normalise": gettext_lazy("normalisation"),
    "campaigns": gettext_lazy("campaigns"),
    "themes": gettext_lazy("themes"),
    "clauses": gettext_lazy("figures by clause"),
}


def stance_label(code: str) -> str:
    return str(dict(Stance.choices).get(code, code))


def stakeholder_label(code: str) -> str:
    if code in ("", "unknown", None):
        return _("Not stated")
    return str(dict(Stakeholder.choices).get(code, code))


def language_name(code: str) -> str:
    try:
        return _(get_language_info(code)["name"])
    except KeyError:
        return code


def verdict_label(code: str) -> str:
    return str(VERDICTS.get(code, code))


def percent(value: float | None) -> str:
    return "" if value is None else f"{round(value * 100)}%"


def consensus_sentence(figures: dict) -> str:
    """What the consensus figures say, or nothing when too few groups commented."""
    if figures.get("consensus_for") is None:
        return ""
    return _(
        "Support across all groups: %(for)s; opposition across all groups: %(against)s; "
        "the most and least supportive groups are %(gap)s points apart."
    ) % {
        "for": percent(figures["consensus_for"]),
        "against": percent(figures["consensus_against"]),
        "gap": round(figures["divisiveness"] * 100),
    }


def count_rows(counts: dict) -> list[tuple[str, str]]:
    """The method's counts as (label, value) rows; languages by name."""
    rows = [(str(COUNTS[key]), counts[key]) for key in COUNTS if key in counts]
    languages = counts.get("languages") or {}
    if languages:
        rows.insert(
            1,
            (
                _("Languages"),
                ", ".join(f"{language_name(code)}: {n}" for code, n in languages.items()),
            ),
        )
    return rows


def timing_sentence(timings: dict) -> str:
    if not timings:
        return ""
    parts = ", ".join(
        _("%(stage)s %(seconds)s s") % {"stage": STAGES.get(key, key), "seconds": value}
        for key, value in timings.items()
    )
    return _("Time taken by each step: %(parts)s.") % {"parts": parts}


ANALYST_CHANGE_PHRASES = {
    "themes_merged": lambda n: ngettext("%(n)d merge", "%(n)d merges", n),
    "theme_split": lambda n: ngettext("%(n)d split", "%(n)d splits", n),
    "theme_renamed": lambda n: ngettext("%(n)d rename", "%(n)d renames", n),
    "submission_moved": lambda n: ngettext("%(n)d submission moved", "%(n)d submissions moved", n),
    "quote_pinned": lambda n: ngettext("%(n)d quote pinned", "%(n)d quotes pinned", n),
    "theme_scope": lambda n: ngettext(
        "%(n)d theme set aside as out of scope", "%(n)d themes set aside as out of scope", n
    ),
}


def analyst_changes_sentence(changes: dict[str, int]) -> str:
    """ "Analysts changed what the clustering found: 3 merges; 2 renames." from
    ``analysis.workspace.analyst_changes``; "" when nobody changed anything."""
    parts = [
        phrase(changes[key]) % {"n": changes[key]}
        for key, phrase in ANALYST_CHANGE_PHRASES.items()
        if changes.get(key)
    ]
    if not parts:
        return ""
    return _("Analysts changed what the clustering found: %(changes)s.") % {
        "changes": "; ".join(parts)
    }
