"""Test-only tasks a real worker process runs (importable by path from the worker)."""

import time
from pathlib import Path

from django_tasks import task


@task()
def block_first_time(folder: str) -> str:
    """The first run writes a mark and blocks (its worker is killed); the next one returns."""
    marks = Path(folder)
    attempt = len(list(marks.glob("started-*"))) + 1
    (marks / f"started-{attempt}").touch()
    if attempt == 1:
        time.sleep(600)
    return f"done on attempt {attempt}"
