"""Shared fixtures: the demo consultation, a real Chromium, free ports."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_configure(config):
    """Under pytest-xdist each worker has its own database (pytest-django adds a suffix) and
    must have its own Redis too: ``cache.clear()`` empties a whole Redis database, and
    channel-layer groups are named by ids that both workers' databases reuse."""
    import tempfile

    from django.conf import settings

    # Files the tests write (media, voice notes named by database id) stay out of var/ and
    # apart from the other worker's, whose ids are the same.
    # No connection pool in the test process. A pool connection comes back only when the
    # thread that took it closes it; a test's event loop ends while its consumers may still
    # be cancelling, and each connection stranded that way shrank the pool until, late in
    # a loaded CI run, every WebSocket connect waited out the pool's timeout. Servers the
    # tests start (subprocesses) keep the pool, as in production.
    settings.DATABASES["default"].get("OPTIONS", {}).pop("pool", None)
    from django.test import TransactionTestCase

    TransactionTestCase._django_fixture_teardown = TransactionTestCase._fixture_teardown
    TransactionTestCase._fixture_teardown = _back_to_session_rows
    files = Path(tempfile.mkdtemp(prefix="consult-test-files-"))
    settings.MEDIA_ROOT = files / "media"
    settings.VOICE_AUDIO_ROOT = files / "private" / "voice"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not worker or not redis_url:
        return
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(redis_url)
    base = int(parts.path.strip("/") or 0)
    number = (base + 1 + int(worker.removeprefix("gw") or 0)) % 16
    worker_url = urlunsplit(parts._replace(path=f"/{number}"))
    os.environ["REDIS_URL"] = worker_url  # servers the tests start use it too
    for cache in settings.CACHES.values():
        if cache.get("LOCATION") == redis_url:
            cache["LOCATION"] = worker_url
    for layer in settings.CHANNEL_LAYERS.values():
        config = layer.get("CONFIG", {})
        if config.get("hosts") == [redis_url]:
            config["hosts"] = [worker_url]
            config["prefix"] = f"{config.get('prefix', 'consult')}-{worker}"


def pytest_sessionstart(session):
    """Compile the committed .po files to .mo (not committed) so tests see translations."""
    from tests.i18n_tools import compile_messages

    compile_messages()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database with the base rows and the demo consultation built once, committed.

    Building the demo took about a second per test that used it. Tests on the ``db``
    fixture run inside a transaction that is rolled back, so they all share this one copy;
    transactional tests find it too, put back after each of them (``_back_to_session_rows``).
    """
    from django.db import connection

    from cms.demo import load_demo

    with django_db_blocker.unblock():
        ensure_base_data()
        load_demo()
        SESSION_ROWS[connection.alias] = _copy_rows(connection)


SQLITE, POSTGRESQL = "django.db.backends.sqlite3", "django.db.backends.postgresql"
# Engines whose test database is a copy of a migrated one (django_db_modify_db_settings).
COPIED_ENGINES = (SQLITE, POSTGRESQL)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """The test database starts as a copy of a migrated one, built once per version of the
    sources and shared by every test process: migrating cost each worker 20-25 s of CPU.

    On SQLite the test runs in a file rather than Django's shared-cache in-memory database.
    The in-memory database has table locks without a busy timeout: a second connection
    that writes (the live server's thread, a tally emitted from a worker thread) made the
    other fail at once with "database table is locked". A file in WAL mode waits up to the
    configured timeout, as the embedded default does in `make run`. Durability is not
    needed for a throwaway test database, so it skips fsync. On PostgreSQL the test
    database is created from a migrated template database.
    """
    from django.conf import settings

    from tests.servers import clone_migrated_postgres, copy_migrated_sqlite

    database = settings.DATABASES["default"]
    test = database.setdefault("TEST", {})
    if database["ENGINE"] == POSTGRESQL:
        clone_migrated_postgres(database, test.get("NAME") or f"test_{database['NAME']}")
        return
    if database["ENGINE"] != SQLITE:
        return
    name = tmp_path_factory.mktemp("db") / "test.sqlite3"
    test["NAME"] = str(name)
    options = database.setdefault("OPTIONS", {})
    options["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"
    copy_migrated_sqlite(name)


@pytest.fixture(scope="session")
def django_db_keepdb(request, django_db_modify_db_settings) -> bool:
    """The test database is already a migrated copy (see above): Django keeps it and its
    migrate finds nothing to apply. Another engine: pytest-django's --reuse-db decides."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] in COPIED_ENGINES:
        return True
    return bool(request.config.getvalue("reuse_db"))


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_serialized_rollback"}

# Rows that only migrations write: the content types and the permissions on them. A
# transactional test's cleanup keeps them, so nothing has to rebuild them.
MIGRATION_ONLY_TABLES = frozenset({"django_content_type", "auth_permission"})
# Every other table's rows as django_db_setup committed them (the base rows and the demo),
# by database alias: put back after each transactional test.
SESSION_ROWS: dict[str, dict[str, object]] = {}


def _tables(connection) -> list[str]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    return sorted(set(tables) - MIGRATION_ONLY_TABLES)


def _copy_rows(connection) -> dict[str, object]:
    """Each non-empty table's rows: PostgreSQL's COPY text (any column type comes back as it
    went out), or SQLite's row tuples."""
    rows: dict[str, object] = {}
    with connection.cursor() as cursor:
        for table in _tables(connection):
            name = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {name} TO STDOUT") as copy:
                    data = b"".join(bytes(chunk) for chunk in copy)
                if data:
                    rows[table] = data
            else:
                cursor.execute(f"SELECT * FROM {name}")
                if found := cursor.fetchall():
                    rows[table] = found
    return rows


def _back_to_session_rows(test_case) -> None:
    """After a transactional test, delete every row but MIGRATION_ONLY_TABLES' and put back
    SESSION_ROWS, in one transaction (foreign keys are checked at its commit, so the order
    does not matter). Every transactional test then starts where the ``db`` tests do.

    Replaces Django's flush for these tests. On PostgreSQL the flush TRUNCATEs all 90 tables
    (each gets new files: 0.22 s) and runs post_migrate again to put back the content types
    and permissions it removed (0.17 s); then the next test rebuilt the base rows (0.1 s)
    and, when it needed it, the demo (0.47 s). Deleting the few rows a test wrote takes
    0.045 s; copying the session's rows back, a few more hundredths.
    """
    from django.db import connections, transaction

    if test_case.serialized_rollback or test_case.available_apps is not None:
        return test_case._django_fixture_teardown()  # Django's flush, as those expect
    for alias in test_case._databases_names(include_mirrors=False):
        connection = connections[alias]
        saved = SESSION_ROWS.get(alias, {})
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            for table in _tables(connection):
                name = connection.ops.quote_name(table)
                cursor.execute(f"DELETE FROM {name}")
                if table not in saved:
                    continue
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY {name} FROM STDIN") as copy:
                        copy.write(saved[table])
                else:
                    rows = saved[table]
                    marks = ", ".join(["%s"] * len(rows[0]))
                    cursor.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)


