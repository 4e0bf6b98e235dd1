"""PostgreSQL restarting under write load: every answer is 2xx or 503 (never a 500), and
every comment answered 201 with a receipt is in the database afterwards.

Real processes: a private PostgreSQL cluster (initdb in a temporary folder, its own port,
run as the ``postgres`` OS user when the tests run as root), migrated once (restored from a
dump of that after the first run: tests.faults.servers.restore_or_build), and one daphne
(``config.serve``, production settings apart from the insecure-defaults switch, DEBUG off,
the connection pool on) in front of it. The cluster is stopped (``pg_ctl -m fast``) and
started again while 6 threads post comments. The machine's shared PostgreSQL is not used.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import threading
import time

import pytest

from tests.faults.servers import PrivateCluster, restore_or_build
from tests.servers import ROOT, start_daphne, unused_port

pytestmark = pytest.mark.fault

INFO_SCRIPT = """
import json
from tests.consult.test_comments import make_consultation
page = make_consultation()
clause = page.current_version().clauses.first()
print(json.dumps({"page_id": page.pk, "url": page.url, "clause_id": clause.pk}))
"""


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    requests = pytest.importorskip("requests")
    import psycopg

    cluster = PrivateCluster()
    files = tmp_path_factory.mktemp("pg-restart-files")
    try:
        cluster.start()
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE consult")
        env = dict(
            __import__("os").environ,
            CONSULT_INSECURE_DEFAULTS="1",
            DEBUG="0",
            DATABASE_URL=cluster.url("consult"),
            DATABASE_POOL_TIMEOUT="2",
            RATE_LIMITS=json.dumps({"comment": [100000, 600]}),
            MEDIA_ROOT=str(files / "media"),
            VOICE_AUDIO_ROOT=str(files / "voice"),
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
        )
        env.pop("REDIS_URL", None)

        def build() -> dict:
            for command in (["migrate", "--noinput"], ["load_demo"]):
                subprocess.run(
                    [sys.executable, "manage.py", *command],
                    cwd=ROOT,
                    env=env,
                    check=True,
                    capture_output=True,
                    timeout=300,
                )
            return json.loads(
                subprocess.run(
                    [sys.executable, "manage.py", "shell", "-c", INFO_SCRIPT],
                    cwd=ROOT,
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
                .stdout.strip()
                .splitlines()[-1]
            )

        made_by = INFO_SCRIPT + (ROOT / "tests" / "consult" / "test_comments.py").read_text()
        info = restore_or_build(cluster, "consult", build, made_by)
        port = unused_port()
        daphne = start_daphne(env, port)
        yield {"cluster": cluster, "base": f"http://127.0.0.1:{port}", "requests": requests, **info}
        daphne.terminate()
        daphne.wait(10)
    finally:
        cluster.cleanup()


def posts_accepted(results: list) -> int:
    return sum(1 for r in results if r[:2] == ("POST", 201))


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def poster(platform, stop: threading.Event, results: list):
    requests = platform["requests"]
    base = platform["base"]
    while not stop.is_set():
        session = requests.Session()
        try:
            page = session.get(base + platform["url"], timeout=15)
            results.append(("GET", page.status_code, None))
            if page.status_code != 200:
                time.sleep(0.1)
                continue
            match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            token = secrets.token_hex(8)
            answer = session.post(
                f"{base}/consultations/{platform['page_id']}/comment/",
                data={
                    "csrfmiddlewaretoken": match.group(1) if match else "",
                    "clause_id": platform["clause_id"],
                    "stance": "oppose",
                    "text": f"Restart test {token}.",
                    "stakeholder": "individual",
                    "language": "en",
                    "display_mode": "pseudonymous",
                    "client_token": token,
                },
                headers={"Accept": "application/json", "Referer": base + platform["url"]},
                allow_redirects=False,
                timeout=15,
            )
            code = answer.json().get("receipt_code") if answer.status_code == 201 else None
            results.append(("POST", answer.status_code, code))
            if answer.status_code == 503:
                assert answer.headers.get("Retry-After")
        except requests.RequestException as exc:  # a dropped connection would be a failure
            results.append(("ERROR", 0, repr(exc)))


def test_restart_under_write_load(platform):
    import psycopg

    stop = threading.Event()
    results: list = []
    threads = [
        threading.Thread(target=poster, args=(platform, stop, results), daemon=True)
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    # Writes before the restart: waited for rather than slept on (a loaded machine took
    # more than a fixed second and a half for the first).
    assert wait_for(lambda: posts_accepted(results) > 0, 60)
    before = posts_accepted(results)
    platform["cluster"].stop("fast")
    requests = platform["requests"]
    started = time.monotonic()
    health = requests.get(platform["base"] + "/healthz", timeout=15)
    assert health.status_code == 503 and time.monotonic() - started < 10
    assert health.json()["checks"]["database"]["ok"] is False
    time.sleep(1)
    platform["cluster"].start()
    assert wait_for(
        lambda: requests.get(platform["base"] + "/healthz", timeout=15).status_code == 200, 60
    )
    assert wait_for(lambda: posts_accepted(results) > before, 60)  # and again after it
    stop.set()
    for thread in threads:
        thread.join(30)

    statuses = {(kind, status) for kind, status, _ in results}
    assert all(kind != "ERROR" for kind, *_ in results), [r for r in results if r[0] == "ERROR"]
    assert all(200 <= status < 300 or status == 503 for _, status in statuses), statuses
    assert ("POST", 503) in statuses or ("GET", 503) in statuses  # the outage was seen
    after = sum(1 for r in results if r[:2] == ("POST", 201)) - before
    assert before > 0 and after > 0  # writes before the restart, and again after it
    accepted = {code for kind, status, code in results if kind == "POST" and status == 201}
    with psycopg.connect(platform["cluster"].url("consult")) as conn:
        stored = {
            row[0]
            for row in conn.execute(
                "SELECT receipt_code FROM consult_submission WHERE receipt_code = ANY(%s)",
                [list(accepted)],
            )
        }
    assert stored == accepted
