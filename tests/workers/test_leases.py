"""Leased workers (workers/): a task whose worker died runs again, by the workers alone."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.workers.tasks import block_first_time
from workers import leases
from workers.models import TaskLease

ROOT = Path(__file__).resolve().parents[2]


def _worker_database(tmp_path: Path) -> tuple[str, str]:
    """(DATABASE_URL, vendor) of a database a worker process can see: on PostgreSQL the
    test database itself (the test commits), on SQLite a file with the task tables."""
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        return url, "postgresql"
    return f"sqlite:///{tmp_path / 'worker.sqlite3'}", "sqlite"


def _row(url: str, vendor: str, sql: str, *params):
    if vendor == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=20) as conn:
            return conn.execute(sql, params).fetchone()
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
        return conn.execute(sql.replace("?", "%s"), params).fetchone()


def _worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--queue-name", "default",
         "--no-startup-delay", "--no-reload", "--interval", "0.2", "--verbosity", "0"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
    return value


@pytest.mark.django_db(transaction=True)
def test_task_of_a_killed_worker_runs_again_by_itself(tmp_path):
    """A real worker is SIGKILLed mid-task; a second worker (nobody runs any command)
    requeues it once its 3 s lease has run out and finishes it: attempts = 2."""
    url, vendor = _worker_database(tmp_path)
    env = dict(
        os.environ, CONSULT_INSECURE_DEFAULTS="1", DATABASE_URL=url, DATABASE_POOL="0",
        TASK_LEASE_SECONDS="3", PYTHONPATH=str(ROOT),
    )  # fmt: skip
    marks = tmp_path / "marks"
    marks.mkdir()
    if vendor == "sqlite":
        enqueued = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c",
             "from django.core.management import call_command\n"
             "call_command('migrate', 'workers', verbosity=0)\n"
             "from tests.workers.tasks import block_first_time\n"
             f"print(block_first_time.enqueue({str(marks)!r}).id)"],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        task_id = enqueued.stdout.strip().splitlines()[-1]
    else:
        task_id = block_first_time.enqueue(str(marks)).id
    key = task_id.replace("-", "") if vendor == "sqlite" else task_id
    status_sql = "SELECT status FROM django_tasks_database_dbtaskresult WHERE id=?"

    first = _worker(env)
    try:
        _wait(lambda: (marks / "started-1").exists(), 120, "the first attempt")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        first.kill()
    assert _row(url, vendor, status_sql, key) == ("RUNNING",)

    second = _worker(env)
    try:
        _wait(lambda: _row(url, vendor, status_sql, key) != ("RUNNING",), 120, "the requeue")
        _wait(lambda: _row(url, vendor, status_sql, key) == ("SUCCESSFUL",), 60, "the retry")
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(timeout=10)
        except subprocess.TimeoutExpired:
            second.kill()
    assert sorted(p.name for p in marks.iterdir()) == ["started-1", "started-2"]
    attempts, expires = _row(
        url, vendor, "SELECT attempts, lease_expires_at FROM workers_tasklease "
        "WHERE task_result_id=?", key,
    )  # fmt: skip
    assert (attempts, expires) == (2, None)


# --- The lease rules, in process ---------------------------------------------------------


def _running(**lease):
    result = block_first_time.enqueue("/nonexistent")
    db = DBTaskResult.objects.get(id=result.id)
    db.claim("w1")
    if lease:
        TaskLease.objects.create(task_result=db, **lease)
    return db


@pytest.mark.django_db
def test_live_lease_is_kept_and_expired_one_requeued():
    now = timezone.now()
    live = _running(worker_id="w1", lease_expires_at=now + timedelta(seconds=30), attempts=1)
    dead = _running(worker_id="w2", lease_expires_at=now - timedelta(seconds=1), attempts=1)
    assert leases.requeue_expired(now=now) == [str(dead.id)]
    live.refresh_from_db(), dead.refresh_from_db()
    assert (live.status, dead.status) == ("RUNNING", "READY")
    assert TaskLease.objects.get(task_result=dead).worker_id == ""
    # The requeued task is claimed again: attempt 2, and the dead worker cannot renew.
    assert leases.start(dead.id, "w3", 3) == 2
    assert not leases.renew(dead.id, "w2") and leases.renew(dead.id, "w3")


@pytest.mark.django_db
def test_claimed_but_never_leased_task_expires_after_one_lease():
    orphan = _running()
    assert leases.requeue_expired(seconds=60) == []
    later = timezone.now() + timedelta(seconds=61)
    assert leases.requeue_expired(now=later, seconds=60) == [str(orphan.id)]


@pytest.mark.django_db
def test_task_fails_after_too_many_attempts(settings):
    settings.TASK_MAX_ATTEMPTS = 2
    doomed = _running(worker_id="w1", lease_expires_at=timezone.now(), attempts=2)
    assert leases.requeue_expired(now=timezone.now() + timedelta(seconds=1)) == []
    doomed.refresh_from_db()
    assert doomed.status == "FAILED"
    assert doomed.exception_class_path == "workers.leases.LeaseExpired"


@pytest.mark.django_db
def test_admin_lists_each_task_with_its_attempts(client, django_user_model):
    _running(worker_id="w1", lease_expires_at=timezone.now(), attempts=2)
    admin = django_user_model.objects.create_superuser("ops", "o@example.org", "pw-long-enough-1")
    client.force_login(admin)
    body = client.get("/django-admin/workers/tasklease/").content.decode()
    assert 'class="field-attempts">2<' in body and "Running" in body
