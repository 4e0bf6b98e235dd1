"""Real server processes for tests: a migrated SQLite file they share, and daphne on it."""

from __future__ import annotations

import fcntl
import hashlib
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = Path(tempfile.gettempdir()) / "consult-test-migrated"


def _source_fingerprint() -> str:
    """A hash of the project's Python sources outside tests/ and bench/: migrations import
    app code (role groups, data fixes), so any change there means a new template."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {".venv", "tests", "bench", "node_modules", "var"}:
            continue
        digest.update(str(relative).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def migrated_sqlite_template() -> Path:
    """One migrated SQLite file per version of the sources, built once and shared by every
    test process (under a file lock): a migrate costs 20-50 s of CPU on this machine, and
    six server tests each ran their own."""
    TEMPLATES.mkdir(exist_ok=True)
    template = TEMPLATES / f"{_source_fingerprint()}.sqlite3"
    with open(TEMPLATES / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            building = template.with_suffix(f".{os.getpid()}.building")
            env = dict(
                os.environ, CONSULT_INSECURE_DEFAULTS="1", DATABASE_URL=f"sqlite:///{building}"
            )
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput"],
                cwd=ROOT, env=env, check=True, capture_output=True, timeout=600,
            )  # fmt: skip
            _copy_sqlite(building, template)
            for leftover in building.parent.glob(building.name + "*"):
                leftover.unlink()
    return template


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (the source may be in WAL mode)."""
    partial = target.with_suffix(".partial")
    with sqlite3.connect(source) as src, sqlite3.connect(partial) as dst:
        src.backup(dst)
    dst.close()
    src.close()
    partial.replace(target)


def migrated_sqlite_env(path: Path, prefix: str) -> dict:
    """The environment of a process on its own migrated SQLite file (the test run's own
    database is not visible to another process)."""
    env = dict(
        os.environ,
        CONSULT_INSECURE_DEFAULTS="1",
        DATABASE_URL=f"sqlite:///{path}",
        CHANNELS_PREFIX=f"{prefix}{os.getpid()}",
        CACHE_PREFIX=f"{prefix}{os.getpid()}",
    )
    _copy_sqlite(migrated_sqlite_template(), path)
    return env


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_daphne(env: dict, port: int, *, command=None, timeout: float = 60, **popen):
    """daphne (as ``make run`` serves it: config.serve, on uvloop) on 127.0.0.1:port, once
    its health check answers."""
    command = command or [sys.executable, "-m", "config.serve"]
    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.DEVNULL)
    proc = subprocess.Popen(
        [*command, "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=ROOT,
        env=env,
        **popen,
    )
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200
                return proc
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.3)
