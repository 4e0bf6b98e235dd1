"""make bench-live CLIENTS=N: N real WebSocket clients against daphne + the Redis layer.

Starts a fresh database and DAPHNES daphne processes (sharing one Redis channel layer), then
runs the clients in a second process on loopback. Workload: 50 approved questions
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

import orjson
from picows import WSListener, WSMsgType, ws_connect

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

SETUP = r"""
import json, sys
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from cms.demo import make_town_hall
from consult.live.services import questions, session
from consult.live.services.checks import Actor
from consult.live.identity import SALT, SESSION_KEY as LIVE_KEY
from django.core import signing
import secrets
n = int(sys.argv[1])
page = make_town_hall(slug="bench-" + secrets.token_hex(4))
fac = page.facilitators.get()
actor = Actor(f"u:{fac.pk}", fac, True)
session.start_session(page, actor)
for i in range(50):
    q = questions.post_question(page, Actor(f"a:asker{i}"), f"Bench question {i}?")
    questions.approve_question(page, actor, q["question_id"])
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


def cpu_seconds(pids) -> float:
    """User + system CPU of these processes so far (from /proc; gone processes count 0)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def pids_named(name: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


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


class BenchClient(WSListener):
    """One participant, as frontend/static/js/live.js: applies events in ``seq`` order; an
    event that arrives before an earlier one waits up to 300 ms for it (two daphne processes
    may publish out of order), and only then is the stored log asked for the gap.

    picows (Cython) parses the frames and orjson the JSON: 2,000 clients in one process on
    the servers' two cores; the client's own cost per frame is a cost of the measurement.
    """

    def __init__(self, run: ClientRun, i: int | None):
        super().__init__()
        self.run, self.i = run, i
        self.transport = None
        self.last_seq = 0
        self.early: dict[int, dict] = {}
        self.resuming = False
        self.gap_timer = None
        self.pending: dict[str, asyncio.Future] = {}
        self.parts: list[bytes] = []
        self.closed = asyncio.get_running_loop().create_future()

    # picows callbacks
    def on_ws_connected(self, transport):
        self.transport = transport

    def on_ws_frame(self, transport, frame):
        kind = frame.msg_type
        if kind in (WSMsgType.TEXT, WSMsgType.CONTINUATION):
            self.parts.append(frame.get_payload_as_bytes())
            if frame.fin:
                data = b"".join(self.parts) if len(self.parts) > 1 else self.parts[0]
                self.parts = []
                self.on_message(orjson.loads(data), time.time())
        elif kind == WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code())
            transport.disconnect()

    def on_ws_disconnected(self, transport):
        if not self.closed.done():
            self.closed.set_result(True)

    # the protocol
    def send(self, payload: dict) -> None:
        self.transport.send(WSMsgType.TEXT, orjson.dumps(payload))

    async def request(self, payload: dict, key: str | None = None) -> dict:
        future = asyncio.get_running_loop().create_future()
        self.pending[key or payload["ref"]] = future
        self.send(payload)
        return await asyncio.wait_for(future, 60)

    def on_message(self, m: dict, now: float) -> None:
        kind = m["type"]
        if kind == "event":
            if m["seq"] <= self.last_seq:
                return
            if m["seq"] > self.last_seq + 1:
                self.early[m["seq"]] = m
                if self.gap_timer is None:
                    self.gap_timer = asyncio.get_running_loop().call_later(0.3, self.gap_check)
                return
            self.apply(m, now)
            self.drain(now)
        elif kind == "replay":
            self.resuming = False
            for e in m["events"]:
                if e["seq"] == self.last_seq + 1:
                    self.run.stats["replayed"] += 1
                    self.apply(e, now)
            self.drain(now)
            self.resolve("replay", m)
        elif kind == "snapshot":
            self.last_seq = m["seq"]
            self.drain(now)
            if not self.run.questions:
                self.run.questions.extend(q["id"] for q in m["questions"])
        elif kind in ("ack", "error"):
            self.resolve(m.get("ref"), m)

    def resolve(self, key, m) -> None:
        future = self.pending.pop(key, None)
        if future is not None and not future.done():
            future.set_result(m)

    def apply(self, m: dict, now: float) -> None:
        self.last_seq = m["seq"]
        if self.i is not None:
            self.run.note(self.i, m, now)

    def drain(self, now: float) -> None:
        while self.last_seq + 1 in self.early:
            self.apply(self.early.pop(self.last_seq + 1), now)
        for seq in [s for s in self.early if s <= self.last_seq]:
            del self.early[seq]

    def gap_check(self) -> None:
        self.gap_timer = None
        if self.early and not self.resuming:
            self.resuming = True
            self.run.stats["resumes"] += 1
            if os.environ.get("BENCH_DEBUG") and self.i is not None and self.i % 100 == 0:
                print(
                    f"gap client {self.i} at seq {self.last_seq}, early "
                    f"{sorted(self.early)[:5]}, t={time.time() - self.run.t0:.1f}s",
                    flush=True,
                )
            self.send({"type": "resume", "last_seq": self.last_seq})


class ClientRun:
    """What all clients saw, for analyse()."""

    def __init__(self, n: int):
        self.t0 = time.time()
        self.tally_votes: dict[int, dict] = {}  # seq -> {qid: count}: the same for everyone
        self.tally_at: dict[int, float] = {}  # seq -> when the server stored the tally
        self.poll_answers: dict[int, int] = {}  # seq -> answers so far in the open poll
        self.recv = [{} for _ in range(n)]  # per client: tally seq -> time seen
        self.accepted: list[tuple[str, int, float]] = []  # (qid, count after vote, server time)
        self.stats = {"resumes": 0, "replayed": 0, "errors": 0}
        self.questions: list[int] = []
        self.poll = {"id": None, "options": [], "opened": asyncio.Event()}

    def note(self, i: int, message: dict, now: float) -> None:
        seq = message["seq"]
        if message["event"] == "tally":
            if seq not in self.tally_votes:
                self.tally_votes[seq] = message["payload"]["votes"]
                self.tally_at[seq] = message["at"]
            polls = message["payload"]["polls"]
            if polls:
                self.poll_answers.setdefault(seq, polls[0]["answers"])
            self.recv[i].setdefault(seq, now)
        elif message["event"] == "poll" and message["payload"]["poll"]["status"] == "open":
            poll = message["payload"]["poll"]
            self.poll["id"] = poll["id"]
            self.poll["options"] = [o["id"] for o in poll["options"]]
            self.poll["opened"].set()


def client_address(i: int | None) -> str:
    """A distinct private address per client (the facilitator's: 10.255.255.254)."""
    if i is None:
        return "10.255.255.254"
    return f"10.{i // 65536}.{i // 256 % 256}.{i % 256}"


async def run_clients(cfg: dict) -> dict:
    n = len(cfg["keys"])
    ports = cfg["ports"]
    path = f"/ws/townhall/{cfg['id']}/"
    run = ClientRun(n)

    async def connect(i: int | None, port: int, session_key: str) -> BenchClient:
        _transport, client = await ws_connect(
            lambda: BenchClient(run, i),
            f"ws://127.0.0.1:{port}{path}",
            websocket_handshake_timeout=120,
            extra_headers={
                "Origin": f"http://127.0.0.1:{port}",
                "Cookie": f"sessionid={session_key}",
                # Each participant from an address of their own, through the one proxy the
                # servers trust (TRUSTED_PROXY_COUNT=1): the per-address caps on anonymous
                # votes are for one crowd behind one address, not for a whole town hall.
                "X-Forwarded-For": client_address(i),
            },
        )
        return client

    clients: list[BenchClient] = []
    # Connect in waves so the accept backlog is not the thing being measured.
    for start in range(0, n, 100):
        clients += await asyncio.gather(
            *(
                connect(i, ports[i % len(ports)], cfg["keys"][i])
                for i in range(start, min(n, start + 100))
            )
        )
    connected_at = time.time()
    await asyncio.sleep(2)
    print(f"connected {n} in {connected_at - run.t0:.1f}s", flush=True)
    cfg["after_connect"]()

    async def vote(client: BenchClient):
        await asyncio.sleep(random.uniform(0, 10))
        qid = random.choice(run.questions)
        try:
            m = await client.request(
                {"type": "action", "action": "vote", "ref": "v", "question_id": qid}
            )
        except TimeoutError:  # counted, not fatal: the run reports what it could measure
            run.stats["errors"] += 1
            return
        if m["type"] == "ack":
            run.accepted.append((str(qid), m["result"]["votes"], m["at"]))
        else:
            run.stats["errors"] += 1

    await asyncio.gather(*(vote(c) for c in clients))
    print(f"votes accepted {len(run.accepted)}/{n} at {time.time() - run.t0:.1f}s", flush=True)
    await asyncio.sleep(2)

    facilitator = await connect(None, ports[0], cfg["fac"])
    facilitator.send(
        {
            "type": "action",
            "action": "open_poll",
            "ref": "p",
            "question": "Was this useful?",
            "options": ["yes", "no"],
        }
    )
    await asyncio.wait_for(run.poll["opened"].wait(), 60)

    async def answer(client: BenchClient) -> bool:
        await asyncio.sleep(random.uniform(0, 10))
        m = await client.request(
            {
                "type": "action",
                "action": "answer_poll",
                "ref": "a",
                "poll_id": run.poll["id"],
                "option_ids": [random.choice(run.poll["options"])],
            }
        )
        return m["type"] == "ack"

    poll_ok = sum(await asyncio.gather(*(answer(c) for c in clients)))
    print(f"poll answers {poll_ok}/{n} at {time.time() - run.t0:.1f}s", flush=True)
    await asyncio.sleep(2)

    # A dropped *last* event leaves no gap to see: every client checks in once at the end.
    await asyncio.gather(
        *(c.request({"type": "resume", "last_seq": c.last_seq}, key="replay") for c in clients)
    )
    for client in [facilitator, *clients]:
        client.transport.send_close()
        client.transport.disconnect()
    return {
        "tally_votes": run.tally_votes,
        "tally_at": run.tally_at,
        "poll_answers": run.poll_answers,
        "recv": run.recv,
        "accepted": run.accepted,
        "stats": run.stats,
        "poll_ok": poll_ok,
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
    waits = []  # vote accepted -> the first tally that counts it is stored (the window)
    missing = 0
    for qid, count, at in result["accepted"]:
        j = next((col[s] for s in seqs if result["tally_votes"][s].get(qid, 0) >= count), None)
        if j is None:
            missing += n
            continue
        waits.append(result["tally_at"][seqs[j]] - at)
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
    # tally stored -> each client receives it, live or by replay (the fan-out)
    stored = np.array([result["tally_at"][s] for s in seqs])
    fanout = (times - stored)[np.isfinite(times)]
    return {
        "window_p50_ms": float(np.percentile(waits, 50) * 1000) if waits else 0,
        "window_p99_ms": float(np.percentile(waits, 99) * 1000) if waits else 0,
        "fanout_p50_ms": float(np.percentile(fanout, 50) * 1000) if fanout.size else 0,
        "fanout_p99_ms": float(np.percentile(fanout, 99) * 1000) if fanout.size else 0,
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
            "client_cpu": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
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
        TRUSTED_PROXY_COUNT="1",  # the clients play the proxy: see client_address
    )
    subprocess.run(
        ["redis-cli", "-u", env["REDIS_URL"], "flushdb"], check=False, capture_output=True
    )
    url = fresh_database(env)
    print(f"database {url.split('@')[-1]}", flush=True)
    setup = subprocess.run(
        [PY, "-c", SETUP, str(n)],
        cwd=ROOT,
        env=env | {"DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(setup.stdout.strip().splitlines()[-1])
    ports = [free_port() for _ in range(args.daphnes)]
    log = open(Path(tempfile.gettempdir()) / "bench_live_daphne.log", "w")  # noqa: SIM115
    # As make run serves it (config/serve.py: daphne on uvloop); BENCH_ASYNCIO_LOOP=1 runs
    # daphne's own command, on asyncio's loop, for comparison.
    if os.environ.get("BENCH_ASYNCIO_LOOP") == "1":
        daphne = [str(Path(PY).with_name("daphne"))]
    else:
        daphne = [PY, "-m", "config.serve"]
    servers = [
        subprocess.Popen(
            [
                *daphne,
                "-b",
                "127.0.0.1",
                "-p",
                str(p),
                "--websocket_timeout",
                "-1",
                "--websocket_connect_timeout",
                "300",
                "config.asgi:application",
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
        others = {"postgres": pids_named("postgres"), "redis": pids_named("redis-server")}
        cpu_before = {k: cpu_seconds(v) for k, v in others.items()}
        cpu_before["daphne"] = cpu_seconds(s.pid for s in servers)
        started = time.monotonic()
        client = subprocess.Popen([PY, __file__, "--client-config", cfg_path], cwd=ROOT)
        connected = Path(cfg_path + ".connected")
        while not connected.exists() and client.poll() is None:
            time.sleep(0.5)
        after = sum(rss_kib(s.pid) for s in servers)
        client.wait()
        wall = time.monotonic() - started
        cpu = {k: cpu_seconds(v) - cpu_before[k] for k, v in others.items()}
        cpu["daphne"] = cpu_seconds(s.pid for s in servers) - cpu_before["daphne"]
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
        f"cpu_seconds wall={wall:.1f} client={out['client_cpu']:.1f} "
        + " ".join(f"{k}={v:.1f}" for k, v in sorted(cpu.items()))
    )
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
        "parts: vote accepted -> tally stored "
        f"p50_ms={out['window_p50_ms']:.0f} p99_ms={out['window_p99_ms']:.0f}; "
        "tally stored -> client "
        f"p50_ms={out['fanout_p50_ms']:.0f} p99_ms={out['fanout_p99_ms']:.0f}"
    )
    print(
        f"live clients={n} delivered={out['delivered']:.4f} p50_ms={out['p50_ms']:.0f} "
        f"p99_ms={out['p99_ms']:.0f}"
    )


if __name__ == "__main__":
    main()
