"""How test databases are made (tests/servers.py): from a migrated copy kept per version of
the sources, so the fingerprint of the sources must change exactly when they do, and a copy
must be as migrated as a migrate would leave it."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests.servers import (
    clone_migrated_postgres,
    drop_postgres_database,
    postgres_admin,
    postgres_url,
    source_fingerprint,
)


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_fingerprint_follows_the_sources_and_nothing_else(tmp_path):
    _tree(
        tmp_path,
        {
            "consult/models.py": "A = 1\n",
            "tests/test_a.py": "",
            ".venv/lib/site.py": "",
            "frontend/node_modules/gyp/build.py": "",
            "consult/__pycache__/models.cpython-311.py": "",
        },
    )
    first = source_fingerprint.__wrapped__(tmp_path)

    # Neither the tests, the virtualenv, npm's packages nor caches are the sources.
    _tree(
        tmp_path,
        {
            "tests/test_a.py": "changed",
            ".venv/lib/site.py": "changed",
            "frontend/node_modules/gyp/build.py": "changed",
            "consult/__pycache__/models.cpython-311.py": "changed",
        },
    )
    assert source_fingerprint.__wrapped__(tmp_path) == first

    _tree(tmp_path, {"consult/models.py": "A = 2\n"})
    assert source_fingerprint.__wrapped__(tmp_path) != first
    _tree(tmp_path, {"consult/models.py": "A = 1\n", "consult/new.py": ""})
    assert source_fingerprint.__wrapped__(tmp_path) != first


@pytest.mark.django_db
def test_a_postgresql_test_database_is_a_migrated_copy():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: on SQLite the copy is a file (copy_migrated_sqlite)")
    expected = {
        (app, name)
        for (app, name), migration in MigrationLoader(None).disk_migrations.items()
        if not migration.replaces
    }
    name = f"test_copy_{uuid.uuid4().hex[:8]}"
    clone_migrated_postgres(connection.settings_dict, name)
    try:
        with psycopg.connect(postgres_url(connection.settings_dict, name)) as copy:
            applied = set(copy.execute("SELECT app, name FROM django_migrations").fetchall())
    finally:
        with postgres_admin(connection.settings_dict) as admin:
            drop_postgres_database(admin, name)
    assert expected <= applied


def test_a_postgresql_url_keeps_a_password_with_url_characters():
    """The URL a test server or migrate is given reads back as the settings it came from."""
    import dj_database_url

    database = {"USER": "consult user", "PASSWORD": "p@ss:w/rd#1", "HOST": "db", "PORT": 6543}
    parsed = dj_database_url.parse(postgres_url(database, "test_consult"))
    assert (parsed["USER"], parsed["PASSWORD"], parsed["HOST"], parsed["PORT"]) == (
        "consult user",
        "p@ss:w/rd#1",
        "db",
        6543,
    )
    assert parsed["NAME"] == "test_consult"
