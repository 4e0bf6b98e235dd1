"""make bench-load: the deadline flood, as production runs it, driven from a second process.

Starts the platform as in production on loopback: two daphne processes (``python -m
config.serve``) on two ports, two ``manage.py db_worker`` workers, a bench PostgreSQL
database it creates and drops (on the server in BENCH_PG, default 127.0.0.1:5432) and Redis
(BENCH_REDIS_URL, default db 14). Production settings: DEBUG off, a SECRET_KEY, ALLOWED_HOSTS,
TRUSTED_PROXY_COUNT=1 (the client plays the one proxy: X-Forwarded-For and
X-Forwarded-Proto: https, so the secure cookies, HSTS and the HTTPS CSRF checks are the real
ones). Then CLIENTS participants (default 500), spread over both daphne processes, each with
their own session cookie, CSRF token and address, do for DURATION seconds (default 60) what
participants do: read the consultation, comment on clauses, reply, look up their receipts
and vote in the town hall over a WebSocket.

Afterwards every accepted submission (a 2xx with a receipt code) is looked for in the
database: ``lost`` is an accepted one that is not there. A 429 is an error unless that
participant had really sent more than their limit (the limits are set so that the bench's
participant, who posts a comment every few seconds, stays under them: see RATE_LIMITS).
Last line: ``load requests=<n> accepted=<n> accepted_per_s=<n> errors=<n> lost=<n>
p50_ms=<n> p99_ms=<n>``.

``--micro``: the write path alone, before and after, in the same run: comment posts per
CPU-second through Django's test client on PostgreSQL (bench/micro_post.py), on this tree
and on a git worktree of MICRO_BASE (the code before the cheap write path), alternately.

``--per-request``: what one request of each kind costs a daphne process in CPU (a health
check, a missing page, a receipt lookup, the reading page, a comment post), 8 at a time, on this
tree and on a git worktree of PER_REQUEST_BASE, the platform started as above for each.
Also printed after a load run: where the CPU went (daphne, workers, client, the rest).

``--ceiling`` (``make bench-load-ceiling``): the most answers a second this stack gives here
for the cheapest requests there are (daphne without Django, a static file, the health
check), CONCURRENCY clients (default 64) for DURATION seconds, ROUNDS rounds; the headline
compares them with the requests a second the flood's target needs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
# The main branch before the cheap write path (issue 13): what --micro compares against.
MICRO_BASE = os.environ.get("MICRO_BASE", "b6d016c")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
# A participant here posts about one comment or reply every few seconds, far more than a
# person types; the per-participant limits are raised to what this participant does, the
# per-address ones stay (every participant has an address of their own).
RATE_LIMITS = {
    "comment": {"participant": [60, 60], "address": [200, 600]},
    "vote": {"participant": [30, 10], "address": [600, 10]},
}

SETUP = r"""
import json
import django
django.setup()
from cms.demo import load_demo
from cms.demo.town_hall import make_town_hall
from consult.live.services import questions, session
from consult.live.services.checks import Actor
from text.classifier import get_classifier
get_classifier()  # trained once and pickled, so the servers load it
page, _ = load_demo()
town = make_town_hall(page, slug="bench-town-hall")
fac = town.facilitators.get()
actor = Actor(f"u:{fac.pk}", fac, True)
session.start_session(town, actor)
qids = []
for i in range(50):
    q = questions.post_question(town, Actor(f"a:asker{i}"), f"Bench question {i}?")
    questions.approve_question(town, actor, q["question_id"])
    qids.append(q["question_id"])
clauses = list(page.current_version().clauses.values_list("pk", flat=True))
print(json.dumps({"page": page.pk, "url": page.url, "clauses": clauses, "town": town.pk,
                  "town_url": town.url, "questions": qids}))
"""

COUNT = r"""
import json, sys
import django
django.setup()
from consult.models import Submission
codes = json.load(open(sys.argv[1]))
found = set()
for i in range(0, len(codes), 1000):
    found.update(Submission.objects.filter(receipt_code__in=codes[i:i + 1000])
                 .values_list("receipt_code", flat=True))
