"""Real server processes for tests: a migrated SQLite file they share, and daphne on it."""

from __future__ import annotations

import fcntl
import functools
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
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = Path(tempfile.gettempdir()) / "consult-test-migrated"
# Folders of the checkout that are not the sources the migrations import.
NOT_THE_SOURCES = frozenset({"tests", "bench", "var"})
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__"})
# Migrated PostgreSQL databases the test databases are copied from (one per fingerprint).
POSTGRES_TEMPLATE_PREFIX = "consult_test_template_"


@functools.cache
def source_fingerprint(root: Path = ROOT) -> str:
    """A hash of the project's Python sources outside tests/ and bench/: migrations import
    app code (role groups, data fixes), so any change there means a new template.

    Walks the project's own folders only: a walk of the whole checkout went through the
    virtualenv and node_modules (20,000 files) on every call, a second or more each."""
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(root):
        here = Path(folder)
        subfolders[:] = sorted(
            name for name in subfolders
            if not name.startswith(".") and name not in SKIPPED_FOLDERS
            and not (here == root and name in NOT_THE_SOURCES)
        )  # fmt: skip
        for name in sorted(files):
            if name.endswith(".py"):
                path = here / name
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def migrate(database_url: str) -> None:
    """``manage.py migrate`` on the database at ``database_url``, in a process of its own (no
    coverage tracing, no connection pool); a failure shows what migrate said."""
    env = dict(
        os.environ, CONSULT_INSECURE_DEFAULTS="1", DATABASE_URL=database_url, DATABASE_POOL="0"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if result.returncode:
        raise RuntimeError(f"migrate failed on {database_url}:\n{result.stderr[-3000:]}")


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
            migrate(f"sqlite:///{building}")
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


def postgres_url(database: dict, name: str) -> str:
    """A DATABASE_URL for database ``name`` on the server of Django's settings ``database``
    (user and password quoted: an "@" or ":" in them would otherwise end the field)."""
    user = quote(database.get("USER") or "postgres", safe="")
    password = f":{quote(database['PASSWORD'], safe='')}" if database.get("PASSWORD") else ""
    host = f"{database.get('HOST') or '127.0.0.1'}:{database.get('PORT') or 5432}"
    return f"postgres://{user}{password}@{host}/{name}"


def postgres_admin(database: dict):
    """An autocommit connection to the server's maintenance database (CREATE DATABASE cannot
    run in a transaction)."""
    import psycopg

    return psycopg.connect(postgres_url(database, "postgres"), autocommit=True)


def _migrated_postgres_template(admin, database: dict) -> str:
    """The name of a migrated PostgreSQL database on the server of ``database``, one per
    version of the sources: built when missing, with any other version's dropped. Called
    under the templates' file lock.

    Each xdist worker migrated its own test database: 20-25 s of CPU apiece, every run."""
    template = f"{POSTGRES_TEMPLATE_PREFIX}{source_fingerprint()}"
    found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
    if found.fetchone():
        return template
    stale = admin.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s",
        [POSTGRES_TEMPLATE_PREFIX.replace("_", r"\_") + "%"],
    ).fetchall()
    for (name,) in stale:
        drop_postgres_database(admin, name)
    building = f"{template}_building"
    admin.execute(f'CREATE DATABASE "{building}"')
    migrate(postgres_url(database, building))
    # Renamed only when whole: an interrupted build leaves no template to trust.
    admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
    return template


def clone_migrated_postgres(database: dict, name: str) -> None:
    """Database ``name`` becomes a new copy of the migrated template (CREATE DATABASE ...
    TEMPLATE copies its files: under a second). Under the templates' file lock throughout:
    nothing may be connected to a template while it is copied or dropped."""
    TEMPLATES.mkdir(exist_ok=True)
    with open(TEMPLATES / "lock", "w") as lock, postgres_admin(database) as admin:
        fcntl.flock(lock, fcntl.LOCK_EX)
        template = _migrated_postgres_template(admin, database)
        # Not forced: another run still using this database fails here with PostgreSQL's
        # "being accessed by other users" instead of having its connections cut.
        drop_postgres_database(admin, name, force=False)
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def drop_postgres_database(admin, name: str, *, force: bool = True) -> None:
    """DROP DATABASE ``name`` if it exists, through ``admin`` (:func:`postgres_admin`);
    ``force`` cuts the connections still open to it."""
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"' + (" WITH (FORCE)" if force else ""))


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
    return postgres_url(db, db["NAME"])


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
    """Stop a test's server. One that has not exited 2 s after SIGTERM is waiting on
    connections the browser has already dropped (daphne gives each up to 10 s): nothing it
    would still write is looked at, so it is killed rather than waited for. Stopped right
    after a town-hall test, the 10 s wait used to end a whole run."""
    proc.terminate()
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
