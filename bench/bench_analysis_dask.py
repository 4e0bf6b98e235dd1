"""Same seeds, same result: the analysis in-process and on a two-worker Dask cluster.

N synthetic submissions (default 50,000; ``N`` env var or first argument) are analysed
in-process and then on ``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)``,
whose workers read byte ranges of a JSON-lines file of the same records. Themes, campaigns,
per-clause figures and the method's counts are compared whole (timings aside). Exits 1 if
any part differs. The headline:
``analysis_dask n=<N> identical=<0|1> differ=<parts> seconds_in_process=<s> seconds_dask=<s>``.
The suite runs the same comparison on smaller sets (tests/analysis/test_distributed.py).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.distributed import JsonLinesSource
from analysis.pipeline import run_pipeline
from analysis.records import Corpus
from bench.synthetic import generate_scale

PARTS = ("themes", "campaigns", "clauses", "method")


def comparable(result: dict) -> dict:
    result = json.loads(json.dumps(result))
    result["method"].pop("timings")
    result["method"].pop("cluster", None)
    return result


def main() -> None:
    from distributed import Client, LocalCluster

    n = int(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("N", "50000"))
    records = generate_scale(n)
    keys = ("id", "text", "clause", "stance", "stakeholder", "language", "created", "anonymous")
    started = time.perf_counter()
    expected = run_pipeline(Corpus.from_records(records))
    seconds_local = time.perf_counter() - started
    print(f"  in-process: {seconds_local:.1f} s", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-analysis-dask-") as tmp:
        path = Path(tmp) / "submissions.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps({k: record[k] for k in keys}, ensure_ascii=False) + "\n")
        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            started = time.perf_counter()
            got = run_pipeline(JsonLinesSource(path), dask=client)
            seconds_dask = time.perf_counter() - started
    print(f"  on 2 Dask workers: {seconds_dask:.1f} s", flush=True)
    a, b = comparable(expected), comparable(got)
    differ = [
        p for p in PARTS if json.dumps(a[p], sort_keys=True) != json.dumps(b[p], sort_keys=True)
    ]
    counts = a["method"]["counts"]
    print(
        f"  units={counts['units']} campaigns={counts['campaigns']} themes={counts['themes']} "
        f"fit_sample_units={a['method']['fit_sample_units']}"
    )
    for part in PARTS:
        print(f"  {part}: {'identical' if part not in differ else 'DIFFERENT'}")
    print(
        f"analysis_dask n={n} identical={int(not differ)} differ={','.join(differ) or '-'} "
        f"seconds_in_process={seconds_local:.1f} seconds_dask={seconds_dask:.1f}"
    )
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
