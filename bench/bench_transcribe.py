"""make bench-transcribe: faster-whisper vs openai-whisper, interleaved; and queued notes,
one by one vs in batches.

1. Speed. Each engine is loaded once in its own subprocess (so its peak RSS is its own), on
   2 threads, and faster-whisper once more on 1 thread. Then ROUNDS rounds, the three taking
   turns in a rotating order (A B C, B C A, C A B, ...): each turn transcribes jfk.flac
   (language detected, no word timings). Per round: the wall-time ratio and the CPU-time
   ratio (process CPU time, all threads: ``time.process_time``). The medians are the
   figures; one noisy round cannot move them.
2. Queued notes. NOTES short notes (jfk, espeak-ng English, espeak-ng Urdu; some with a
   language hint, some without) on two faster-whisper workers (1 thread each, models loaded
   and warm): one by one (``transcribe``, as the worker did) and in batches
   (``transcribe_many``), in alternating rounds; audio-minutes per wall-minute (and per
   CPU-minute), and whether every note got the same text both ways.

Both engines' processes get the same ``OMP_WAIT_POLICY`` (PASSIVE unless
BENCH_OMP_WAIT_POLICY says otherwise, "unset" leaves it out): see bench/RESULTS.md for why.
Last line: ``transcribe rtf_faster=... rtf_openai=... speedup=... same_text=... ...``.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROUNDS = int(os.environ.get("ROUNDS", "5"))
NOTES = int(os.environ.get("NOTES", "20"))
THROUGHPUT_ROUNDS = int(os.environ.get("THROUGHPUT_ROUNDS", "2"))
OMP_WAIT_POLICY = os.environ.get("BENCH_OMP_WAIT_POLICY", "PASSIVE")

ENGLISH = [
    "We support the new data protection rules because they keep people safe.",
    "Please make the consent forms shorter and easier to read for older people.",
    "The ministry should publish every comment it receives before the final vote.",
    "I run a small shop and the reporting duty would cost me two days every month.",
    "Schools need clear guidance on how pupils' records may be shared with others.",
    "Thank you for holding this consultation in our district.",
    "The deadline in clause four is too short for farmers during the harvest.",
    "Hospitals must be able to share records quickly in an emergency.",
]


# --- The worker side: one engine, loaded once, answering JSON lines on stdin ---------------


def serve(engine: str, threads: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("CONSULT_INSECURE_DEFAULTS", "1")
    import django

    django.setup()
    from consult.voice.transcription import get_transcriber

    start = time.perf_counter()
    transcriber = get_transcriber(engine, threads=threads)
    load = time.perf_counter() - start
    print(json.dumps({"load": load}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        wall, cpu = time.perf_counter(), time.process_time()
        if request["op"] == "one":
            results = [
                transcriber.transcribe(clip, language=language, word_timestamps=request["words"])
                for clip, language in request["items"]
            ]
        else:
            results = transcriber.transcribe_many(
                [tuple(item) for item in request["items"]], word_timestamps=request["words"]
            )
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        for result in results:
            if isinstance(result, Exception):
                raise result
        reply = {
            "wall": wall,
            "cpu": cpu,
            "texts": [r.text for r in results],
            "languages": [r.language for r in results],
            "audio": sum(r.duration for r in results),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
        print(json.dumps(reply), flush=True)


class Worker:
    def __init__(self, engine: str, threads: int, env_extra: dict | None = None):
        env = dict(os.environ, LOG_LEVEL="WARNING")
        if OMP_WAIT_POLICY != "unset":
            env["OMP_WAIT_POLICY"] = OMP_WAIT_POLICY
        env.update(env_extra or {})
        self.engine = engine
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", engine, str(threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env,
        )  # fmt: skip
        self.load = self._read()["load"]

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.engine} worker stopped (exit {self.proc.wait()})")
        return json.loads(line)

    def send(self, op: str, items: list, words: bool) -> None:
        self.proc.stdin.write(json.dumps({"op": op, "items": items, "words": words}) + "\n")
        self.proc.stdin.flush()

    def ask(self, op: str, items: list, words: bool = False) -> dict:
        self.send(op, items, words)
        return self._read()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


# --- The bench ------------------------------------------------------------------------------


def make_notes(jfk: Path, workdir: Path, count: int) -> list[tuple[str, str | None]]:
    """``count`` short notes: (path, language hint or None), the way a facilitator's batch
    arrives (some hinted, some not)."""
    from tests.voice_helpers import URDU_SENTENCE, espeak_urdu

    english = []
    for i, sentence in enumerate(ENGLISH):
        target = workdir / f"en{i}.wav"
        rate = str(140 + 10 * (i % 3))
        subprocess.run(
            ["espeak-ng", "-v", "en-us", "-s", rate, "-w", str(target), sentence], check=True
        )
        english.append(str(target))
    urdu = str(espeak_urdu(workdir / "ur.wav", URDU_SENTENCE))
    pool: list[tuple[str, str | None]] = []
    for i in range(count):
        kind = i % 5
        if kind == 0:
            pool.append((str(jfk), None if i % 2 else "en"))
        elif kind == 4:
            pool.append((urdu, "ur"))
        else:
            pool.append((english[i % len(english)], "en" if i % 2 else None))
    return pool


# The two engines compared, and faster-whisper on one thread beside them (to see what its
# second OpenMP thread costs on a contended machine); each on its own process.
SETUPS = {"faster": ("faster", 2), "openai": ("openai", 2), "faster-1t": ("faster", 1)}


def speed(jfk: Path) -> dict:
    from consult.voice.transcription import normalise_text

    workers = {name: Worker(*setup) for name, setup in SETUPS.items()}
    names = list(SETUPS)
    try:
        for worker in workers.values():
            worker.ask("one", [[str(jfk), "en"]])  # warm-up
        rounds = []
        for r in range(ROUNDS):
            order = names[r % len(names) :] + names[: r % len(names)]  # A B C, B C A, ...
            got = {name: workers[name].ask("one", [[str(jfk), None]]) for name in order}
            rounds.append(got)
            print(
                f"  round {r + 1} ({' '.join(order)}): "
                + " | ".join(
                    f"{name} {got[name]['wall']:.2f}s wall {got[name]['cpu']:.2f}s cpu"
                    for name in names
                )
                + f" | ratio wall {got['openai']['wall'] / got['faster']['wall']:.2f}"
                f" cpu {got['openai']['cpu'] / got['faster']['cpu']:.2f}",
                flush=True,
            )
        peak = {name: rounds[-1][name]["peak_mb"] for name in names}
        loads = {name: worker.load for name, worker in workers.items()}
    finally:
        for worker in workers.values():
            worker.close()
    duration = rounds[0]["faster"]["audio"]
    wall_ratios = [r["openai"]["wall"] / r["faster"]["wall"] for r in rounds]
    cpu_ratios = [r["openai"]["cpu"] / r["faster"]["cpu"] for r in rounds]
    texts = {normalise_text(r[e]["texts"][0]) for r in rounds for e in ("faster", "openai")}
    for name in names:
        walls = [r[name]["wall"] for r in rounds]
        cpus = [r[name]["cpu"] for r in rounds]
        print(
            f"{name}: load {loads[name]:.1f}s peak_rss {peak[name]:.0f} MB; jfk "
            f"{duration:.1f}s audio: wall median {statistics.median(walls):.2f}s "
            f"(min {min(walls):.2f}, max {max(walls):.2f}), cpu median "
            f"{statistics.median(cpus):.2f}s"
        )
    rtf = {
        e: statistics.median(r[e]["wall"] for r in rounds) / duration for e in ("faster", "openai")
    }
    return {
        "rtf_faster": rtf["faster"],
        "rtf_openai": rtf["openai"],
        "speedup": rtf["openai"] / rtf["faster"],
        "same_text": len(texts) == 1,
        "speedup_median": statistics.median(wall_ratios),
        "speedup_min": min(wall_ratios),
        "speedup_max": max(wall_ratios),
        "cpu_ratio_median": statistics.median(cpu_ratios),
        "faster_1t_vs_2t_wall_median": statistics.median(
            r["faster-1t"]["wall"] / r["faster"]["wall"] for r in rounds
        ),
    }


def throughput(notes: list) -> dict:
    shares = [[list(n) for n in notes[0::2]], [list(n) for n in notes[1::2]]]
    workers = [Worker("faster", 1) for _ in shares]
    figures: dict[str, list] = {"one": [], "many": []}
    texts: dict[str, list] = {"one": [], "many": []}
    try:
        for worker in workers:
            worker.ask("one", [shares[0][0]], words=True)  # warm-up
        for r in range(THROUGHPUT_ROUNDS):
            for op in ("one", "many") if r % 2 == 0 else ("many", "one"):
                start = time.perf_counter()
                for worker, share in zip(workers, shares, strict=True):
                    worker.send(op, share, words=True)
                replies = [worker._read() for worker in workers]
                wall = time.perf_counter() - start
                audio_min = sum(reply["audio"] for reply in replies) / 60
                cpu_min = sum(reply["cpu"] for reply in replies) / 60
                figures[op].append((audio_min / (wall / 60), audio_min / cpu_min))
                texts[op].append([t for reply in replies for t in reply["texts"]])
                label = "one by one" if op == "one" else "batched"
                print(
                    f"  {label}: {len(notes)} notes, {audio_min:.2f} audio-min in {wall:.1f}s: "
                    f"{audio_min / (wall / 60):.2f} audio-min per wall-min, "
                    f"{audio_min / cpu_min:.2f} per CPU-min",
                    flush=True,
                )
    finally:
        for worker in workers:
            worker.close()
    same = all(t == texts["one"][0] for t in texts["one"] + texts["many"])
    return {
        "one_by_one_audio_min_per_min": statistics.median(f[0] for f in figures["one"]),
        "batch_audio_min_per_min": statistics.median(f[0] for f in figures["many"]),
        "one_by_one_audio_min_per_cpu_min": statistics.median(f[1] for f in figures["one"]),
        "batch_audio_min_per_cpu_min": statistics.median(f[1] for f in figures["many"]),
        "same_batch_text": same,
    }


def main() -> None:
    from tests.voice_helpers import jfk_path

    jfk = jfk_path()
    workdir = Path(tempfile.mkdtemp(prefix="bench-transcribe-"))
    print(f"OMP_WAIT_POLICY={OMP_WAIT_POLICY} for both engines; load average {os.getloadavg()}")
    print(f"speed: {ROUNDS} interleaved rounds on {jfk.name}", flush=True)
    figures = speed(jfk)
    notes = make_notes(jfk, workdir, NOTES)
    print(f"queued notes: {NOTES} on two workers (1 thread each), {THROUGHPUT_ROUNDS} rounds each")
    figures.update(throughput(notes))
    figures["batch_gain"] = (
        figures["batch_audio_min_per_min"] / figures["one_by_one_audio_min_per_min"]
    )
    print(f"load average after: {os.getloadavg()}")
    print(
        "transcribe "
        + " ".join(
            f"{key}={str(value).lower() if isinstance(value, bool) else f'{value:.3f}'}"
            for key, value in figures.items()
        )
        + f" rounds={ROUNDS}"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        main()
