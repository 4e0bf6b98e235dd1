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


def source_fingerprint() -> str:
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
    template = TEMPLATES / f"{source_fingerprint()}.sqlite3"
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


def copy_migrated_sqlite(path: Path) -> None:
    """``path`` becomes a new copy of the migrated template."""
    _copy_sqlite(migrated_sqlite_template(), path)


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
    copy_migrated_sqlite(path)
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


def test_database_url() -> str:
    """The URL of the database the test process is using (pytest-django's test copy), so a
    server process started by a transactional test sees the same committed rows."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    return f"postgres://{user}{password}@{host}/{db['NAME']}"


def daphne_on_test_database(tmp_path: Path, prefix: str) -> tuple[subprocess.Popen, str, dict]:
    """daphne (HTTP and WebSockets, as in production) on the test's own database, mail written
    to files under tmp_path/mail and voice audio under the test process's VOICE_AUDIO_ROOT
    (so a worker run in the test finds it). For transactional tests only: the server sees
    committed rows. Returns the process, its base URL and its environment."""
    from django.conf import settings

    env = dict(
        os.environ,
        CONSULT_INSECURE_DEFAULTS="1",
        DATABASE_URL=test_database_url(),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        VOICE_AUDIO_ROOT=str(settings.VOICE_AUDIO_ROOT),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        CHANNELS_PREFIX=f"{prefix}{os.getpid()}",
        CACHE_PREFIX=f"{prefix}{os.getpid()}",
    )
    port = unused_port()
    proc = start_daphne(env, port)
    return proc, f"http://127.0.0.1:{port}", env


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # a loaded machine: still closing connections
        proc.kill()
        proc.wait()
