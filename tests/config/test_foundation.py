"""The foundation: settings, demo data, pages, admin, WebSocket, tasks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings

from cms.models import ConsultationPage
from consult.models import Source, Submission
from drafts.models import DraftVersion
from tests.servers import migrated_sqlite_env, start_daphne

ROOT = Path(__file__).resolve().parents[2]


def test_settings_follow_environment():
    db_url = os.environ.get("DATABASE_URL", "")
    engine = settings.DATABASES["default"]["ENGINE"]
    if db_url.startswith("postgres"):
        assert engine == "django.db.backends.postgresql"
    else:
        assert engine == "django.db.backends.sqlite3"
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    if os.environ.get("REDIS_URL"):
        assert layer == "config.channel_layer.RedisPubSubChannelLayer"
    else:
        assert layer == "channels.layers.InMemoryChannelLayer"
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"


def test_production_settings_pass_deploy_check():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "CONSULT_INSECURE_DEFAULTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        SECRET_KEY="x" * 20 + "-production-secret-key-with-enough-entropy-1234567890",
        ALLOWED_HOSTS="consult.example.org",
        DATABASE_URL=os.environ.get("DATABASE_URL", "sqlite:////tmp/deploy-check.sqlite3"),
        # The checks need no connection pool: with the run's database not created, a pool
        # retried until its timeout (two minutes of this test on PostgreSQL).
        DATABASE_POOL="0",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_secret_key_is_a_clear_error():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "CONSULT_INSECURE_DEFAULTS"}}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_demo_is_complete_and_idempotent(demo):
    from cms.demo import load_demo

    page, created = load_demo()
    assert not created and page.pk == demo.pk
    assert ConsultationPage.objects.count() == 1
    # Version 1, then the revised version 2 that the comments followed into.
    assert DraftVersion.objects.filter(page=demo).count() == 2
    version = DraftVersion.objects.get(page=demo, number=2)
    clauses = list(version.clauses.all())
    assert len(clauses) >= 20
    assert all(c.heading_ur for c in clauses)
    assert demo.title_ur
    assert sum("\n(2)" in c.text for c in clauses) >= 10  # sub-clauses
    sources = set(Submission.objects.filter(consultation=demo).values_list("source", flat=True))
    assert sources == set(Source.values)
    assert Submission.objects.filter(consultation=demo).exclude(anchor_exact="").exists()
    assert Submission.objects.filter(consultation=demo, level=1).exists()  # a threaded reply


def test_load_demo_command_twice_prints_same_credentials(db, tmp_path, settings):
    from django.core.management import call_command

    settings.VAR_DIR = tmp_path
    from cms.demo import DEMO_SLUG

    # The test database shares one demo (tests/conftest.py): then the first run finds it.
    existed = ConsultationPage.objects.filter(slug=DEMO_SLUG).exists()
    outputs = []
    for _ in range(2):
        from io import StringIO

        out = StringIO()
        call_command("load_demo", stdout=out)
        outputs.append(out.getvalue())
    assert ("already present" if existed else "created") in outputs[0]
    assert "already present" in outputs[1]
    credential_line = [line for line in outputs[0].splitlines() if "password=" in line][0]
    assert credential_line in outputs[1]
    assert ConsultationPage.objects.count() == 1


def test_consultation_page_shows_clauses(client, demo):
    response = client.get(demo.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    body = response.content.decode()
    version = demo.current_version()
    for clause in version.clauses.all()[:20]:
        assert f'id="clause-{clause.key}"' in body
    assert demo.title in body


def test_urdu_page_is_right_to_left(client, demo):
    response = client.get("/ur" + demo.url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="ur" dir="rtl"' in body
    assert demo.title_ur in body


def test_wagtail_admin_login_works(client, db, django_user_model):
    django_user_model.objects.create_superuser("boss", "boss@example.org", "a-long-password-1")
    response = client.post(
        "/admin/login/", {"username": "boss", "password": "a-long-password-1"}, follow=True
    )
    assert response.status_code == 200
    assert response.wsgi_request.user.is_authenticated
    assert client.get("/admin/").status_code == 200


def test_healthz_reports_each_dependency(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # SELECT 1 and the capped task backlog; no writes
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["tasks"]["ready"] >= 0
    assert "sessionid" not in response.cookies
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_down(client, db, monkeypatch):
    from django.db import OperationalError

    import config.health

    def down():
        raise OperationalError("connection refused")

    monkeypatch.setattr(config.health, "_database", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert "tasks" not in response.json()["checks"]


LOCAL_HEADERS = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
FOREIGN_HEADERS = [(b"origin", b"http://evil.example"), (b"host", b"localhost")]


@pytest.mark.django_db  # Channels closes stale database connections around each message
async def test_ping_consumer_answers():
    from config.asgi import application

    communicator = WebsocketCommunicator(
        application,
        "/ws/ping/",
        headers=LOCAL_HEADERS,
    )
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"hello": 1})
    reply = await communicator.receive_json_from()
    assert reply["type"] == "pong" and reply["echo"] == {"hello": 1}
    await communicator.disconnect()


@pytest.mark.django_db
async def test_websocket_from_foreign_origin_is_refused():
    from config.asgi import application

    communicator = WebsocketCommunicator(
        application,
        "/ws/ping/",
        headers=FOREIGN_HEADERS,
    )
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()


def test_daphne_serves_http_and_websocket(free_port, tmp_path):
    """A real daphne process answers HTTP and a real WebSocket ping on loopback."""
    import asyncio

    import websockets

    # Its own SQLite file: this checks the server stack, not the database (the test database
    # of this run is not visible to another process). daphne's own command, as a plain
    # deployment would run it.
    env = migrated_sqlite_env(tmp_path / "daphne.sqlite3", "foundation")
    daphne = Path(sys.executable).with_name("daphne")
    proc = start_daphne(env, free_port, command=[str(daphne)], timeout=30)
    try:

        async def ping():
            async with websockets.connect(
                f"ws://127.0.0.1:{free_port}/ws/ping/", origin="http://127.0.0.1"
            ) as ws:
                await ws.send('{"n": 7}')
                return await ws.recv()

        reply = asyncio.run(ping())
        assert '"pong"' in reply and '"n": 7' in reply
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.browser
def test_browser_smoke_consultation_page(live_server, demo, page, artifacts):
    page.goto(live_server.url + demo.url)
    clauses = page.locator("li.clause")
    assert clauses.count() == demo.current_version().clauses.count()
    assert page.locator("h1").inner_text() == demo.title
    page.screenshot(path=str(artifacts / "consultation-page.png"), full_page=False)
    assert (artifacts / "consultation-page.png").stat().st_size > 5000
