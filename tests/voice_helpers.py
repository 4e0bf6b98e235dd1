"""Audio made at test time (ffmpeg, espeak-ng) for the voice and transcription tests."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

URDU_SENTENCE = (
    "ہم اس قانون کی حمایت کرتے ہیں کیونکہ یہ لوگوں کی حفاظت کرتا ہے۔ "
    "لیکن ڈیٹا کی رازداری کے بارے میں مزید وضاحت ہونی چاہیے۔"
)


ROOT = Path(__file__).resolve().parents[1]


def jfk_path() -> Path:
    """The shared test clip: ../shared/data from the checkout (or SHARED_DATA_DIR)."""
    candidates = [
        Path(os.environ.get("SHARED_DATA_DIR", "/nonexistent")),
        ROOT.parent / "shared" / "data",
        ROOT.parent.parent / "shared" / "data",
    ]
    for base in candidates:
        if (base / "audio" / "jfk.flac").is_file():
            return base / "audio" / "jfk.flac"
    pytest.skip(f"jfk.flac not found under any of {[str(c) for c in candidates]}")


def need(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        pytest.skip(f"{tool} is not installed: run scripts/system-deps.sh")
    return path


def ffmpeg(*args: str) -> None:
    subprocess.run([need("ffmpeg"), "-loglevel", "error", "-y", *args], check=True)


def espeak(target: Path, text: str, voice: str) -> Path:
    """Synthetic speech in ``voice`` (an espeak-ng voice: "en", "ur") as a WAV file."""
    subprocess.run(
        [need("espeak-ng"), "-v", voice, "-s", "140", "-w", str(target), text], check=True
    )
    return target


def espeak_urdu(target: Path, text: str = URDU_SENTENCE) -> Path:
    return espeak(target, text, "ur")


def to_opus(source: Path, target: Path) -> Path:
    """The format of a WhatsApp voice note: Ogg container, Opus codec."""
    ffmpeg("-i", str(source), "-c:a", "libopus", "-b:a", "24k", str(target))
    return target


def urdu_normalise(text: str) -> str:
    """Drop vowel marks and unify Arabic/Urdu letter variants before comparing."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    text = text.translate(
        str.maketrans({"ك": "ک", "ي": "ی", "ى": "ی", "ه": "ہ", "ة": "ہ", "ۃ": "ہ"})
    )
    text = "".join(" " if unicodedata.category(c).startswith("P") else c for c in text)
    return re.sub(r"\s+", " ", text).strip()


def character_error_rate(reference: str, hypothesis: str) -> float:
    ref, hyp = urdu_normalise(reference), urdu_normalise(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, a in enumerate(ref, 1):
        current = [i]
        for j, b in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return previous[-1] / max(len(ref), 1)


def urdu_script_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    arabic = [c for c in letters if "\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f"]
    return len(arabic) / max(len(letters), 1)
