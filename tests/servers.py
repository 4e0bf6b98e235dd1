"""Real server processes for tests: a migrated SQLite file they share, and daphne on it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
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
