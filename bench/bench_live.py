"""make bench-live CLIENTS=N: N real WebSocket clients against daphne + the Redis layer.

Starts a fresh database and DAPHNES daphne processes (sharing one Redis channel layer), then
runs the clients in a second process on loopback. Workload (issue 7): 50 approved questions
on the board; within 10 s every client upvotes one random question; then a facilitator opens
a poll and every client answers within 10 s. Latency: from a vote being accepted (server
clock, same machine) to each client seeing a count that includes it. Dropped messages are
recovered by resume; ``delivered`` is measured after recovery.
Last line: ``live clients=<N> delivered=<fraction> p50_ms=<n> p99_ms=<n>``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

SETUP = r"""
import json, sys
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from consult.live import services
from consult.live.demo import make_town_hall
from consult.live.identity import SALT, SESSION_KEY as LIVE_KEY
from django.core import signing
import secrets
n = int(sys.argv[1])
page = make_town_hall(slug="bench-" + secrets.token_hex(4))
fac = page.facilitators.get()
actor = services.Actor(f"u:{fac.pk}", fac, True)
services.start_session(page, actor)
for i in range(50):
    q = services.post_question(page, services.Actor(f"a:asker{i}"), f"Bench question {i}?")
    services.approve_question(page, actor, q["question_id"])