print(json.dumps({"found": len(found), "total": Submission.objects.count()}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(port: int, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"daphne on {port} did not start")


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


TICK = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a live process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_busy_cpu() -> float:
    """CPU seconds every core of the machine has spent busy (not idle or waiting on I/O)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(
        int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / TICK


# --- the platform ----------------------------------------------------------------------------


def serve(root: Path, env: dict, port: int, application: str, log) -> subprocess.Popen:
    """daphne as production runs it (``python -m config.serve``) on 127.0.0.1:port."""
    command = [PY, "-m", "config.serve", "-b", "127.0.0.1", "-p", str(port), application]
    return subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=log)


class Platform:
    def __init__(self, db_name: str, root: Path = ROOT):
        self.root = root
        self.db_name = db_name
        self.url = f"{PG}/{db_name}"
        self.var = tempfile.mkdtemp(prefix="bench-load-")
        self.procs: list[subprocess.Popen] = []
        self.ports = [free_port(), free_port()]
        env = {k: v for k, v in os.environ.items() if k != "CONSULT_INSECURE_DEFAULTS"}
        env.update(
            PYTHONPATH=str(root),
            DJANGO_SETTINGS_MODULE="config.settings",
            DATABASE_URL=self.url,
            REDIS_URL=REDIS_URL,
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            TRUSTED_PROXY_COUNT="1",
            RATE_LIMITS=json.dumps(RATE_LIMITS),
            CONSULT_VAR_DIR=self.var,
            LOG_LEVEL="WARNING",
        )
        self.env = env

    def manage(self, *args: str, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(
            [PY, "manage.py", *args],
            cwd=self.root,
            env=self.env,
            check=True,
            capture_output=True,
            **kw,
        )

    def python(self, code: str, *args: str) -> dict:
        out = subprocess.run(
            [PY, "-c", code, *args], cwd=self.root, env=self.env, check=True, capture_output=True,
            text=True,
        )  # fmt: skip
        return json.loads(out.stdout.strip().splitlines()[-1])

    def start(self) -> dict:
        pg = ["-h", "127.0.0.1", "-U", "postgres"]
        subprocess.run(["dropdb", *pg, "--if-exists", self.db_name], check=True)
        subprocess.run(["createdb", *pg, self.db_name], check=True)
        db = REDIS_URL.rsplit("/", 1)[1]
        subprocess.run(["redis-cli", "-n", db, "flushdb"], check=True, capture_output=True)
        self.manage("migrate", "--noinput")
        if not (self.root / "staticfiles" / "staticfiles.json").exists():  # production's manifest
            self.manage("collectstatic", "--noinput")
        cfg = self.python(SETUP)
        log = open(Path(self.var) / "servers.log", "ab")  # noqa: SIM115 - lives with the servers
        for _ in range(2):
            self.procs.append(
                subprocess.Popen(
                    [PY, "manage.py", "db_worker", "--queue-name", "*", "--no-reload"],
                    cwd=self.root,
                    env=self.env,
                    stdout=log,
                    stderr=log,
                )  # fmt: skip
            )
        for port in self.ports:
            self.procs.append(serve(self.root, self.env, port, "config.asgi:application", log))
        for port in self.ports:
            wait_http(port)
        cfg["ports"] = self.ports
        return cfg

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def drop(self) -> None:
        pg = ["-h", "127.0.0.1", "-U", "postgres"]
        subprocess.run(["dropdb", *pg, "--if-exists", "--force", self.db_name], check=False)


# --- the participants --------------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
WORDS = (
    "the fee is too high for small traders",
    "the deadline should move by a month",
    "clause needs a clearer definition of a household",
    "please add an appeal to an independent body",
    "this protects farmers and should stay as written",
    "the penalty is out of proportion to the harm",
)


class Stats:
    def __init__(self):
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self.accepted: list[str] = []
        self.votes = 0
        self.rate_limited_fairly = 0

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


class Participant:
    def __init__(self, i: int, cfg: dict, stats: Stats, deadline: float):
        self.i, self.cfg, self.stats, self.deadline = i, cfg, stats, deadline
        self.port = cfg["ports"][i % len(cfg["ports"])]
        self.base = f"http://127.0.0.1:{self.port}"
        self.origin = f"https://127.0.0.1:{self.port}"
        self.ip = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255 or 1}"
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.receipts: list[tuple[str, int, str]] = []  # (code, id, clause id)
        self.sent: list[float] = []  # comment and reply times, for the participant's own limit
        self.rng = random.Random(i)
        self.ws = None
        self.question = 0

    def headers(self, **extra) -> dict:
        h = {
            "X-Forwarded-For": self.ip,
            "X-Forwarded-Proto": "https",
            "Host": f"127.0.0.1:{self.port}",
            "Referer": self.origin + self.cfg["url"],
        }
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        h.update(extra)
        return h

    def keep_cookies(self, response) -> None:
        for morsel in response.cookies.values():
            if morsel.value:
                self.cookies[morsel.key] = morsel.value

    async def request(self, session, method: str, path: str, what: str, **kw):
        t = time.perf_counter()
        try:
            async with session.request(
                method, self.base + path, allow_redirects=False, **kw
            ) as response:
                body = await response.read()
        except Exception as exc:  # a refused or dropped connection is an error, not a crash
            self.stats.error(f"{what}:{type(exc).__name__}")
            return None, b""
        self.stats.latencies.append(1000 * (time.perf_counter() - t))
        self.keep_cookies(response)
        return response, body

    async def read_page(self, session) -> None:
        response, body = await self.request(
            session, "GET", self.cfg["url"], "page", headers=self.headers()
        )
        if response is None:
            return
        if response.status != 200:
            self.stats.error(f"page:{response.status}")
            return
        match = CSRF_RE.search(body.decode("utf-8", "replace"))
        if match:
            self.csrf = match.group(1)

    def over_own_limit(self) -> bool:
        limit, window = RATE_LIMITS["comment"]["participant"]
        now = time.time()
        return len([t for t in self.sent if t > now - window - 1]) > limit

    async def comment(self, session, parent: tuple[str, int, str] | None = None) -> None:
        if not self.csrf:
            await self.read_page(session)
        n = len(self.sent)
        data = {
            "csrfmiddlewaretoken": self.csrf,
            "clause_id": str(self.rng.choice(self.cfg["clauses"])),
            "stance": self.rng.choice(["support", "oppose", "amend"]),
            "text": f"Participant {self.i}, comment {n}: {self.rng.choice(WORDS)}.",
            "stakeholder": "individual",
            "language": "en",
            "display_mode": "pseudonymous",
            "client_token": f"load-{self.i}-{n}-{secrets.token_hex(4)}",
        }
        if parent is not None:
            data["parent_id"] = str(parent[1])
            data["clause_id"] = parent[2]  # a reply is on its comment's clause
        self.sent.append(time.time())
        what = "reply" if parent else "comment"
        response, body = await self.request(
            session, "POST", f"/consultations/{self.cfg['page']}/comment/", what,
            data=data, headers=self.headers(Accept="application/json"),
        )  # fmt: skip
        if response is None:
            return
        if response.status == 201:
            answer = json.loads(body)
            if answer.get("receipt_code"):
                self.stats.accepted.append(answer["receipt_code"])
                self.receipts.append((answer["receipt_code"], answer["id"], data["clause_id"]))
                return
        if response.status == 429 and self.over_own_limit():
            self.stats.rate_limited_fairly += 1
            return
        self.stats.error(f"{what}:{response.status}:{body[:80]!r}")

    async def receipt(self, session) -> None:
        code = self.rng.choice(self.receipts)[0]
        response, _body = await self.request(
            session, "GET", f"/my-data/receipt.json?code={code}", "receipt", headers=self.headers()
        )
        if response is not None and response.status != 200:
            self.stats.error(f"receipt:{response.status}")

    async def vote(self, session) -> None:
        import websockets

        if self.ws is None:
            # The town-hall page gives the session its participant id, as in a browser.
            response, _body = await self.request(
                session, "GET", self.cfg["town_url"], "town-hall page", headers=self.headers()
            )
            if response is None or response.status != 200:
                self.stats.error(f"town-hall page:{getattr(response, 'status', None)}")
                return
            try:
                self.ws = await websockets.connect(
                    f"ws://127.0.0.1:{self.port}/ws/townhall/{self.cfg['town']}/",
                    # websockets writes the Host header itself: a second one is refused.
                    additional_headers={
                        k: v for k, v in self.headers(Origin=self.origin).items() if k != "Host"
                    },
                    open_timeout=30,
                    # As a browser: it answers the server's pings and sends none of its own
                    # (daphne pings every 20 s and drops a connection that stops answering).
                    ping_interval=None,
                )
                while json.loads(await asyncio.wait_for(self.ws.recv(), 30))["type"] != "snapshot":
                    pass
            except Exception as exc:
                self.stats.error(f"ws-connect:{type(exc).__name__}")
                self.ws = None
                return
        questions = self.cfg["questions"]
        qid = questions[self.question % len(questions)]
        action = "vote" if (self.question // len(questions)) % 2 == 0 else "unvote"
        self.question += 1
        ref = f"v{self.question}"
        t = time.perf_counter()
        try:
            await self.ws.send(
                json.dumps({"type": "action", "action": action, "ref": ref, "question_id": qid})
            )
            while True:
                message = json.loads(await asyncio.wait_for(self.ws.recv(), 30))
                if message.get("ref") == ref:
                    break
        except Exception as exc:
            # A closed connection says who closed it and why: the close code each side
            # sent or received (1011 sent with nothing received: the client's keepalive
            # ping went unanswered; received: the server closed it).
            sent, rcvd = getattr(exc, "sent", None), getattr(exc, "rcvd", None)
            detail = f":sent={getattr(sent, 'code', None)}:rcvd={getattr(rcvd, 'code', None)}"
            self.stats.error(f"vote:{type(exc).__name__}{detail if sent or rcvd else ''}")
            self.ws = None
            return
        self.stats.latencies.append(1000 * (time.perf_counter() - t))
        if message["type"] == "ack":
            self.stats.votes += 1
        else:
            self.stats.error(f"vote:{message.get('code')}")

    async def run(self, session) -> None:
        await asyncio.sleep(self.rng.uniform(0, 2))
        await self.read_page(session)
        while time.time() < self.deadline:
            roll = self.rng.random()
            if roll < 0.45:
                await self.comment(session)
            elif roll < 0.60 and self.receipts:
                await self.comment(session, parent=self.rng.choice(self.receipts))
            elif roll < 0.75:
                await self.read_page(session)
            elif roll < 0.87 and self.receipts:
                await self.receipt(session)
            else:
                await self.vote(session)
            await asyncio.sleep(self.rng.uniform(0.0, 0.2))
        if self.ws is not None:
            await self.ws.close()


async def drive(cfg: dict, clients: int, duration: float) -> tuple[Stats, float]:
    import aiohttp

    stats = Stats()
    start = time.time()
    deadline = start + duration
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=120)
    # One cookie-less session: each participant keeps its own cookies (they are Secure,
    # and the proxy in front of daphne is this client).
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:
        participants = [Participant(i, cfg, stats, deadline) for i in range(clients)]
        await asyncio.gather(*(p.run(session) for p in participants))
    return stats, time.time() - start


def client_main(cfg_path: str, clients: int, duration: float, out_path: str) -> None:
    cfg = json.loads(Path(cfg_path).read_text())
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    stats, elapsed = asyncio.run(drive(cfg, clients, duration))
    Path(out_path).write_text(
        json.dumps(
            {
                "latencies": stats.latencies,
                "errors": stats.errors,
                "accepted": stats.accepted,
                "votes": stats.votes,
                "fair_429": stats.rate_limited_fairly,
                "elapsed": elapsed,
            }
        )
    )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def load(clients: int, duration: float) -> None:
    before = uptime()
    print(f"  uptime before: {before}", flush=True)
    platform = Platform(f"consult_load_bench_{os.getpid()}")
    try:
        cfg = platform.start()
        with tempfile.TemporaryDirectory() as tmp:
            cfg_path, out_path = Path(tmp) / "cfg.json", Path(tmp) / "out.json"
            cfg_path.write_text(json.dumps(cfg))
            # Where the CPU went during the run: the servers, the workers, the client and
            # the rest of the machine (PostgreSQL, Redis and anything else running).
            cpu_before = {p.pid: process_cpu(p.pid) for p in platform.procs}
            busy_before = machine_busy_cpu()
            children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(
                [PY, __file__, "--client", str(cfg_path), "--clients", str(clients),
                 "--duration", str(duration), "--out", str(out_path)],
                check=True,
            )  # fmt: skip
            children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            busy = machine_busy_cpu() - busy_before
            cpu_used = {p.pid: process_cpu(p.pid) - cpu_before[p.pid] for p in platform.procs}
            result = json.loads(out_path.read_text())
            codes_path = Path(tmp) / "codes.json"
            codes_path.write_text(json.dumps(result["accepted"]))
            time.sleep(3)  # the workers' after-commit work, not the count, is what this waits for
            counted = platform.python(COUNT, str(codes_path))
    finally:
        platform.stop()
        log = Path(platform.var) / "servers.log"
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
        platform.drop()
    after = uptime()
    accepted = len(result["accepted"])
    errors = sum(result["errors"].values())
    lost = accepted - counted["found"]
    lat = result["latencies"]
    print(f"  uptime after: {after}")
    servers = sum(cpu_used[p.pid] for p in platform.procs if "config.serve" in p.args)
    workers = sum(cpu_used[p.pid] for p in platform.procs if "db_worker" in p.args)
    client = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    print(
        f"  CPU seconds during the run: daphne {servers:.1f}, workers {workers:.1f}, "
        f"client {client:.1f}, rest of the machine (PostgreSQL, Redis, other) "
        f"{busy - servers - workers - client:.1f}; machine busy {busy:.1f} "
        f"of {os.cpu_count() * result['elapsed']:.0f} available"
    )
    print(
        f"  {clients} participants for {duration:.0f} s on ports {cfg['ports']}; "
        f"{result['votes']} town-hall votes; {result['fair_429']} fair 429s; "
        f"{counted['total']} submissions in the database"
    )
    if result["errors"]:
        print("  errors:", json.dumps(dict(sorted(result["errors"].items())[:20])))
        if "Traceback" in tail:
            print("  server log tail:\n" + tail)
    print(
        f"load requests={len(lat)} accepted={accepted} "
        f"accepted_per_s={accepted / result['elapsed']:.0f} errors={errors} lost={lost} "
        f"p50_ms={statistics.median(lat) if lat else 0:.0f} p99_ms={percentile(lat, 0.99):.0f}"
    )


# --- the write path alone ----------------------------------------------------------------------


def micro(posts: int, rounds: int) -> None:
    worktree = Path(tempfile.mkdtemp(prefix="bench-micro-")) / "before"
    subprocess.run(
        ["git", "worktree", "add", "--detach", "-q", str(worktree), MICRO_BASE], cwd=ROOT,
        check=True,
    )  # fmt: skip
    db_name = f"consult_load_micro_{os.getpid()}"
    pg = ["-h", "127.0.0.1", "-U", "postgres"]
    env = dict(os.environ, CONSULT_INSECURE_DEFAULTS="1", DATABASE_URL=f"{PG}/{db_name}",
               REDIS_URL=REDIS_URL, LOG_LEVEL="WARNING",
               CONSULT_VAR_DIR=tempfile.mkdtemp(prefix="bench-micro-var-"))  # fmt: skip
    results: dict[str, list[dict]] = {"before": [], "after": []}
    try:
        subprocess.run(["dropdb", *pg, "--if-exists", db_name], check=True)
        subprocess.run(["createdb", *pg, db_name], check=True)
        subprocess.run([PY, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                       capture_output=True)  # fmt: skip
        for _round in range(rounds):
            for label, tree in (("before", worktree), ("after", ROOT)):
                out = subprocess.run(
                    [PY, str(ROOT / "bench" / "micro_post.py"), str(posts), label],
                    cwd=tree, env=dict(env, PYTHONPATH=str(tree)), check=True,
                    capture_output=True, text=True,
                )  # fmt: skip
                row = json.loads(out.stdout.strip().splitlines()[-1])
                results[label].append(row)
                print(
                    f"  {label}: {row['posts'] / row['cpu_s']:.0f} posts per CPU-second, "
                    f"{1000 * row['wall_s'] / row['posts']:.1f} ms wall a post, "
                    f"{row['queries']} queries",
                    flush=True,
                )
    finally:
        subprocess.run(["dropdb", *pg, "--if-exists", "--force", db_name], check=False)
        subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT,
                       check=False)  # fmt: skip

    def rate(label):
        rows = results[label]
        return sum(r["posts"] for r in rows) / sum(r["cpu_s"] for r in rows)

    before, after = rate("before"), rate("after")
    print(
        f"micro base={MICRO_BASE} before_posts_per_cpu_s={before:.0f} "
        f"after_posts_per_cpu_s={after:.0f} speedup={after / before:.2f} "
        f"before_queries={results['before'][-1]['queries']} "
        f"after_queries={results['after'][-1]['queries']}"
    )


# --- one kind of request at a time -------------------------------------------------------------

PER_REQUEST_BASE = os.environ.get("PER_REQUEST_BASE", "6ea0117")
KINDS = ("health", "missing", "receipt", "page", "post")


async def _one_kind(cfg: dict, port: int, kind: str, requests: int, concurrency: int, pid: int):
    """``requests`` of one kind from ``concurrency`` participants on one daphne process:
    (requests a second, that process's CPU ms a request, the machine's busy CPU ms a
    request, p50 ms, errors)."""
    import aiohttp

    cfg = dict(cfg, ports=[port])
    stats = Stats()
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        participants = [Participant(i, cfg, stats, time.time() + 3600) for i in range(concurrency)]
        for participant in participants:  # a session, a CSRF token and a receipt each
            await participant.read_page(session)
            await participant.comment(session)
        stats.latencies.clear()

        async def run(participant: Participant) -> None:
            for _ in range(requests // concurrency):
                if kind == "post":
                    await participant.comment(session)
                elif kind == "page":
                    await participant.read_page(session)
                elif kind == "receipt":
                    await participant.receipt(session)
                else:
                    # A page that does not exist: Wagtail's routing, the redirects
                    # lookup and the 404 template, what a crawler's guesses cost.
                    path, expected = (
                        ("/healthz", 200) if kind == "health" else ("/no-such-page/", 404)
                    )
                    response, _body = await participant.request(
                        session, "GET", path, kind, headers=participant.headers()
                    )
                    if response is not None and response.status != expected:
                        stats.error(f"{kind}:{response.status}")

        cpu, busy, wall = process_cpu(pid), machine_busy_cpu(), time.perf_counter()
        await asyncio.gather(*(run(p) for p in participants))
        cpu, busy = process_cpu(pid) - cpu, machine_busy_cpu() - busy
        wall = time.perf_counter() - wall
    done = len(stats.latencies)
    return (
        done / wall,
        1000 * cpu / max(done, 1),
        1000 * busy / max(done, 1),
        statistics.median(stats.latencies) if stats.latencies else 0.0,
        sum(stats.errors.values()),
    )


def per_request(requests: int, rounds: int) -> None:
    """CPU a request of each kind costs in a daphne process, before and after, same run."""
    worktree = Path(tempfile.mkdtemp(prefix="bench-per-request-")) / "before"
    subprocess.run(
        ["git", "worktree", "add", "--detach", "-q", str(worktree), PER_REQUEST_BASE], cwd=ROOT,
        check=True,
    )  # fmt: skip
    # The collected static files are the current tree's (ignored by git, the same here).
    (worktree / "staticfiles").symlink_to(ROOT / "staticfiles")
    # Only the participants' own limits are lifted: one participant sends many here.
    limits = {kind: {"participant": [10**6, 60], "address": [10**6, 60]} for kind in RATE_LIMITS}
    cpu_ms: dict[tuple[str, str], list[float]] = {}
    try:
        if not (ROOT / "staticfiles" / "staticfiles.json").exists():
            Platform("unused").manage("collectstatic", "--noinput")
        for _round in range(rounds):
            for label, tree in (("before", worktree), ("after", ROOT)):
                platform = Platform(f"consult_per_request_{os.getpid()}", root=tree)
                platform.env["RATE_LIMITS"] = json.dumps(limits)
                try:
                    cfg = platform.start()
                    server = next(p for p in platform.procs if "config.serve" in p.args)
                    for kind in KINDS:
                        rate, cpu, busy, p50, errors = asyncio.run(
                            _one_kind(cfg, cfg["ports"][0], kind, requests, 8, server.pid)
                        )
                        cpu_ms.setdefault((label, kind), []).append(cpu)
                        print(
                            f"  {label} {kind}: {rate:.0f} a second, daphne {cpu:.1f} ms CPU "
                            f"a request, machine {busy:.1f} ms, p50 {p50:.0f} ms, "
                            f"errors {errors}",
                            flush=True,
                        )
                finally:
                    platform.stop()
                    platform.drop()
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT,
                       check=False)  # fmt: skip
    median = {key: statistics.median(values) for key, values in cpu_ms.items()}
    print(
        f"per_request base={PER_REQUEST_BASE} "
        + " ".join(
            f"{kind}_ms={median['before', kind]:.1f}->{median['after', kind]:.1f}" for kind in KINDS
        )
    )


# --- the ceiling: the cheapest answers this stack gives on this machine --------------------

# Share of the flood's requests that are posts (comments 45 %, replies 15 %): 200 accepted a
# second needs 200 / 0.6 requests a second in all.
POST_SHARE = 0.60
STATIC_RE = re.compile(r'(/static/[^"\s]+\.css)')


async def _saturate(ports: list[int], path: str, expected: int, concurrency: int, duration: float):
    """As many GETs of ``path`` as ``concurrency`` clients get answered in ``duration``
    seconds, spread over ``ports``: (answers, wall seconds, errors, p50 ms)."""
    import aiohttp

    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + duration
    headers = {"X-Forwarded-For": "10.9.9.9", "X-Forwarded-Proto": "https"}

    async def client(port: int) -> None:
        nonlocal errors
        url = f"http://127.0.0.1:{port}{path}"
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                async with session.get(url, headers=headers, allow_redirects=False) as response:
                    await response.read()
                    ok = response.status == expected
            except Exception:
                ok = False
            if ok:
                latencies.append(1000 * (time.perf_counter() - started))
            else:
                errors += 1

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(client(ports[i % len(ports)]) for i in range(concurrency)))
        wall = time.perf_counter() - started
    return len(latencies), wall, errors, statistics.median(latencies) if latencies else 0.0


def _measure(
    label: str,
    procs: list[subprocess.Popen],
    ports: list[int],
    path: str,
    expected: int,
    concurrency: int,
    duration: float,
) -> tuple[float, float]:
    """(answers a second, daphne CPU ms an answer), with the client's share printed."""
    import uvloop

    servers = [p for p in procs if "config.serve" in p.args]
    cpu, busy = sum(process_cpu(p.pid) for p in servers), machine_busy_cpu()
    own = resource.getrusage(resource.RUSAGE_SELF)
    answered, wall, errors, p50 = uvloop.run(
        _saturate(ports, path, expected, concurrency, duration)
    )
    own_after = resource.getrusage(resource.RUSAGE_SELF)
    client = (own_after.ru_utime + own_after.ru_stime) - (own.ru_utime + own.ru_stime)
    cpu = sum(process_cpu(p.pid) for p in servers) - cpu
    busy = machine_busy_cpu() - busy
    rate, answered = answered / wall, max(answered, 1)
    print(
        f"  {label}: {rate:.0f} answers a second, daphne {1000 * cpu / answered:.2f} ms CPU an "
        f"answer, client {1000 * client / answered:.2f} ms, machine busy {busy:.0f} of "
        f"{os.cpu_count() * duration:.0f} CPU-s, p50 {p50:.0f} ms, errors {errors}",
        flush=True,
    )
    return rate, 1000 * cpu / answered


def ceiling(concurrency: int, duration: float, rounds: int) -> None:
    """The most answers a second two daphne processes give on this machine, with the client
    beside them as in bench-load, for the cheapest requests there are: an ASGI application
    without Django (daphne alone), a static file (Django's first middlewares, then
    WhiteNoise) and the health check (the whole middleware chain, one query, Redis pings).
    A comment post does all of that and more, so if these stay under what the flood's
    targets need, no Django write path can meet them here."""
    print(f"  uptime before: {uptime()}", flush=True)
    rates: dict[str, list[float]] = {}
    cpu_ms: dict[str, list[float]] = {}
    platform = Platform(f"consult_ceiling_bench_{os.getpid()}")
    try:
        platform.start()
        home = urllib.request.Request(
            f"http://127.0.0.1:{platform.ports[0]}/",
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.9.9.9"},
        )
        with urllib.request.urlopen(home) as response:
            static = STATIC_RE.search(response.read().decode())
        if static is None:
            raise RuntimeError("no stylesheet link on the home page")
        bare_ports = [free_port(), free_port()]
        log = open(Path(platform.var) / "bare.log", "ab")  # noqa: SIM115 - lives with the servers
        bare = [
            serve(ROOT, platform.env, port, "bench.null_asgi:application", log)
            for port in bare_ports
        ]
        try:
            for port in bare_ports:
                wait_http(port)
            for _round in range(rounds):
                kinds = (
                    ("bare", bare, bare_ports, "/", 204),
                    ("static", platform.procs, platform.ports, static.group(1), 200),
                    ("health", platform.procs, platform.ports, "/healthz", 200),
                )
                for label, procs, ports, path, expected in kinds:
                    rate, ms = _measure(label, procs, ports, path, expected, concurrency, duration)
                    rates.setdefault(label, []).append(rate)
                    cpu_ms.setdefault(label, []).append(ms)
        finally:
            for proc in bare:
                proc.terminate()
                proc.wait(15)
    finally:
        platform.stop()
        platform.drop()
    print(f"  uptime after: {uptime()}")
    median = {label: statistics.median(values) for label, values in rates.items()}
    ms = {label: statistics.median(values) for label, values in cpu_ms.items()}
    # Even with the client, PostgreSQL and Redis free, daphne alone can give no more than
    # this many health checks a second on this machine's cores.
    health_bound = os.cpu_count() * 1000 / ms["health"]
    print(
        f"load_ceiling bare_per_s={median['bare']:.0f} static_per_s={median['static']:.0f} "
        f"health_per_s={median['health']:.0f} health_ms={ms['health']:.2f} "
        f"health_bound_per_s={health_bound:.0f} needed_per_s={200 / POST_SHARE:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=int(os.environ.get("CLIENTS", "500")))
    parser.add_argument("--duration", type=float, default=float(os.environ.get("DURATION", "60")))
    parser.add_argument("--micro", action="store_true")
    parser.add_argument("--per-request", action="store_true")
    parser.add_argument("--ceiling", action="store_true")
    parser.add_argument("--concurrency", type=int, default=int(os.environ.get("CONCURRENCY", "64")))
    parser.add_argument("--requests", type=int, default=int(os.environ.get("REQUESTS", "400")))
    parser.add_argument("--posts", type=int, default=int(os.environ.get("POSTS", "200")))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", "2")))
    parser.add_argument("--client")
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.client:
        client_main(args.client, args.clients, args.duration, args.out)
    elif args.micro:
        micro(args.posts, args.rounds)
    elif args.per_request:
        per_request(args.requests, args.rounds)
    elif args.ceiling:
        ceiling(args.concurrency, args.duration, args.rounds)
    else:
        load(args.clients, args.duration)


if __name__ == "__main__":
    main()