def ensure_base_data() -> None:
    """Put back what migrations create: Wagtail's root, locales, our HomePage and site, and
    the role groups.

    Every database test starts from these rows: the ``db`` tests' rollback and the
    transactional tests' cleanup (``_back_to_session_rows``) keep them. This puts them back
    where something else emptied the database (Django's own flush, for a test that asks for
    serialized rollback or ``available_apps``; none does today).
    """
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import Collection, GroupPagePermission, Locale, Page, Site

    from cms.models import HomePage
    from moderation.role_groups import ROLE_PERMISSIONS, ensure_role_groups

    if (
        Site.objects.filter(is_default_site=True).exists()
        and HomePage.objects.exists()
        and Group.objects.filter(name__in=ROLE_PERMISSIONS).count() == len(ROLE_PERMISSIONS)
    ):
        return
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sites.management import create_default_site

    if not ContentType.objects.exists():  # Django's flush removes these post_migrate rows
        ContentType.objects.clear_cache()
        for app_config in apps.get_app_configs():
            create_contenttypes(app_config, verbosity=0)
            create_permissions(app_config, verbosity=0)
    create_default_site(apps.get_app_config("sites"), verbosity=0)  # django.contrib.sites'
    english, _ = Locale.objects.get_or_create(language_code="en")
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    Locale.objects.get_or_create(language_code="ur")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=english))
    home = HomePage.objects.first()
    if home is None:
        home = root.add_child(
            instance=HomePage(title="Open Consultation", slug="home", locale=english)
        )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "root_page": home, "site_name": "Open Consultation"},
    )
    ensure_role_groups(Group, Permission, Page, GroupPagePermission)


@pytest.fixture(autouse=True)
def _default_language():
    """Requests to /ur/ leave Urdu active in this thread; each test starts in English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit windows live in the cache: each test starts with none used."""
    from django.core.cache import cache

    from consult.live.presence import forget_local_counts

    cache.clear()
    forget_local_counts()


@pytest.fixture(autouse=True)
def _base_data(request):
    """Every database test starts with the data migrations' rows (see ensure_base_data)."""
    if request.node.get_closest_marker("django_db") is None and not (
        DB_FIXTURES & set(request.fixturenames)
    ):
        return
    # pytest-django's helper grants database access as the test's marker/fixtures ask.
    request.getfixturevalue("_django_db_helper")
    ensure_base_data()


@pytest.fixture
def demo(db):
    """The demo consultation with its sample submissions (the same one `make run` loads):
    the shared copy from ``django_db_setup``, or built afresh where a test removed it."""
    from cms.demo import load_demo

    page, _ = load_demo()
    return page


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared test data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (Playwright's own browser download is not used)."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM}: run scripts/system-deps.sh")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made from
    # test code between browser steps are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 412, "height": 915})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Browser tests run last: Playwright's sync API keeps an event loop running in the main
    thread for the whole browser session, which async (Channels) tests cannot share."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