store = SessionStore()
fs = SessionStore(); fs[SESSION_KEY] = str(fac.pk)
fs[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
fs[HASH_SESSION_KEY] = fac.get_session_auth_hash(); fs.save()
keys, rows = [], []
from django.utils import timezone
from datetime import timedelta
expire = timezone.now() + timedelta(days=1)
for i in range(n):
    key = secrets.token_hex(16)
    data = {LIVE_KEY: signing.dumps("a:bench" + secrets.token_urlsafe(8), salt=SALT)}
    rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
    keys.append(key)
Session.objects.bulk_create(rows, batch_size=500)
print(json.dumps({"id": page.pk, "fac": fs.session_key, "keys": keys}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def raise_nofile(want: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(hard, max(soft, want))
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def fresh_database(env: dict) -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url is None:
        ok = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode == 0
        if ok:
            url = "postgres://postgres@127.0.0.1:5432/consult_issue7_bench"
        else:
            url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    if os.environ.get("BENCH_KEEP_DB") == "1":  # reuse a migrated database (each run adds a
        env["DATABASE_URL"] = url  # new town hall page, so runs do not see each other)
        return url
    if url.startswith("postgres"):
        name = url.rsplit("/", 1)[1]
        base = ["-h", "127.0.0.1", "-U", "postgres"]
        subprocess.run(["dropdb", *base, "--if-exists", name], check=True)
        subprocess.run(["createdb", *base, name], check=True)
    env["DATABASE_URL"] = url
    subprocess.run(
        [PY, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return url


# --- the client process --------------------------------------------------------------------


async def run_clients(cfg: dict) -> dict:
    import websockets

    n = len(cfg["keys"])
    ports = cfg["ports"]
    path = f"/ws/townhall/{cfg['id']}/"
    t0 = time.time()
    tally_votes: dict[int, dict] = {}  # seq -> {qid: count}: the same for every client
    poll_answers: dict[int, int] = {}  # seq -> answers so far in the open poll
    recv = [{} for _ in range(n)]  # per client: tally seq -> time seen
    accepted: list[tuple[str, int, float]] = []  # (qid, count after the vote, server time)
    stats = {"resumes": 0, "replayed": 0, "errors": 0, "closed": 0}
    questions: list[int] = []
    poll_state = {"id": None, "options": [], "opened": asyncio.Event()}
    last_seq = [0] * n
    conns: list = [None] * n
    pending: list[dict] = [{} for _ in range(n)]
    my_poll_ok = [False] * n

    def note(i, message, now):
        seq = message["seq"]
        if message.get("event") == "tally":
            tally_votes.setdefault(seq, message["payload"]["votes"])
            polls = message["payload"]["polls"]
            if polls:
                poll_answers.setdefault(seq, polls[0]["answers"])
            recv[i].setdefault(seq, now)
        elif message.get("event") == "poll" and message["payload"]["poll"]["status"] == "open":
            poll = message["payload"]["poll"]
            poll_state["id"] = poll["id"]
            poll_state["options"] = [o["id"] for o in poll["options"]]
            poll_state["opened"].set()

    async def reader(i, ws):
        # As frontend/static/js/live.js: an event that arrives before an earlier one waits
        # up to 300 ms for it (two daphne processes may publish out of order); only if the
        # gap is still there is the stored log asked for it.
        state = {"resuming": False, "gap_timer": None}
        early: dict[int, dict] = {}

        def drain(now):
            while last_seq[i] + 1 in early:
                e = early.pop(last_seq[i] + 1)
                last_seq[i] = e["seq"]
                note(i, e, now)
            for seq in [s for s in early if s <= last_seq[i]]:
                del early[seq]

        async def gap_check():
            await asyncio.sleep(0.3)
            state["gap_timer"] = None
            if early and not state["resuming"]:
                state["resuming"] = True
                stats["resumes"] += 1
                if os.environ.get("BENCH_DEBUG") and i % 100 == 0:
                    print(
                        f"gap client {i} at seq {last_seq[i]}, early {sorted(early)[:5]}, "
                        f"t={time.time() - t0:.1f}s",
                        flush=True,
                    )
                await ws.send(json.dumps({"type": "resume", "last_seq": last_seq[i]}))

        async for raw in ws:
            now = time.time()
            m = json.loads(raw)
            kind = m["type"]
            if kind == "event":
                if m["seq"] <= last_seq[i]:
                    continue
                if m["seq"] > last_seq[i] + 1:
                    early[m["seq"]] = m
                    if state["gap_timer"] is None:
                        state["gap_timer"] = asyncio.ensure_future(gap_check())
                    continue
                last_seq[i] = m["seq"]
                note(i, m, now)
                drain(now)
            elif kind == "replay":
                state["resuming"] = False
                for e in m["events"]:
                    if e["seq"] == last_seq[i] + 1:
                        last_seq[i] = e["seq"]
                        stats["replayed"] += 1
                        note(i, e, now)
                drain(now)
                fut = pending[i].pop("replay", None)
                if fut and not fut.done():
                    fut.set_result(True)
            elif kind == "snapshot":
                last_seq[i] = m["seq"]
                drain(now)
                if not questions:
                    questions.extend(q["id"] for q in m["questions"])
            elif kind in ("ack", "error"):
                fut = pending[i].pop(m.get("ref"), None)
                if fut and not fut.done():
                    fut.set_result(m)

    async def request(i, payload):
        fut = asyncio.get_running_loop().create_future()
        pending[i][payload["ref"]] = fut
        await conns[i].send(json.dumps(payload))
        return await asyncio.wait_for(fut, 60)

    tasks = []

    async def open_one(i):
        port = ports[i % len(ports)]
        ws = await websockets.connect(
            f"ws://127.0.0.1:{port}{path}",
            origin=f"http://127.0.0.1:{port}",
            additional_headers={"Cookie": f"sessionid={cfg['keys'][i]}"},
            open_timeout=120,
            close_timeout=2,
            ping_interval=None,
            max_queue=None,
        )
        conns[i] = ws
        tasks.append(asyncio.create_task(reader(i, ws)))

    # Connect in waves so the accept backlog is not the thing being measured.
    for start in range(0, n, 100):
        await asyncio.gather(*(open_one(i) for i in range(start, min(n, start + 100))))
    connected_at = time.time()
    await asyncio.sleep(2)
    print(f"connected {n} in {connected_at - t0:.1f}s", flush=True)
    cfg["after_connect"]()

    async def vote(i):
        await asyncio.sleep(random.uniform(0, 10))
        qid = random.choice(questions)
        try:
            m = await request(
                i, {"type": "action", "action": "vote", "ref": "v", "question_id": qid}
            )
        except TimeoutError:  # counted, not fatal: the run reports what it could measure
            stats["errors"] += 1
            return
        if m["type"] == "ack":
            accepted.append((str(qid), m["result"]["votes"], m["at"]))
        else:
            stats["errors"] += 1

    await asyncio.gather(*(vote(i) for i in range(n)))
    print(f"votes accepted {len(accepted)}/{n} at {time.time() - t0:.1f}s", flush=True)
    await asyncio.sleep(2)

    fac = await websockets.connect(
        f"ws://127.0.0.1:{ports[0]}{path}",
        origin=f"http://127.0.0.1:{ports[0]}",
        additional_headers={"Cookie": f"sessionid={cfg['fac']}"},
    )
    await fac.send(
        json.dumps(
            {
                "type": "action",
                "action": "open_poll",
                "ref": "p",
                "question": "Was this useful?",
                "options": ["yes", "no"],
            }
        )
    )
    await asyncio.wait_for(poll_state["opened"].wait(), 60)

    async def answer(i):
        await asyncio.sleep(random.uniform(0, 10))
        m = await request(
            i,
            {
                "type": "action",
                "action": "answer_poll",
                "ref": "a",
                "poll_id": poll_state["id"],
                "option_ids": [random.choice(poll_state["options"])],
            },
        )
        my_poll_ok[i] = m["type"] == "ack"

    await asyncio.gather(*(answer(i) for i in range(n)))
    print(f"poll answers {sum(my_poll_ok)}/{n} at {time.time() - t0:.1f}s", flush=True)
    await asyncio.sleep(2)

    # A dropped *last* event leaves no gap to see: every client checks in once at the end.
    async def final_sync(i):
        fut = asyncio.get_running_loop().create_future()
        pending[i]["replay"] = fut
        await conns[i].send(json.dumps({"type": "resume", "last_seq": last_seq[i]}))
        await asyncio.wait_for(fut, 60)

    await asyncio.gather(*(final_sync(i) for i in range(n)))
    await fac.close()
    await asyncio.gather(*(ws.close() for ws in conns), return_exceptions=True)
    for task in tasks:
        task.cancel()
    return {
        "tally_votes": tally_votes,
        "poll_answers": poll_answers,
        "recv": recv,
        "accepted": accepted,
        "stats": stats,
        "poll_ok": sum(my_poll_ok),
    }


def analyse(result: dict, n: int) -> dict:
    import numpy as np

    seqs = sorted(result["tally_votes"])
    col = {s: j for j, s in enumerate(seqs)}
    times = np.full((n, len(seqs)), np.inf)
    for i, seen in enumerate(result["recv"]):
        for seq, t in seen.items():
            times[i, col[seq]] = t
    # Seeing any later tally also shows the count: suffix minimum along the tally axis.
    suffix = np.minimum.accumulate(times[:, ::-1], axis=1)[:, ::-1]
    latencies = []
    first = []
    missing = 0
    for qid, count, at in result["accepted"]:
        j = next((col[s] for s in seqs if result["tally_votes"][s].get(qid, 0) >= count), None)
        if j is None:
            missing += n
            continue
        column = suffix[:, j]
        ok = np.isfinite(column)
        missing += int((~ok).sum())
        latencies.append(np.maximum(column[ok] - at, 0))
        first.append(float(column[ok].min() - at) if ok.any() else np.nan)
    lat = np.concatenate(latencies) if latencies else np.array([np.nan])
    total = len(result["accepted"]) * n
    final_answers = (
        result["poll_answers"][max(result["poll_answers"])] if result["poll_answers"] else 0
    )
    return {
        "delivered": (total - missing) / total if total else 0.0,
        "p50_ms": float(np.percentile(lat, 50) * 1000),
        "p99_ms": float(np.percentile(lat, 99) * 1000),
        "poll_final_answers": final_answers,
        "first_client_p50_ms": float(np.nanpercentile(first, 50) * 1000) if first else 0,
    }


def client_main(cfg_path: str) -> None:
    cfg = json.loads(Path(cfg_path).read_text())
    raise_nofile(len(cfg["keys"]) + 1000)
    signal_path = Path(cfg_path + ".connected")
    cfg["after_connect"] = lambda: signal_path.write_text("1")
    result = asyncio.run(run_clients(cfg))
    summary = (
        analyse(result, len(cfg["keys"]))
        | result["stats"]
        | {
            "accepted": len(result["accepted"]),
            "poll_ok": result["poll_ok"],
            "tallies": len(result["tally_votes"]),
        }
    )
    Path(cfg_path + ".out").write_text(json.dumps(summary))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=int(os.environ.get("CLIENTS", "500")))
    parser.add_argument("--daphnes", type=int, default=int(os.environ.get("DAPHNES", "2")))
    parser.add_argument("--client-config")
    args = parser.parse_args()
    if args.client_config:
        client_main(args.client_config)
        return
    n = args.clients
    raise_nofile(2 * n + 2000)
    env = dict(
        os.environ,
        CONSULT_INSECURE_DEFAULTS="1",
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"),
        CHANNELS_PREFIX="issue7bench",
        CACHE_PREFIX="issue7bench",
        LOG_LEVEL="WARNING",
    )
    subprocess.run(
        ["redis-cli", "-u", env["REDIS_URL"], "flushdb"], check=False, capture_output=True
    )
    url = fresh_database(env)
    print(f"database {url.split('@')[-1]}", flush=True)
    setup = subprocess.run(
        [PY, "-c", SETUP, str(n)],
        cwd=ROOT,
        env=env | {"DJANGO_SETTINGS_MODULE": "consult.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(setup.stdout.strip().splitlines()[-1])
    ports = [free_port() for _ in range(args.daphnes)]
    log = open(Path(tempfile.gettempdir()) / "bench_live_daphne.log", "w")  # noqa: SIM115
    daphne = Path(PY).with_name("daphne")
    servers = [
        subprocess.Popen(
            [
                str(daphne),
                "-b",
                "127.0.0.1",
                "-p",
                str(p),
                "--websocket_timeout",
                "-1",
                "--websocket_connect_timeout",
                "300",
                "consult.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for p in ports
    ]
    try:
        for p in ports:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{p}/healthz").close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
        before = sum(rss_kib(s.pid) for s in servers)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
            json.dump(info | {"ports": ports}, fh)
        cfg_path = fh.name
        client = subprocess.Popen([PY, __file__, "--client-config", cfg_path], cwd=ROOT)
        connected = Path(cfg_path + ".connected")
        while not connected.exists() and client.poll() is None:
            time.sleep(0.5)
        after = sum(rss_kib(s.pid) for s in servers)
        client.wait()
        if client.returncode != 0:
            raise SystemExit("client process failed")
        out = json.loads(Path(cfg_path + ".out").read_text())
    finally:
        for s in servers:
            s.terminate()
        for s in servers:
            try:
                s.wait(timeout=20)
            except subprocess.TimeoutExpired:
                s.kill()
    per_conn = (after - before) / n
    print(
        f"daphnes={args.daphnes} server_rss_before_kib={before} after_connect_kib={after} "
        f"per_connection_kib={per_conn:.1f}"
    )
    print(
        f"votes_accepted={out['accepted']} tallies={out['tallies']} resumes={out['resumes']} "
        f"replayed_events={out['replayed']} vote_errors={out['errors']} "
        f"poll_answers_ok={out['poll_ok']} poll_final_count={out['poll_final_answers']} "
        f"first_client_p50_ms={out['first_client_p50_ms']:.0f}"
    )
    print(
        f"live clients={n} delivered={out['delivered']:.4f} p50_ms={out['p50_ms']:.0f} "
        f"p99_ms={out['p99_ms']:.0f}"
    )


if __name__ == "__main__":
    main()
