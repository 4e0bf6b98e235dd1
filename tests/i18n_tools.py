"""Translation helpers for the test suite: compile .po to .mo, list what is untranslated."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCALE_DIR = ROOT / "frontend" / "locale"
# Where interface strings live (the project's Django apps and their templates).
SOURCE_APPS = ["consult", "cms", "moderation", "analysis", "frontend", "workers"]


def compile_messages() -> None:
    """msgfmt each .po whose .mo is missing or older (what `compilemessages` does)."""
    for po in LOCALE_DIR.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            # Written aside and moved into place: test workers compile at the same time.
            partial = mo.with_name(f"{mo.name}.{os.getpid()}")
            subprocess.run(["msgfmt", "--check-format", "-o", str(partial), str(po)], check=True)
            os.replace(partial, mo)
