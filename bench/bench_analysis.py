"""Scale: steps 1-4 on N synthetic submissions (``N`` env var or first argument).

In-process (the default): prints each stage's seconds, then the headline
``analysis n=<N> seconds=<s> peak_mb=<m>``. Generation is not timed. peak_mb is the
process's peak resident memory (VmHWM), generation included, so it is an upper bound.

On Dask (``DASK_WORKERS=2``: a ``LocalCluster`` of that many worker processes, one thread
each; or ``DASK_SCHEDULER_ADDRESS``: an existing cluster, whose workers must see this
machine's temporary directory): the records are written to a JSON-lines file first (not
timed) and the workers read their byte ranges of it, as ``analyse_file --dask`` does. The
time counts from the start to the result in this process; the headline is
``analysis n=<N> seconds=<s> peak_mb_per_worker=<m> workers=<w>``, where peak_mb_per_worker is
the largest peak resident memory of a worker process. ``DASK_MEMORY_LIMIT`` (e.g. ``5GB``)
sets each local worker's memory limit, as ``dask worker --memory-limit`` does.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.pipeline import run_pipeline
from analysis.records import Corpus
from bench.synthetic import generate_scale


def _peak_mb() -> float:
    """This process's own peak resident memory: VmHWM, the high-water mark of its address
    space. Not ru_maxrss on Linux: a process started by fork and exec (a LocalCluster's
    worker) begins with its parent's ru_maxrss, so a worker started after generating five
    million records reported the generator's peak, not its own."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _summary(result: dict, seconds: float) -> None:
    for stage, spent in result["method"]["timings"].items():
        print(f"  stage {stage}: {spent:.2f} s")
    counts = result["method"]["counts"]
    print(
        f"  units={counts['units']} campaigns={counts['campaigns']} "
        f"supporters={counts['campaign_supporters']} themes={counts['themes']} "
        f"k={result['method']['chosen_k']}"
    )


def in_process(n: int) -> None:
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
    _summary(result, seconds)
    print(f"  cpu seconds of this process: {cpu:.1f} (wall minus this = waiting for a core)")
    print(f"analysis n={n} seconds={seconds:.1f} peak_mb={_peak_mb():.0f}")


def on_dask(n: int, workers: int, address: str) -> None:
    from distributed import Client, LocalCluster

    from analysis.distributed import JsonLinesSource

    started = time.perf_counter()
    keys = ("id", "text", "clause", "stance", "stakeholder", "language", "created", "anonymous")
    with tempfile.TemporaryDirectory(prefix="bench-analysis-") as tmp:
        path = Path(tmp) / "submissions.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for record in generate_scale(n):
                out.write(json.dumps({k: record[k] for k in keys}, ensure_ascii=False) + "\n")
        print(f"  generate: {time.perf_counter() - started:.1f} s (not counted)", flush=True)
        if address:
            cluster = None
            client = Client(address)
        else:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                # DASK_MEMORY_LIMIT=5GB: past 60 % of it a worker spills what it holds to
                # disk, past 95 % its nanny restarts it (Dask's defaults; "auto" shares RAM).
                memory_limit=os.environ.get("DASK_MEMORY_LIMIT", "auto"),
            )
            client = Client(cluster)
        try:
            workers = len(client.scheduler_info(n_workers=-1)["workers"])

            def progress(stage: str, percent: int) -> None:
                print(f"  [{time.perf_counter() - t0:7.1f} s] {stage} ({percent}%)", flush=True)

            t0 = time.perf_counter()
            result = run_pipeline(JsonLinesSource(path), progress=progress, dask=client)
            seconds = time.perf_counter() - t0
            peaks = client.run(_peak_mb)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    _summary(result, seconds)
    print(f"  partitions={result['method']['cluster']['partitions']}")
    print(f"  peak MB per worker: {sorted(round(p) for p in peaks.values())}")
    print(f"  peak MB of this process (result and generation): {_peak_mb():.0f}")
    print(
        f"analysis n={n} seconds={seconds:.1f} peak_mb_per_worker={max(peaks.values()):.0f} "
        f"workers={workers}"
    )


def main() -> None:
    n = int(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("N", "100000"))
    workers = int(os.environ.get("DASK_WORKERS") or 0)
    address = os.environ.get("DASK_SCHEDULER_ADDRESS", "")
    if workers or address:
        on_dask(n, workers, address)
    else:
        in_process(n)


if __name__ == "__main__":
    main()
