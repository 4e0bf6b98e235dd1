"""Quality of themes and campaigns on the labelled evaluation set.

Prints per-language scores above the headline; the headline (last line) is
``analysis ari=<x> nmi=<y> campaign_f1=<z> real_nmi=<r> ...``. Campaign F1 is pairwise: a
pair of submissions is positive when both are in the same campaign.

Two sets: the synthetic one (``eval_submissions.jsonl``, written by generate_eval.py; the
regression check) and a real one (``real_blueprint.jsonl``: paragraphs of a public-domain
government text labelled by the section they sit in; see data/SOURCES.md).
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.pipeline import run_pipeline
from analysis.records import Corpus

EVAL_FILE = Path(__file__).resolve().parent / "data" / "eval_submissions.jsonl"
REAL_FILE = Path(__file__).resolve().parent / "data" / "real_blueprint.jsonl"


def pairs(groups: dict[str, list]) -> set[tuple]:
    return {tuple(sorted(p)) for members in groups.values() for p in combinations(members, 2)}


def main() -> None:
    records = [json.loads(line) for line in EVAL_FILE.read_text(encoding="utf-8").splitlines()]
    started = time.perf_counter()
    result = run_pipeline(Corpus.from_records(records))
    seconds = time.perf_counter() - started
    predicted = {m: t["number"] for t in result["themes"] for m in t["members"]}
    truth = {r["id"]: r["theme"] for r in records}
    ids = [r["id"] for r in records]
    ari = adjusted_rand_score([truth[i] for i in ids], [predicted[i] for i in ids])
    nmi = normalized_mutual_info_score([truth[i] for i in ids], [predicted[i] for i in ids])
    for language in ("en", "ur"):
        sub = [r["id"] for r in records if r["language"] == language]
        print(
            f"  {language}: n={len(sub)} "
            f"ari={adjusted_rand_score([truth[i] for i in sub], [predicted[i] for i in sub]):.3f}"
        )
    true_campaigns = defaultdict(list)
    for r in records:
        if r["campaign"]:
            true_campaigns[r["campaign"]].append(r["id"])
    found = {str(n): c["members"] for n, c in enumerate(result["campaigns"])}
    true_pairs, found_pairs = pairs(true_campaigns), pairs(found)
    hit = len(true_pairs & found_pairs)
    precision = hit / len(found_pairs) if found_pairs else 0.0
    recall = hit / len(true_pairs) if true_pairs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"  themes: chosen k={result['method']['chosen_k']} (truth: {len(set(truth.values()))})")
    print(f"  silhouette by k: {result['method']['silhouette_by_k']}")
    print(
        f"  campaigns: found {len(found)} (truth {len(true_campaigns)}), "
        f"pair precision={precision:.3f} recall={recall:.3f}"
    )
    for theme in result["themes"]:
        print(f"  theme {theme['number']}: {theme['size']:4d} {theme['label']}")
    print(f"  seconds={seconds:.2f}")
    real = real_set_section()
    print(
        f"analysis ari={ari:.3f} nmi={nmi:.3f} campaign_f1={f1:.3f} "
        + " ".join(f"{key}={value:.3f}" for key, value in real.items())
    )


# --- Real held-out set (themes only) -------------------------------------------------------


def real_set_scores(records: list[dict]) -> tuple[float, float, dict]:
    """(ari, nmi, result) of the product's pipeline, k chosen automatically, on ``records``.
    Every item must end in a theme: there is no unassigned bucket to hide the hard ones in."""
    result = run_pipeline(Corpus.from_records(records))
    predicted = {m: t["number"] for t in result["themes"] for m in t["members"]}
    missing = [r["id"] for r in records if r["id"] not in predicted]
    if missing:
        raise SystemExit(f"real set: {len(missing)} items in no theme, e.g. {missing[:3]}")
    truth = [r["theme"] for r in records]
    found = [predicted[r["id"]] for r in records]
    return (
        adjusted_rand_score(truth, found),
        normalized_mutual_info_score(truth, found),
        result,
    )


def real_set_section() -> dict[str, float]:
    """The whole real set, and its fixed tuning and held-out halves, each clustered on its
    own as a separate consultation would be. Returns the figures for the headline."""
    records = [json.loads(line) for line in REAL_FILE.read_text(encoding="utf-8").splitlines()]
    figures: dict[str, float] = {}
    sections = len({r["theme"] for r in records})
    print(f"  real set: {REAL_FILE.name}, n={len(records)}, sections={sections}")
    for name, subset in (
        ("real", records),
        ("real_tune", [r for r in records if r["split"] == "tune"]),
        ("real_holdout", [r for r in records if r["split"] == "holdout"]),
    ):
        ari, nmi, result = real_set_scores(subset)
        print(
            f"  {name}: n={len(subset)} ari={ari:.3f} nmi={nmi:.3f} "
            f"chosen k={result['method']['chosen_k']} "
            f"(truth: {len({r['theme'] for r in subset})})"
        )
        if name == "real":
            for theme in result["themes"]:
                print(f"    theme {theme['number']}: {theme['size']:4d} {theme['label']}")
        figures[f"{name}_nmi"] = nmi
    return figures


if __name__ == "__main__":
    main()
