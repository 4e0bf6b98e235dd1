"""make bench-transcribe: faster-whisper vs openai-whisper on the same audio, same weights.

Each engine runs in its own subprocess (so its peak RSS is its own), on 2 threads, over
jfk.flac and a ~60 s clip (jfk repeated + espeak-ng Urdu). Then two faster-whisper workers
(1 thread each) run side by side to measure audio-minutes per wall-minute.
Last line: ``transcribe rtf_faster=<x> rtf_openai=<y> speedup=<y/x> same_text=<bool>``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def child(engine: str, threads: int, clips: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("CONSULT_INSECURE_DEFAULTS", "1")
    import django

    django.setup()
    from consult.voice.transcription import get_transcriber

    start = time.perf_counter()
    transcriber = get_transcriber(engine, threads=threads)
    load = time.perf_counter() - start
    transcriber.transcribe(clips[0], language="en", word_timestamps=False)  # warm-up
    results = []
    for clip in clips:
        start = time.perf_counter()
        result = transcriber.transcribe(clip, language=None, word_timestamps=False)
        results.append(
            {"clip": clip, "seconds": time.perf_counter() - start, "duration": result.duration,
             "text": result.text, "language": result.language}
        )  # fmt: skip
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"engine": engine, "load": load, "peak_mb": peak_mb, "results": results}))


def run_child(engine: str, threads: int, clips: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", engine, str(threads), *clips],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def make_long_clip(jfk: Path, workdir: Path) -> Path:
    from tests.voice_helpers import espeak_urdu, ffmpeg

    urdu = espeak_urdu(workdir / "urdu.wav")
    parts = [jfk, urdu, jfk, jfk, urdu, jfk]
    inputs = [arg for p in parts for arg in ("-i", str(p))]
    concat = "".join(
        f"[{i}:a]aresample=16000,aformat=channel_layouts=mono[a{i}];" for i in range(len(parts))
    )
    concat += "".join(f"[a{i}]" for i in range(len(parts))) + f"concat=n={len(parts)}:v=0:a=1[out]"
    target = workdir / "long.flac"
    ffmpeg(*inputs, "-filter_complex", concat, "-map", "[out]", str(target))
    return target


def main() -> None:
    from consult.voice.transcription import normalise_text
    from tests.voice_helpers import jfk_path

    jfk = jfk_path()
    workdir = Path(tempfile.mkdtemp(prefix="bench-transcribe-"))
    long_clip = make_long_clip(jfk, workdir)
    clips = [str(jfk), str(long_clip)]
    runs = {engine: run_child(engine, 2, clips) for engine in ("faster", "openai")}
    rtf = {}
    for engine, run in runs.items():
        total = sum(r["seconds"] for r in run["results"])
        audio = sum(r["duration"] for r in run["results"])
        rtf[engine] = total / audio
        print(
            f"{engine}: load {run['load']:.1f}s peak_rss {run['peak_mb']:.0f} MB "
            f"rtf {rtf[engine]:.3f}"
        )
        for r in run["results"]:
            print(f"  {Path(r['clip']).name} {r['duration']:.1f}s audio in {r['seconds']:.1f}s "
                  f"[{r['language']}] {r['text'][:80]}")  # fmt: skip
    same = normalise_text(runs["faster"]["results"][0]["text"]) == normalise_text(
        runs["openai"]["results"][0]["text"]
    )
    start = time.perf_counter()
    procs = [
        subprocess.Popen([sys.executable, __file__, "--child", "faster", "1", str(long_clip)],
                         stdout=subprocess.PIPE, text=True, cwd=ROOT)
        for _ in range(2)
    ]  # fmt: skip
    done = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    wall = time.perf_counter() - start
    audio_minutes = sum(r["duration"] for d in done for r in d["results"]) / 60
    print(f"two faster-whisper workers (1 thread each, incl. model load + warm-up): "
          f"{audio_minutes / (wall / 60):.2f} audio-minutes per wall-minute")  # fmt: skip
    print(
        f"transcribe rtf_faster={rtf['faster']:.3f} rtf_openai={rtf['openai']:.3f} "
        f"speedup={rtf['openai'] / rtf['faster']:.2f} same_text={str(same).lower()}"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
    else:
        main()
