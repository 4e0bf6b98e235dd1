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
``DASK_SAMPLE_SECONDS`` (e.g. ``3``) prints what each worker holds every so many seconds
(resident memory, and its results in MB by the step that made them) and the largest sample
of each stage: where the peak is. ``DASK_JSONL=path`` keeps the generated file there and
reads it again in later runs of the same N (at five million, generating takes minutes).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import threading
import time
from collections import Counter
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


def _held_by_worker(dask_worker) -> tuple[float, dict[str, int]]:
    """A worker's resident memory now and the results it holds, in MB by step (the function
    that made them, as Dask names a key's kind)."""
    import psutil  # a dependency of distributed
    from distributed.utils import key_split

    held: Counter = Counter()
    for key, task in dask_worker.state.tasks.items():
        if task.state == "memory":
            held[key_split(key)] += task.nbytes or 0
    rss = psutil.Process().memory_info().rss
    return rss / 2**20, {name: round(b / 2**20) for name, b in held.most_common(5)}


class _Sampler(threading.Thread):
    """``DASK_SAMPLE_SECONDS=3``: what every worker holds, every few seconds, printed with
    the stage it is in, and the largest sample per stage at the end: where a worker's peak
    is, and which step's results make it."""

    def __init__(self, client, every: float):
        super().__init__(daemon=True)
        self.client, self.every, self.stage = client, every, "start"
        self.largest: dict[str, tuple[float, dict]] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.every):
            try:
                samples = self.client.run(_held_by_worker)
            except Exception as error:  # noqa: BLE001 - a worker restarting: sample again
                print(f"    (sample failed: {error})", flush=True)
                continue
            for mb, held in samples.values():
                if mb > self.largest.get(self.stage, (0, {}))[0]:
                    self.largest[self.stage] = (mb, held)
            line = " | ".join(f"{mb:.0f} MB {held}" for mb, held in samples.values())
            print(f"    {self.stage}: {line}", flush=True)

    def report(self) -> None:
        self.done.set()
        for stage, (mb, held) in self.largest.items():
            print(f"  largest sample in {stage}: {mb:.0f} MB, holding {held}")


def _write_jsonl(path: Path, n: int) -> None:
    """Written under another name and renamed when whole: an interrupted run leaves no file
    that a later one would take for the full set."""
    keys = ("id", "text", "clause", "stance", "stakeholder", "language", "created", "anonymous")
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as out:
        for record in generate_scale(n):
            out.write(json.dumps({k: record[k] for k in keys}, ensure_ascii=False) + "\n")
    partial.replace(path)


def on_dask(n: int, workers: int, address: str) -> None:
    from distributed import Client, LocalCluster

    from analysis.distributed import JsonLinesSource

    started = time.perf_counter()
    kept = os.environ.get("DASK_JSONL")
    with tempfile.TemporaryDirectory(prefix="bench-analysis-") as tmp:
        path = Path(kept) if kept else Path(tmp) / "submissions.jsonl"
        if path.is_dir() or not path.parent.is_dir():
            sys.exit(f"DASK_JSONL={kept}: give a file in a folder that exists")
        if path.exists():
            with path.open("rb") as lines:
                found = sum(1 for _ in lines)
            if found != n:
                sys.exit(f"{path} holds {found} submissions, not N={n}: remove it, or N={found}")
            print(f"  generate: read again from {path}", flush=True)
        else:
            _write_jsonl(path, n)
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

            every = float(os.environ.get("DASK_SAMPLE_SECONDS") or 0)
            sampler = _Sampler(client, every) if every else None

            def progress(stage: str, percent: int) -> None:
                print(f"  [{time.perf_counter() - t0:7.1f} s] {stage} ({percent}%)", flush=True)
                if sampler:
                    sampler.stage = f"{stage} {percent}%"

            t0 = time.perf_counter()
            if sampler:
                sampler.start()
            result = run_pipeline(JsonLinesSource(path), progress=progress, dask=client)
            seconds = time.perf_counter() - t0
            if sampler:
                sampler.report()
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
