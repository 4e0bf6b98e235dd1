"""Rate limits per participant and per address, across processes through Redis."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache

from moderation.ratelimit import RateLimited, check

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/8"

WORKER = """
import json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")
django.setup()
from moderation.ratelimit import RateLimited, check
allowed = 0
for _ in range(int(sys.argv[1])):
    try:
        check("comment", ip="203.0.113.9", now=float(sys.argv[2]))
        allowed += 1
    except RateLimited:
        pass
print(json.dumps({"allowed": allowed}))
"""


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_fixed_window_per_ip_and_per_participant(db, settings):
    settings.MODERATION_RATE_LIMITS = {"vote": (3, 60)}
    now = 1_000_020.0
    for _ in range(3):
        check("vote", ip="198.51.100.1", now=now)
    with pytest.raises(RateLimited, match="the limit is 3 every 1 minutes"):
        check("vote", ip="198.51.100.1", now=now)
    check("vote", ip="198.51.100.2", now=now)  # another address has its own budget
    check("vote", ip="198.51.100.1", now=now + 60)  # the next window starts afresh

    user = User.objects.create_user("u1")
    for index in range(3):
        check("vote", user=user, ip=f"192.0.2.{index}", now=now)  # hopping addresses
    with pytest.raises(RateLimited):
        check("vote", user=user, ip="192.0.2.99", now=now)


@pytest.mark.parametrize("action", ["comment", "vote", "upload", "signup"])
def test_every_action_has_a_limit(action, settings):
    settings.MODERATION_RATE_LIMITS = {}
    from moderation.ratelimit import limits

    limit, window = limits()[action]
    for _ in range(limit):
        check(action, ip="198.51.100.7", now=5_000_000.0)
    with pytest.raises(RateLimited):
        check(action, ip="198.51.100.7", now=5_000_000.0)


def test_decorated_view_answers_429_with_the_limit(client, db, settings):
    settings.MODERATION_RATE_LIMITS = {"appeal": (2, 3600)}
    for _ in range(2):
        assert client.post("/appeal/", {"code": "X"}).status_code == 302
    response = client.post("/appeal/", {"code": "X"})
    assert response.status_code == 429
    assert "the limit is 2 every 60 minutes" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def _redis_up() -> bool:
    host, port = "127.0.0.1", 6379
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
def test_limit_holds_across_two_processes_through_redis():
    env = {
        **os.environ,
        "REDIS_URL": REDIS_URL,
        "CACHE_PREFIX": f"rltest-{uuid.uuid4().hex[:8]}",
        "CONSULT_INSECURE_DEFAULTS": "1",
    }
    env.pop("DATABASE_URL", None)
    now = "7000000.0"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, "8", now],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1])["allowed"])
    # The comment limit is 10 per window: 16 tries across two processes let exactly 10 in.
    assert sum(results) == 10, results
