"""Private servers for fault tests: a Redis and a PostgreSQL cluster of their own, on their
own ports, started and stopped by the tests. The machine's shared PostgreSQL (5432) and
Redis (6379) are never touched."""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.servers import unused_port


class PrivateRedis:
    """``redis-server --port N --save '' --appendonly no``, stoppable and restartable."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        if not self.binary:
            pytest.skip("redis-server is not installed (apt-get install redis-server)")
        self.port = unused_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        pytest.skip("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin")
    return Path(found[-1]).parent


class PrivateCluster:
    """A PostgreSQL cluster in a temporary folder on its own port (initdb refuses root, so
    it runs as the ``postgres`` OS user when the tests run as root)."""

    def __init__(self):
        self.bin = postgres_bin()
        self.port = unused_port()
        self.dir = Path(tempfile.mkdtemp(prefix="consult-pg-"))
        self.data = self.dir / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            if not shutil.which("runuser"):
                pytest.skip("running as root without runuser: cannot start a private cluster")
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run(
            [
                *self.as_user,
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def url(self, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [
                *self.as_user,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-w",
                "-t",
                "30",
                *args,
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        self._ctl(
            "-o",
            f"-p {self.port} -k /tmp -c fsync=off -c listen_addresses=127.0.0.1",
            "-l",
            str(self.dir / "log"),
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "stop")

    def cleanup(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def restore_or_build(cluster: PrivateCluster, database: str, build, inputs: str) -> dict:
    """``database`` on ``cluster`` as ``build()`` leaves it, and what ``build`` returned.

    The first time per version of the sources and of ``inputs`` (the test code ``build``
    runs, which the sources' fingerprint leaves out) ``build`` runs (a migrate and the demo:
    40-60 s of CPU) and the result is kept as a pg_dump beside the migrated SQLite template;
    later runs, the second CI pass among them, restore it in a second or two."""
    from tests.servers import TEMPLATES, source_fingerprint

    TEMPLATES.mkdir(exist_ok=True)
    key = hashlib.sha256(f"{source_fingerprint()}\0{inputs}".encode()).hexdigest()[:16]
    dump = TEMPLATES / f"{key}-postgres-{database}.dump"
    info = dump.with_suffix(".json")
    with open(TEMPLATES / "lock-postgres", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if dump.exists() and info.exists():
            subprocess.run(
                [str(cluster.bin / "pg_restore"), "--no-owner", "-d", cluster.url(database),
                 str(dump)],
                check=True, capture_output=True, timeout=300,
            )  # fmt: skip
            return json.loads(info.read_text())
        result = build()
        partial = dump.with_suffix(".partial")
        subprocess.run(
            [str(cluster.bin / "pg_dump"), "-Fc", "-f", str(partial), cluster.url(database)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        info.write_text(json.dumps(result))
        partial.replace(dump)
        return result
