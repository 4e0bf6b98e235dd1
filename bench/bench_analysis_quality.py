"""Quality of themes and campaigns on the labelled evaluation sets.

Prints per-set scores above the headline; the headline (last line) is
``analysis ari=<x> nmi=<y> campaign_f1=<z> campaign_eval_f1=<f> campaign_eval_precision=<p>
campaign_eval_recall=<r> min_campaign_recall=<m> independents_grouped=<i> real_nmi=<n>
real_tune_nmi=<t> real_holdout_nmi=<h>``. Pair F1: a pair of submissions is positive when
both are in the same campaign.

1. ``bench/data/eval_submissions.jsonl`` (synthetic themes and campaigns, written by
   generate_eval.py; the regression check): per-language scores, ARI, NMI and the
   campaigns' pair F1.
2. ``bench/data/eval_campaigns.jsonl`` (form letters copied with zero-width characters,
   Arabic letter forms, respellings, cuts and rewording, beside independent comments that
   quote the draft; ``bench/campaign_eval.py``), analysed with the draft's clause texts: pair
   precision, recall and F1, the pair recall of each campaign and of each kind of copy, and
   how many independent comments were put in a campaign.
3. ``bench/data/real_blueprint.jsonl`` (real text: paragraphs of a public-domain government
   document labelled by the section they sit in; see data/SOURCES.md): themes only, NMI on
   the whole set and on its tuning and held-out halves.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.pipeline import run_pipeline
from analysis.records import Corpus

DATA = Path(__file__).resolve().parent / "data"
EVAL_FILE = DATA / "eval_submissions.jsonl"
CAMPAIGN_FILE = DATA / "eval_campaigns.jsonl"
DRAFT_FILE = DATA / "eval_campaigns_draft.json"
REAL_FILE = DATA / "real_blueprint.jsonl"


def pairs(groups: dict[str, list]) -> set[tuple]:
    return {tuple(sorted(p)) for members in groups.values() for p in combinations(members, 2)}


def pair_scores(true_pairs: set, found_pairs: set) -> tuple[float, float, float]:
    hit = len(true_pairs & found_pairs)
    precision = hit / len(found_pairs) if found_pairs else 0.0
    recall = hit / len(true_pairs) if true_pairs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def campaign_set() -> dict:
    """Section 2: the campaign set, with the draft's clause texts."""
    records = [json.loads(line) for line in CAMPAIGN_FILE.read_text(encoding="utf-8").splitlines()]
    clauses = json.loads(DRAFT_FILE.read_text(encoding="utf-8"))
    draft = [t for c in clauses for t in (c["text"], c["text_ur"]) if t]
    started = time.perf_counter()
    result = run_pipeline(Corpus.from_records(records), draft=draft)
    seconds = time.perf_counter() - started
    truth = defaultdict(list)
    for r in records:
        if r["campaign"]:
            truth[r["campaign"]].append(r["id"])
    found = {str(n): c["members"] for n, c in enumerate(result["campaigns"])}
    found_of = {m: n for n, members in found.items() for m in members}
    found_pairs = pairs(found)
    precision, recall, f1 = pair_scores(pairs(truth), found_pairs)
    print(f"campaign set: n={len(records)} campaigns found {len(found)} (truth {len(truth)})")
    print(f"  pair precision={precision:.3f} recall={recall:.3f} f1={f1:.3f}")
    per_campaign = {}
    for name, members in sorted(truth.items()):
        per_campaign[name] = pair_scores(pairs({name: members}), found_pairs)[1]
        groups = Counter(found_of.get(m, "-") for m in members)
        print(
            f"  {name}: n={len(members)} pair recall={per_campaign[name]:.3f} "
            f"found in {dict(groups.most_common())}"
        )
    by_variant = defaultdict(list)
    for r in records:
        if r["campaign"]:
            by_variant[r["variant"]].append(r)
    for variant, members in sorted(by_variant.items()):
        # A copy is joined when it is in the found campaign holding most of its campaign.
        joined = 0
        for r in members:
            main_group = Counter(found_of.get(m) for m in truth[r["campaign"]]).most_common(1)[0][0]
            joined += main_group is not None and found_of.get(r["id"]) == main_group
        print(f"  copies {variant}: {joined}/{len(members)} joined their campaign")
    grouped = [r for r in records if not r["campaign"] and r["id"] in found_of]
    quoting = [r for r in grouped if r["variant"] == "draft-quote"]
    print(
        f"  independents grouped: {len(grouped)} of {sum(not r['campaign'] for r in records)} "
        f"({len(quoting)} of those quoting the draft)"
    )
    print(f"  seconds={seconds:.2f}")
    return {
        "campaign_eval_f1": f"{f1:.3f}",
        "campaign_eval_precision": f"{precision:.3f}",
        "campaign_eval_recall": f"{recall:.3f}",
        "min_campaign_recall": f"{min(per_campaign.values()):.3f}",
        "independents_grouped": str(len(grouped)),
    }


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
    precision, recall, f1 = pair_scores(true_pairs, found_pairs)
    print(f"  themes: chosen k={result['method']['chosen_k']} (truth: {len(set(truth.values()))})")
    print(f"  silhouette by k: {result['method']['silhouette_by_k']}")
    print(
        f"  campaigns: found {len(found)} (truth {len(true_campaigns)}), "
        f"pair precision={precision:.3f} recall={recall:.3f}"
    )
    for theme in result["themes"]:
        print(f"  theme {theme['number']}: {theme['size']:4d} {theme['label']}")
    print(f"  seconds={seconds:.2f}")
    extra = " ".join(f"{k}={v}" for k, v in campaign_set().items())
    real = " ".join(f"{key}={value:.3f}" for key, value in real_set_section().items())
    print(f"analysis ari={ari:.3f} nmi={nmi:.3f} campaign_f1={f1:.3f} {extra} {real}")


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
