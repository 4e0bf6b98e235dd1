"""Scale: steps 1-4 on N synthetic submissions (``N`` env var or first argument).

Prints each stage's seconds, then the headline ``analysis n=<N> seconds=<s> peak_mb=<m>``.
Generation is not timed. peak_mb is the process's peak resident memory (ru_maxrss),
generation included, so it is an upper bound for the pipeline.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.pipeline import run_pipeline
from analysis.records import Corpus
from bench.synthetic import generate_scale


def main() -> None:
    n = int(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("N", "100000"))
    started = time.perf_counter()
    corpus = Corpus()
    for record in generate_scale(n):
        corpus.add(record)
    print(f"  generate: {time.perf_counter() - started:.1f} s (not counted)", flush=True)

    def progress(stage: str, percent: int) -> None:
        print(f"  [{time.perf_counter() - t0:7.1f} s] {stage} ({percent}%)", flush=True)

    t0 = time.perf_counter()
    cpu0 = time.process_time()
    result = run_pipeline(corpus, progress=progress)
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    for stage, spent in result["method"]["timings"].items():
        print(f"  stage {stage}: {spent:.2f} s")
    counts = result["method"]["counts"]
    print(
        f"  units={counts['units']} campaigns={counts['campaigns']} "
        f"supporters={counts['campaign_supporters']} themes={counts['themes']} "
        f"k={result['method']['chosen_k']}"
    )
    print(f"  cpu seconds of this process: {cpu:.1f} (wall minus this = waiting for a core)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"analysis n={n} seconds={seconds:.1f} peak_mb={peak_mb:.0f}")


if __name__ == "__main__":
    main()
