"""Steps 1-4 on plain records, with per-stage timings and counts.

Both the background task (over a consultation's published submissions) and
``manage.py analyse_file`` call :func:`run_pipeline`; it touches no database.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from .campaigns import CampaignParams, describe_campaigns, group_submissions, text_meta
from .clauses import ClauseParams, clause_figures
from .normalise import normalise
from .records import Corpus
from .themes import ThemeParams, cluster_units, pick_quotes

STAGES = ("normalise", "campaigns", "themes", "clauses")


@dataclass(frozen=True)
class PipelineParams:
    strip_diacritics: bool = True
    # BLAS/OpenMP threads for SVD and k-means. 1 by default: on a shared machine
    # oversubscribed OpenMP spins made the themes step four times slower; the task queue
    # scales out with more workers instead.
    threads: int = 1
    campaigns: CampaignParams = field(default_factory=CampaignParams)
    themes: ThemeParams = field(default_factory=ThemeParams)
    clauses: ClauseParams = field(default_factory=ClauseParams)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> PipelineParams:
        data = data or {}
        themes = dict(data.get("themes", {}))
        if "char_ngrams" in themes:
            themes["char_ngrams"] = tuple(themes["char_ngrams"])
        return cls(
            strip_diacritics=data.get("strip_diacritics", True),
            threads=data.get("threads", 1),
            campaigns=CampaignParams(**data.get("campaigns", {})),
            themes=ThemeParams(**themes),
            clauses=ClauseParams(**data.get("clauses", {})),
        )


Progress = Callable[[str, int], None]


def run_pipeline(
    corpus,
    params: PipelineParams | None = None,
    progress: Progress | None = None,
    *,
    dask=None,
    draft: Sequence[str] = (),
) -> dict:
    """Return JSON-ready results: themes, campaigns, clauses, method (timings, counts).

    ``corpus``: a :class:`Corpus`, or with ``dask`` a source the workers read
    (``analysis.distributed``). ``dask``: a scheduler address (``tcp://host:8786``) or a
    ``distributed.Client``: the stages then run on that cluster, with the same result.
    ``draft``: the draft's clause texts (any language): passages of a submission that quote
    them do not count as shared authorship when campaigns are grouped."""
    params = params or PipelineParams()
    draft = [t for t in draft if t and t.strip()]
    if dask:
        from .distributed import CorpusSource, run_on_cluster

        source = CorpusSource(corpus) if isinstance(corpus, Corpus) else corpus
        return run_on_cluster(source, params, progress, dask, draft)
    with threadpool_limits(limits=params.threads):
        return _run(corpus, params, progress, draft)


def _run(corpus: Corpus, params: PipelineParams, progress: Progress | None, draft) -> dict:
    timings: dict[str, float] = {}
    counts: dict[str, int] = {"submissions": len(corpus)}

    def stage(name: str, percent: int):
        if progress:
            progress(name, percent)
        return time.perf_counter()

    start = stage("normalise", 5)
    normalised = [normalise(t, strip_diacritics=params.strip_diacritics) for t in corpus.texts]
    timings["normalise"] = time.perf_counter() - start
    counts["languages"] = dict(sorted(Counter(corpus.languages).items()))

    start = stage("campaigns", 20)
    meta = text_meta(corpus.clauses, corpus.stances, corpus.created)
    grouping = group_submissions(normalised, params.campaigns, draft, meta)
    campaigns = describe_campaigns(corpus, grouping, params.campaigns)
    timings["campaigns"] = time.perf_counter() - start
    counts["exact_duplicates"] = grouping.exact_duplicates
    counts["near_duplicates"] = grouping.near_duplicates
    counts["units"] = len(grouping.unit_size)
    counts["campaigns"] = len(campaigns)
    counts["campaign_supporters"] = sum(c["size"] for c in campaigns)

    start = stage("themes", 45)
    unit_texts = [normalised[i] for i in grouping.unit_first]
    unit_clauses = [corpus.clauses[i] for i in grouping.unit_first]
    model = cluster_units(unit_texts, grouping.unit_size, params.themes, unit_clauses)
    themes = _describe_themes(corpus, grouping, model, campaigns, params.themes)
    timings["themes"] = time.perf_counter() - start
    counts["themes"] = len(themes)
    counts["in_a_theme"] = sum(t["size"] for t in themes)

    start = stage("clauses", 85)
    clauses = clause_figures(corpus.clauses, corpus.stances, corpus.stakeholders, params.clauses)
    timings["clauses"] = time.perf_counter() - start
    counts["clauses"] = len(clauses)
    if progress:
        progress("done", 100)

    return {
        "method": {
            "parameters": params.as_dict(),
            "counts": counts,
            "timings": {k: round(v, 3) for k, v in timings.items()},
            "silhouette_by_k": {str(k): v for k, v in model.silhouette_by_k.items()},
            "chosen_k": model.k,
            "fit_sample_units": int(len(model.sample)),
        },
        "themes": themes,
        "campaigns": [{k: v for k, v in c.items() if k != "unit"} for c in campaigns],
        "clauses": clauses,
    }


def _describe_themes(corpus, grouping, model, campaigns, params: ThemeParams) -> list[dict]:
    unit_campaign = {c["unit"]: n for n, c in enumerate(campaigns)}
    groups = [corpus.stakeholders[i] or "unknown" for i in grouping.unit_first]
    submission_theme = model.labels[grouping.unit_of] if len(corpus) else np.zeros(0, int)
    order = np.argsort(submission_theme, kind="stable")
    bounds = np.searchsorted(submission_theme[order], np.arange(model.k + 1))
    themes = []
    for t in range(model.k):
        member_idx = order[bounds[t] : bounds[t + 1]]
        units = np.flatnonzero(model.labels == t)
        quote_units = pick_quotes(units, model.distance, groups, params.quotes_per_theme)
        terms = model.terms[t] if t < len(model.terms) else []
        stakeholders = Counter(corpus.stakeholders[i] or "unknown" for i in member_idx.tolist())
        themes.append(
            {
                "number": t + 1,
                "label": (model.phrases[t] if model.phrases and t < len(model.phrases) else "")
                or " / ".join(terms[:3])
                or f"theme {t + 1}",
                "terms": terms,
                "size": int(len(member_idx)),
                "distinct_texts": int(len(units)),
                "campaigns": sorted(unit_campaign[u] for u in units.tolist() if u in unit_campaign),
                "stakeholders": dict(sorted(stakeholders.items())),
                "quotes": [
                    {
                        "id": corpus.ids[grouping.unit_first[u]],
                        "text": corpus.texts[grouping.unit_first[u]],
                        "stakeholder": groups[u],
                        "supporters": int(grouping.unit_size[u]),
                    }
                    for u in quote_units
                ],
                "members": [corpus.ids[i] for i in member_idx.tolist()],
            }
        )
    return themes
