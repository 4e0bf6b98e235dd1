"""Step 4: per clause, counts by stance and stakeholder; consensus and divisive clauses.

The statistic follows Polis's *group-aware consensus*: a clause is consensual only if every
group agrees, not merely if the largest group does. For each stakeholder group with at
least ``min_group_votes`` support/oppose submissions on the clause, the support share is
Laplace-smoothed, p_g = (support_g + 1) / (support_g + oppose_g + 2), so a group of two is
not "100 %". Then

* consensus for = geometric mean of p_g over groups (the product, as in Polis, made
  comparable between clauses with different numbers of groups), consensus against = the
  same with 1 - p_g. High only when *all* groups lean the same way;
* divisiveness = max p_g - min p_g, the spread between the most and least supportive
  group.

A clause is "consensus (support/oppose)" when the consensus score is at least
``consensus_at``, "divisive" when the spread is at least ``divisive_at``, else "mixed";
fewer than two groups with enough votes: "too few groups". Every submission counts
(campaign supporters too): this step reports what people said, not how many distinct texts.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

STANCES = ("support", "oppose", "amend", "question", "other")


@dataclass(frozen=True)
class ClauseParams:
    min_group_votes: int = 3
    consensus_at: float = 0.7
    divisive_at: float = 0.4


def clause_figures(
    clauses: list[str], stances: list[str], stakeholders: list[str], params: ClauseParams
) -> list[dict]:
    return figures_from_counts(clause_counts(clauses, stances, stakeholders), params)


def clause_counts(clauses: list[str], stances: list[str], stakeholders: list[str]) -> Counter:
    """(clause, stakeholder group, stance) -> submissions. Counts of parts of the corpus add
    up (``Counter`` sum) to the counts of the whole."""
    return Counter(
        (clause or "", group or "unknown", stance or "other")
        for clause, stance, group in zip(clauses, stances, stakeholders, strict=True)
    )


def figures_from_counts(counts: Counter, params: ClauseParams) -> list[dict]:
    by_stance: dict[str, Counter] = defaultdict(Counter)
    by_group: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for (key, group, stance), count in counts.items():
        by_stance[key][stance] += count
        by_group[key][group][stance] += count
    result = []
    for key in sorted(by_stance, key=_clause_sort_key):
        groups = by_group[key]
        result.append(
            {
                "clause": key,
                "total": sum(by_stance[key].values()),
                "by_stance": {s: by_stance[key].get(s, 0) for s in _stances(by_stance[key])},
                "by_stakeholder": {
                    g: {s: groups[g].get(s, 0) for s in _stances(groups[g])} for g in sorted(groups)
                },
                **consensus(groups, params),
            }
        )
    return result


def _stances(counter: Counter) -> list[str]:
    return [s for s in STANCES if s in counter] + sorted(set(counter) - set(STANCES))


def consensus(groups: dict[str, Counter], params: ClauseParams) -> dict:
    shares = {}
    for group, counts in sorted(groups.items()):
        support, oppose = counts.get("support", 0), counts.get("oppose", 0)
        if support + oppose >= params.min_group_votes:
            shares[group] = (support + 1) / (support + oppose + 2)
    if len(shares) < 2:
        return {
            "support_share_by_group": {g: round(p, 4) for g, p in shares.items()},
            "consensus_for": None,
            "consensus_against": None,
            "divisiveness": None,
            "verdict": "too_few_groups",
        }
    n = len(shares)
    consensus_for = math.exp(sum(math.log(p) for p in shares.values()) / n)
    consensus_against = math.exp(sum(math.log(1 - p) for p in shares.values()) / n)
    spread = max(shares.values()) - min(shares.values())
    if consensus_for >= params.consensus_at:
        verdict = "consensus_support"
    elif consensus_against >= params.consensus_at:
        verdict = "consensus_oppose"
    elif spread >= params.divisive_at:
        verdict = "divisive"
    else:
        verdict = "mixed"
    return {
        "support_share_by_group": {g: round(p, 4) for g, p in shares.items()},
        "consensus_for": round(consensus_for, 4),
        "consensus_against": round(consensus_against, 4),
        "divisiveness": round(spread, 4),
        "verdict": verdict,
    }


def _clause_sort_key(key: str):
    """'' (whole draft) first, then natural order: c-2 before c-10."""
    parts = []
    for piece in key.replace("-", " ").split():
        parts.append((0, int(piece), "") if piece.isdigit() else (1, 0, piece))
    return (key != "", parts)
