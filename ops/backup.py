"""Backups of the whole site: the database and the files, with a manifest that proves them.

``backup()`` writes ``var/backups/<UTC timestamp>/``:

- ``database.dump`` (PostgreSQL: ``pg_dump --format=custom``, one consistent snapshot) or
  ``database.sqlite3`` (SQLite: the online backup API, consistent while others write);
- ``files/media/...`` (MEDIA_ROOT: Wagtail images and documents) and ``files/voice/...``
  (VOICE_AUDIO_ROOT: the private raw audio);
- ``manifest.json``: when, what, each file's size and SHA-256, the app version and commit,
  and the applied migrations.

The database is copied first, then the files: audio is written before its row (consult.voice
.services), so every row in the copy has its file; a file newer than the copy is harmless.
The folder is written as ``<timestamp>.partial`` and renamed when complete, so a backup
folder without that suffix is whole.

``restore()`` checks every hash against the manifest first, refuses a database that has any
table (unless ``force``) and a backup whose migrations this code does not know, then loads
the database (``pg_restore --single-transaction``: all or nothing; SQLite: the backup API)
and copies the files back.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot be done safely; the message says why."""


@dataclass(frozen=True)
class FileRoots:
    media: Path
    voice: Path

    @classmethod
    def from_settings(cls) -> FileRoots:
        return cls(Path(settings.MEDIA_ROOT), Path(settings.VOICE_AUDIO_ROOT))

    def items(self):
        return (("media", self.media), ("voice", self.voice))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _postgres_tool(name: str) -> str:
    """The newest installed client (it must not be older than the server)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key)
    path = found[-1] if found else shutil.which(name)
    if not path:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return path


def _version_key(path: str) -> int:
    part = Path(path).parts[-3]
    return int(part) if part.isdigit() else 0


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _engine(db: dict) -> str:
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return "sqlite"
    if db["ENGINE"] == "django.db.backends.postgresql":
        return "postgresql"
    raise BackupError(f"no backup method for {db['ENGINE']}")


def applied_migrations(alias: str = "default") -> dict[str, list[str]]:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        rows = cursor.fetchall()
    applied: dict[str, list[str]] = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return applied


def _app_version() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    try:
        number = version("consult-platform")
    except PackageNotFoundError:
        number = ""
    commit = ""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
    return {"version": number, "commit": commit}


def _dump_database(db: dict, alias: str, target_dir: Path) -> Path:
    if _engine(db) == "sqlite":
        target = target_dir / "database.sqlite3"
        connection = connections[alias]
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)  # consistent, online
        finally:
            destination.close()
        return target
    target = target_dir / "database.dump"
    args, env = _pg_env(db)
    result = subprocess.run(
        [
            _postgres_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--file",
            str(target),
            *args,
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return target


def _copy_files(roots: FileRoots, target_dir: Path) -> list[dict]:
    entries = []
    for label, root in roots.items():
        if not root.is_dir():
            continue
        for source in sorted(p for p in root.rglob("*") if p.is_file()):
            relative = source.relative_to(root).as_posix()
            destination = target_dir / "files" / label / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
            entries.append(
                {
                    "root": label,
                    "path": relative,
                    "size": destination.stat().st_size,
                    "sha256": sha256_of(destination),
                }
            )
    return entries


def backup(
    destination: Path | None = None, *, alias: str = "default", roots: FileRoots | None = None
) -> Path:
    """Write a complete backup folder and return its path."""
    destination = Path(destination or Path(settings.VAR_DIR) / "backups")
    roots = roots or FileRoots.from_settings()
    db = connections[alias].settings_dict
    now = datetime.now(UTC)
    name = now.strftime("%Y%m%dT%H%M%S.%fZ")
    partial = destination / f"{name}.partial"
    partial.mkdir(parents=True)
    try:
        migrations = applied_migrations(alias)
        dump = _dump_database(db, alias, partial)
        files = _copy_files(roots, partial)
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "app": _app_version(),
            "database": {
                "engine": _engine(db),
                "name": str(db["NAME"]) if _engine(db) == "postgresql" else "",
                "file": dump.name,
                "size": dump.stat().st_size,
                "sha256": sha256_of(dump),
            },
            "migrations": migrations,
            "files": files,
            "total_bytes": dump.stat().st_size + sum(f["size"] for f in files),
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        final = destination / name
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


# --- restore ---------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} has no {MANIFEST}: not a complete backup")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def verify(folder: Path, manifest: dict) -> None:
    """Every file is there with the size and hash the manifest recorded."""
    folder = Path(folder)
    expected = [(folder / manifest["database"]["file"], manifest["database"])]
    expected += [(folder / "files" / f["root"] / f["path"], f) for f in manifest["files"]]
    for path, entry in expected:
        if not path.is_file():
            raise BackupError(f"missing from the backup: {path}")
        if path.stat().st_size != entry["size"] or sha256_of(path) != entry["sha256"]:
            raise BackupError(f"does not match the manifest (changed or damaged): {path}")


def _unknown_migrations(manifest: dict) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known
    ]


def _table_names(db: dict) -> list[str]:
    if _engine(db) == "sqlite":
        if not Path(db["NAME"]).exists():
            return []
        with sqlite3.connect(db["NAME"]) as conn:
            return [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
    args, env = _pg_env(db)
    result = subprocess.run(
        [
            _postgres_tool("psql"),
            *args,
            "-At",
            "-c",
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"cannot read the target database: {result.stderr.strip()}")
    return result.stdout.split()


def restore(
    folder: Path,
    *,
    db: dict | None = None,
    roots: FileRoots | None = None,
    force: bool = False,
) -> dict:
    """Bring a backup back into ``db`` (default: DATABASES["default"]) and the file roots."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    verify(folder, manifest)
    db = dict(db or settings.DATABASES["default"])
    roots = roots or FileRoots.from_settings()
    if manifest["database"]["engine"] != _engine(db):
        raise BackupError(
            f"the backup is of a {manifest['database']['engine']} database; "
            f"the target is {_engine(db)}"
        )
    unknown = _unknown_migrations(manifest)
    if unknown and not force:
        raise BackupError(
            "the backup has migrations this code does not know (restore it with the code it "
            f"was made with, or use --force): {', '.join(unknown[:5])}"
        )
    tables = _table_names(db)
    if tables and not force:
        raise BackupError(
            f"the target database is not empty ({len(tables)} tables); "
            "restore into an empty database, or use --force to replace its contents"
        )
    dump = folder / manifest["database"]["file"]
    if _engine(db) == "sqlite":
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        target = sqlite3.connect(db["NAME"])
        try:
            source.backup(target)  # replaces every page of the target
        finally:
            source.close()
            target.close()
    else:
        args, env = _pg_env(db)
        command = [
            _postgres_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *args,
        ]
        if tables:
            command += ["--clean", "--if-exists"]
        result = subprocess.run([*command, str(dump)], env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed (nothing restored): {result.stderr.strip()}")
    for entry in manifest["files"]:
        root = dict(roots.items())[entry["root"]]
        destination = root / entry["path"]
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / "files" / entry["root"] / entry["path"], destination)
    return manifest
