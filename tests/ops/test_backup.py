"""`manage.py backup` and `restore`: a database with submissions and receipts, and the media
and voice files, backed up and restored into an EMPTY database (SQLite: a new file;
PostgreSQL: a new database this test creates and drops), where every submission and
receipt code is found again. Damaged backups and non-empty targets are refused."""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from consult.models import Submission
from consult.services import SubmissionInput, submit
from ops.backup import BackupError, FileRoots, backup, restore
from tests.consult.test_comments import make_consultation

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump sees committed rows only


@pytest.fixture
def roots(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VOICE_AUDIO_ROOT = tmp_path / "private" / "voice"
    (settings.MEDIA_ROOT / "images").mkdir(parents=True)
    (settings.MEDIA_ROOT / "images" / "logo.png").write_bytes(b"\x89PNG fake image")
    (settings.VOICE_AUDIO_ROOT / "ab").mkdir(parents=True)
    (settings.VOICE_AUDIO_ROOT / "ab" / "abcd.ogg").write_bytes(os.urandom(2048))
    return FileRoots.from_settings()


@pytest.fixture
def submissions(db):
    page = make_consultation(slug=f"backup-{uuid.uuid4().hex[:8]}")
    made = [
        submit(
            page,
            SubmissionInput(text=f"Comment {n}.", stance="support", stakeholder="individual"),
        )
        for n in range(5)
    ]
    return {s.pk: s.receipt_code for s in made}


def rows_in(db: dict) -> dict[int, str]:
    meta = Submission._meta
    query = f"SELECT {meta.pk.column}, receipt_code FROM {meta.db_table}"
    if db["ENGINE"].endswith("sqlite3"):
        with sqlite3.connect(db["NAME"]) as conn:
            return dict(conn.execute(query).fetchall())
    import psycopg

    with psycopg.connect(
        dbname=db["NAME"],
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
    ) as conn:
        return dict(conn.execute(query).fetchall())


@pytest.fixture
def empty_database(tmp_path):
    """A new, empty database of the same engine as the test run's."""
    current = connection.settings_dict
    if current["ENGINE"].endswith("sqlite3"):
        yield {"ENGINE": current["ENGINE"], "NAME": str(tmp_path / "restored.sqlite3")}
        return
    from tests.servers import drop_postgres_database, postgres_admin

    name = f"consult_restore_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    target = {**current, "NAME": name}
    with postgres_admin(current) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield target
    with postgres_admin(current) as admin:
        drop_postgres_database(admin, name)


def test_backup_then_restore_into_an_empty_database(submissions, roots, tmp_path, empty_database):
    folder = backup(tmp_path / "backups")
    assert folder.parent == tmp_path / "backups" and not folder.name.endswith(".partial")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"]["sha256"] and manifest["database"]["size"] > 0
    assert {(f["root"], f["path"]) for f in manifest["files"]} == {
        ("media", "images/logo.png"),
        ("voice", "ab/abcd.ogg"),
    }
    assert "0001_initial" in manifest["migrations"]["consult"]
    assert manifest["app"]["version"]

    restored_roots = FileRoots(tmp_path / "r-media", tmp_path / "r-voice")
    restore(folder, db=empty_database, roots=restored_roots)
    found = rows_in(empty_database)
    for pk, code in submissions.items():
        assert found.get(pk) == code
    assert len(found) == Submission.objects.count()
    assert (restored_roots.voice / "ab" / "abcd.ogg").read_bytes() == (
        roots.voice / "ab" / "abcd.ogg"
    ).read_bytes()
    assert (restored_roots.media / "images" / "logo.png").is_file()

    # Restoring again: the database now has tables, so it is refused without force.
    with pytest.raises(BackupError, match="not empty"):
        restore(folder, db=empty_database, roots=restored_roots)
    restore(folder, db=empty_database, roots=restored_roots, force=True)
    assert rows_in(empty_database) == found


def test_damaged_backup_is_refused(submissions, roots, tmp_path, empty_database):
    folder = backup(tmp_path / "backups")
    (folder / "files" / "voice" / "ab" / "abcd.ogg").write_bytes(b"changed")
    with pytest.raises(BackupError, match="does not match the manifest"):
        restore(folder, db=empty_database, roots=FileRoots(tmp_path / "m", tmp_path / "v"))
    assert not rows_in_or_none(empty_database)


def rows_in_or_none(db):
    try:
        return rows_in(db)
    except Exception:
        return None


def test_commands_and_make_targets(submissions, roots, tmp_path, capsys):
    call_command("backup", "--to", str(tmp_path / "b"))
    folder = Path(capsys.readouterr().out.strip())
    assert (folder / "manifest.json").is_file()
    # The live database is not empty: restore refuses it.
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(folder))
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert "manage.py backup" in makefile and "manage.py restore $(BACKUP)" in makefile
    # A folder that is not a backup.
    with pytest.raises(CommandError, match="manifest"):
        call_command("restore", str(tmp_path))
