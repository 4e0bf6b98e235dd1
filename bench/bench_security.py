"""make bench-security: the hostile-input suite against a live, production-like server.

One daphne (``config.serve``) on PostgreSQL + Redis with production settings (a real
``SECRET_KEY``, ``DEBUG`` off, HTTPS assumed behind one trusted proxy), the demo loaded.
Each probe is an attack or a bad input from the trust issue; it passes when the server
refuses it, hides what it must hide, or answers with a clear 4xx. Every answer of 500 or
above is counted as a server error, whatever the probe. Prints, last:

    security probes=<n> failures=<n> server_errors=<n>

The session and CSRF cookies are marked Secure in production; this client talks plain HTTP
to the server as the TLS proxy would, so the bench turns the Secure flag off
(``SESSION_COOKIE_SECURE=0``, ``CSRF_COOKIE_SECURE=0``) and sends ``X-Forwarded-Proto:
https`` as the proxy does. Nothing else differs from production.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
CNIC, PHONE, EMAIL = "35202-7654321-3", "0333-1112223", "leak.me@example.org"
RECEIPT = re.compile(r"[A-Z2-9]{4}(?:-[A-Z2-9]{4}){2}")

SETUP = """
import json, sys
import django
django.setup()
from django.contrib.auth.models import Group, User
from consult import roles
from cms.demo import load_demo
from cms.models import TownHallPage
page, _ = load_demo()
moderator, _ = User.objects.get_or_create(username="bench-moderator")
moderator.set_password(sys.argv[1]); moderator.save()
moderator.groups.add(Group.objects.get(name=roles.MODERATOR))
clause = page.current_version().clauses.order_by("position").first()
hall = TownHallPage.objects.live().first()
print(json.dumps({"page_id": page.pk, "slug": page.slug, "url": page.url,
                  "clause_id": clause.pk, "clause_key": clause.key,
                  "clause_len": len(clause.text), "townhall_id": hall.pk if hall else None}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def wav_bytes(seconds: float = 1.0, comment: str = "") -> bytes:
    """A real, decodable WAV (a tone), optionally with a LIST/INFO comment chunk."""
    import math
    import struct

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        frames = b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / 16000)))
            for n in range(int(16000 * seconds))
        )
        w.writeframes(frames)
    data = buffer.getvalue()
    if comment:
        text = comment.encode() + b"\0"
        if len(text) % 2:
            text += b"\0"
        info = b"INFO" + b"ICMT" + struct.pack("<I", len(text)) + text
        chunk = b"LIST" + struct.pack("<I", len(info)) + info
        data = data[:4] + struct.pack("<I", len(data) - 8 + len(chunk)) + data[8:] + chunk
    return data


@dataclass
class Suite:
    base: str
    info: dict
    results: list[tuple[str, bool, str]] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    def session(self, address: str | None = None) -> requests.Session:
        """A visitor's browser behind the trusted proxy, from its own address."""
        s = requests.Session()
        address = address or f"203.0.113.{secrets.randbelow(250) + 1}"
        s.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": address,  # as the one trusted proxy appends it
                "Origin": self.origin,
                "Referer": self.origin + "/",
            }
        )
        s.hooks["response"].append(self._watch)
        return s

    @property
    def origin(self) -> str:
        return "https://" + self.base.split("://", 1)[1]

    def _watch(self, response, *args, **kwargs):
        if response.status_code >= 500:
            self.server_errors.append(f"{response.request.method} {response.url}")

    def url(self, path: str) -> str:
        return self.base + path

    def check(self, name: str, ok: bool, detail: str = "") -> None:
        self.results.append((name, bool(ok), detail))
        print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail and not ok else ''}")

    def csrf(self, s: requests.Session, path: str) -> str:
        page = s.get(self.url(path))
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        return match.group(1) if match else s.cookies.get("csrftoken", "")

    def comment(self, s: requests.Session, json_answer: bool = True, **fields):
        token = self.csrf(s, self.info["url"])
        data = {
            "csrfmiddlewaretoken": token,
            "clause_id": self.info["clause_id"],
            "stance": "oppose",
            "text": f"Clause needs work {secrets.token_hex(4)}.",
            "stakeholder": "individual",
            "language": "en",
            "display_mode": "pseudonymous",
            "client_token": secrets.token_hex(8),
            **fields,
        }
        headers = {"Accept": "application/json"} if json_answer else {}
        return s.post(
            self.url(f"/consultations/{self.info['page_id']}/comment/"),
            data=data,
            headers=headers,
            allow_redirects=False,
        )

    def received(self) -> int:
        figures = self.session().get(
            self.url(f"/consultations/{self.info['page_id']}/transparency.json")
        )
        return figures.json()["received"]


# --- probes, one group per finding of the trust issue ----------------------------------------


def probe_library_doors(t: Suite) -> None:
    s = t.session()
    pid = t.info["page_id"]
    for path in (
        f"/comments/api/cms-consultationpage/{pid}/",
        f"/comments/api/bogus-type/{pid}/",
        *(f"/comments/reply/{n}/" for n in range(1, 30)),
    ):
        r = s.get(t.url(path))
        t.check(f"library page gone {path}", r.status_code == 404, str(r.status_code))
    before = t.received()
    foreign = t.session()
    foreign.headers["Origin"] = "https://evil.example"
    r = foreign.post(
        t.url("/comments/api/comment/"),
        data={"content_type": "cms.consultationpage", "object_pk": pid, "comment": "injected"},
    )
    t.check("library post endpoint creates nothing", t.received() == before, str(r.status_code))


def probe_receipts(t: Suite) -> None:
    s = t.session()
    r = t.comment(s, text=f"My CNIC is {CNIC}, cell {PHONE}, mail {EMAIL}.", name="Secret Name")
    t.check("comment accepted", r.status_code == 201, f"{r.status_code} {r.text[:200]}")
    if r.status_code != 201:
        return
    answer = r.json()
    code = answer["receipt_code"]
    t.check("receipt code has 60 bits in groups of four", RECEIPT.fullmatch(code) is not None, code)
    for path in (f"/receipt/?code={code}", f"/my-data/receipt.json?code={code}"):
        got = t.session().get(t.url(path))
        body = got.text
        leaked = [v for v in (CNIC, PHONE, EMAIL, "Secret Name") if v in body]
        t.check(f"receipt shows no original {path.split('?')[0]}", not leaked, str(leaked))
        t.check(
            f"receipt is no-store {path.split('?')[0]}",
            "no-store" in got.headers.get("Cache-Control", ""),
        )
    page = t.session().get(t.url(t.info["url"]))
    t.check("pseudonym is not the receipt's first half", f"Participant {code[:4]}" not in page.text)
    guesser = t.session("198.51.100.77")
    statuses = []
    for _ in range(120):
        fake = "-".join(
            secrets.token_hex(2).upper().translate(str.maketrans("01", "AB")) for _ in range(3)
        )
        statuses.append(guesser.get(t.url(f"/receipt/?code={fake}")).status_code)
        if statuses[-1] == 429:
            break
    t.check("receipt guessing is limited (429)", 429 in statuses, f"{len(statuses)} guesses")
    exporter = t.session()
    wrong = exporter.post(
        t.url("/my-data/receipt.json"),
        data={
            "code": code,
            "secret": "AAAA-BBBB-CCCC",
            "csrfmiddlewaretoken": t.csrf(exporter, "/privacy/"),
        },
    )
    right = exporter.post(
        t.url("/my-data/receipt.json"),
        data={
            "code": code,
            "secret": answer["receipt_secret"],
            "csrfmiddlewaretoken": t.csrf(exporter, "/privacy/"),
        },
    )
    t.check(
        "full export with the secret has the original",
        right.status_code == 200 and CNIC in right.text,
        str(right.status_code),
    )
    t.check(
        "full export refused without the secret",
        wrong.status_code == 404,
        str(wrong.status_code),
    )
    t.check("full export refusal has no original", CNIC not in wrong.text)


def probe_tokens(t: Suite) -> None:
    s = t.session()
    for token in ("demo-0", "demo-reply-0", "townhall-question-1"):
        r = t.comment(s, client_token=token, text=f"claiming {token}")
        ok = r.status_code == 201 and r.json().get("status") in ("published", "held")
        t.check(f"server token {token} not claimable", ok, f"{r.status_code} {r.text[:120]}")
    token = secrets.token_hex(8)
    first = t.comment(s, client_token=token, text="Original words.")
    again = t.comment(s, client_token=token, text="Changed words.")
    t.check(
        "same token, other words: 409",
        first.status_code == 201 and again.status_code == 409,
        f"{first.status_code}/{again.status_code}",
    )


def probe_csrf(t: Suite) -> None:
    no_token = t.session()
    no_token.get(t.url(t.info["url"]))
    r = no_token.post(
        t.url(f"/consultations/{t.info['page_id']}/comment/"),
        data={
            "clause_id": t.info["clause_id"],
            "stance": "oppose",
            "text": "no csrf",
            "stakeholder": "individual",
            "language": "en",
            "display_mode": "pseudonymous",
        },
    )
    t.check("comment without CSRF token refused", r.status_code == 403, str(r.status_code))
    foreign = t.session()
    token = t.csrf(foreign, t.info["url"])
    foreign.headers["Origin"] = "https://evil.example"
    r = foreign.post(
        t.url(f"/consultations/{t.info['page_id']}/comment/"),
        data={
            "csrfmiddlewaretoken": token,
            "clause_id": t.info["clause_id"],
            "stance": "oppose",
            "text": "foreign",
            "stakeholder": "individual",
            "language": "en",
            "display_mode": "pseudonymous",
        },
    )
    t.check("comment from a foreign origin refused", r.status_code == 403, str(r.status_code))
    for path in ("/appeal/", "/my-data/receipt.json", "/i18n/setlang/"):
        r = t.session().post(
            t.url(path), data={"code": "x"}, headers={"Origin": "https://evil.example"}
        )
        t.check(
            f"POST {path} from a foreign origin refused", r.status_code == 403, str(r.status_code)
        )


def probe_xss_and_headers(t: Suite) -> None:
    s = t.session()
    payload = '<script>alert("xss-bench")</script><img src=x onerror=alert(1)>'
    r = t.comment(
        s,
        text=f"Payload {payload}",
        organisation=payload,
        stakeholder="civil_society",
        proposed_wording=payload,
    )
    t.check("payload comment accepted or held", r.status_code == 201, str(r.status_code))
    for path in (
        t.info["url"],
        f"{t.info['url']}?clause={t.info['clause_key']}",
        "/",
        "/ur" + t.info["url"],
        "/receipt/",
        "/privacy/",
        f"/consultations/{t.info['page_id']}/transparency/",
    ):
        got = t.session().get(t.url(path))
        raw = [bad for bad in ("<script>alert(", "<img src=x onerror") if bad in got.text]
        t.check(f"no unescaped payload on {path}", not raw, str(raw))
        if got.headers.get("Content-Type", "").startswith("text/html"):
            csp = got.headers.get("Content-Security-Policy", "")
            t.check(
                f"CSP without inline script on {path}",
                bool(csp) and "'unsafe-inline'" not in csp.split("script-src", 1)[-1].split(";")[0],
                csp[:120],
            )
            t.check(
                f"Permissions-Policy on {path}",
                "microphone" in got.headers.get("Permissions-Policy", ""),
            )


def probe_pii(t: Suite) -> None:
    s = t.session()
    org = f"Forum CNIC {CNIC} cell {PHONE}"
    r = t.comment(
        s,
        stakeholder="civil_society",
        organisation=org,
        text="Organisations must be heard.",
        proposed_wording=f"Call {PHONE} or {EMAIL}",
    )
    t.check("organisation comment accepted", r.status_code == 201, str(r.status_code))
    for path in (t.info["url"], f"{t.info['url']}?clause={t.info['clause_key']}"):
        body = t.session().get(t.url(path)).text
        leaked = [v for v in (CNIC, PHONE, EMAIL) if v in body]
        t.check(f"no personal data on {path}", not leaked, str(leaked))


def probe_rate_limits(t: Suite) -> None:
    # One participant, a new forged first X-Forwarded-For entry on every post.
    s = t.session()
    statuses = []
    for n in range(40):
        s.headers["X-Forwarded-For"] = f"192.0.2.{n + 1}, 198.18.0.9"  # forged, then the real one
        statuses.append(t.comment(s, text=f"flood {n} {secrets.token_hex(3)}").status_code)
    t.check(
        "one participant is limited whatever X-Forwarded-For says",
        429 in statuses,
        str(sorted(set(statuses))),
    )
    # Many participants behind one carrier-grade NAT address are not limited as one.
    shared = "100.64.1.1"
    ok = [t.comment(t.session(shared), text=f"neighbour {n}").status_code for n in range(15)]
    t.check(
        "fifteen people behind one address can each comment", all(c == 201 for c in ok), str(ok)
    )
    # The same text, many times a minute, is held, not published.
    same = "Withdraw these rules now, they silence us all."
    answers = [t.comment(t.session(), text=same) for _ in range(12)]
    held = [a.json().get("status") for a in answers if a.status_code == 201]
    t.check("identical text flood is held for review", "held" in held, str(held))
    # A filled honeypot never publishes.
    r = t.comment(t.session(), text="honeypot bot", website="http://spam.example")
    status = r.json().get("status") if r.status_code == 201 else r.status_code
    page = t.session().get(t.url(t.info["url"])).text
    t.check("honeypot submission not published", "honeypot bot" not in page, str(status))


def probe_bad_inputs(t: Suite) -> None:
    s = t.session()
    length = t.info["clause_len"]
    cases = {
        "anchor_end beyond the clause": {
            "anchor_exact": "x",
            "anchor_start": 0,
            "anchor_end": length + 500,
        },
        "huge anchor": {"anchor_exact": "x", "anchor_start": 0, "anchor_end": 10**30},
        "missing parent": {"parent_id": 999999999},
        "huge parent": {"parent_id": 10**40},
        "NUL in text": {"text": "nul \x00 here"},
    }
    for name, fields in cases.items():
        r = t.comment(s, **fields)
        t.check(
            f"{name}: 4xx with a message",
            400 <= r.status_code < 500 and len(r.text) > 10,
            str(r.status_code),
        )
    for path in (
        "/receipt/?code=AB%00CD",
        "/my-data/receipt.json?code=%00",
        f"{t.info['url']}?clause=%00x",
    ):
        r = t.session().get(t.url(path))
        t.check(f"NUL in query {path}: 4xx", 400 <= r.status_code < 500, str(r.status_code))
    # A voice note whose organisation is too long.
    r, _session = voice_upload(t, organisation="O" * 300)
    t.check(
        "voice note with a 300-character organisation: 4xx",
        400 <= r.status_code < 500,
        str(r.status_code),
    )


def voice_upload(t: Suite, filename: str = "note.wav", audio: bytes | None = None, **fields):
    s = t.session()
    path = f"/voice/{t.info['slug']}/record/"
    token = t.csrf(s, path)
    data = {
        "csrfmiddlewaretoken": token,
        "stance": "oppose",
        "stakeholder": "individual",
        "display_mode": "pseudonymous",
        "language_hint": "en",
        "consent": "on",
        **fields,
    }
    files = {"audio": (filename, audio or wav_bytes(), "audio/wav")}
    return s.post(t.url(path), data=data, files=files, allow_redirects=False), s


def probe_uploads(t: Suite, moderator_password: str) -> None:
    audio = wav_bytes(comment="<script>alert('audio-xss')</script>")
    r, s = voice_upload(t, filename="note.html", audio=audio)
    location = r.headers.get("Location", "")
    match = re.search(r"/voice/note/([0-9a-f-]{36})/", location)
    t.check(
        "voice note named note.html accepted as audio",
        match is not None,
        f"{r.status_code} {location}",
    )
    if not match:
        return
    mod = t.session()
    token = t.csrf(mod, "/admin/login/")
    mod.post(
        t.url("/admin/login/"),
        data={
            "username": "bench-moderator",
            "password": moderator_password,
            "csrfmiddlewaretoken": token,
        },
    )
    got = mod.get(t.url(f"/voice/note/{match.group(1)}/audio"))
    kind = got.headers.get("Content-Type", "")
    t.check(
        "audio served as audio/*",
        got.status_code == 200 and kind.startswith("audio/"),
        f"{got.status_code} {kind}",
    )
    t.check(
        "audio is an attachment",
        got.headers.get("Content-Disposition", "").startswith("attachment"),
    )
    t.check("audio is nosniff", got.headers.get("X-Content-Type-Options") == "nosniff")


def probe_big_body(t: Suite, server_pid: int) -> None:
    before = rss_kib(server_pid)
    status = None
    try:
        with socket.create_connection(
            ("127.0.0.1", int(t.base.rsplit(":", 1)[1])), timeout=30
        ) as sock:
            size = 100 * 1024 * 1024
            head = (
                f"POST /consultations/{t.info['page_id']}/comment/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: multipart/form-data; boundary=x\r\nX-Forwarded-Proto: https\r\n"
                f"Content-Length: {size}\r\n\r\n"
            )
            sock.sendall(head.encode())
            chunk = b"a" * (1024 * 1024)
            try:
                for _ in range(100):
                    sock.sendall(chunk)
            except OSError:
                pass  # the server closed the connection early: good
            sock.settimeout(10)
            answer = sock.recv(200).decode(errors="replace")
            status = int(answer.split()[1]) if answer.startswith("HTTP/") else None
    except OSError as error:
        status = f"closed ({error.__class__.__name__})"
    time.sleep(1)
    grown = (rss_kib(server_pid) - before) // 1024
    t.check(
        "100 MB anonymous POST refused with 413",
        status in (413, None) or str(status).startswith("closed"),
        str(status),
    )
    t.check("100 MB POST does not grow the server by 100 MB", grown < 50, f"{grown} MB")


async def probe_websocket(t: Suite) -> None:
    import websockets

    if not t.info["townhall_id"]:
        t.check("a live town hall to probe", False, "none in the demo")
        return
    s = t.session()
    s.get(t.url(f"{t.info['url']}live-town-hall/"))
    cookie = "; ".join(f"{k}={v}" for k, v in s.cookies.items())
    uri = t.base.replace("http", "ws") + f"/ws/townhall/{t.info['townhall_id']}/"
    headers = {"Origin": t.origin, "Cookie": cookie, "X-Forwarded-For": "203.0.113.9"}
    async with websockets.connect(uri, additional_headers=headers, open_timeout=20) as ws:
        snapshot = json.loads(await asyncio.wait_for(ws.recv(), 20))
        t.check("town hall snapshot", snapshot.get("type") == "snapshot", str(snapshot)[:80])
        text = json.dumps(snapshot)
        t.check(
            "snapshot names no user id",
            not re.search(r'"[ua]:[\w-]+"', text),
            re.findall(r'"[ua]:[\w-]+"', text)[:3].__str__(),
        )
        for name, frame in (
            (
                "NUL in a question",
                json.dumps(
                    {"type": "action", "action": "post_question", "ref": "n", "text": "a\u0000b"}
                ),
            ),
            ("deeply nested JSON", "[" * 2000 + "]" * 2000),
            (
                "NUL in a raised hand",
                json.dumps(
                    {"type": "action", "action": "raise_hand", "ref": "h", "name": "x\u0000"}
                ),
            ),
        ):
            await ws.send(frame)
            try:
                answer = json.loads(await asyncio.wait_for(ws.recv(), 10))
                while answer.get("type") == "event":
                    answer = json.loads(await asyncio.wait_for(ws.recv(), 10))
                t.check(
                    f"websocket {name}: error frame",
                    answer.get("type") == "error",
                    str(answer)[:100],
                )
            except websockets.ConnectionClosed as closed:
                t.check(f"websocket {name}: error frame", False, f"closed {closed.code}")


def run_probes(t: Suite, moderator_password: str, server_pid: int) -> None:
    for probe in (
        probe_library_doors,
        probe_receipts,
        probe_tokens,
        probe_csrf,
        probe_xss_and_headers,
        probe_pii,
        probe_bad_inputs,
    ):
        try:
            probe(t)
        except Exception as error:  # a probe that crashes is a failed probe, not a crashed bench
            t.check(f"{probe.__name__} ran", False, repr(error)[:200])
    try:
        probe_uploads(t, moderator_password)
    except Exception as error:
        t.check("probe_uploads ran", False, repr(error)[:200])
    try:
        asyncio.run(probe_websocket(t))
    except Exception as error:
        t.check("probe_websocket ran", False, repr(error)[:200])
    try:
        probe_rate_limits(t)  # last: it uses up limits the other probes need
    except Exception as error:
        t.check("probe_rate_limits ran", False, repr(error)[:200])
    probe_big_body(t, server_pid)


def main() -> None:
    port = free_port()
    name = f"consult_bench_security_{os.getpid()}"
    base_pg = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["createdb", *base_pg, name], check=True)
    redis_db = os.environ.get("BENCH_REDIS_DB", "13")
    moderator_password = secrets.token_urlsafe(16)
    env = dict(
        os.environ,
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
        REDIS_URL=f"redis://127.0.0.1:6379/{redis_db}",
        CACHE_PREFIX=f"benchsec{os.getpid()}",
        CHANNELS_PREFIX=f"benchsec{os.getpid()}",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_SSL_REDIRECT="1",
        TRUSTED_PROXY_COUNT="1",
        CONSULT_VAR_DIR=tempfile.mkdtemp(prefix="bench-security-"),
        LOG_LEVEL="WARNING",
    )
    env.pop("CONSULT_INSECURE_DEFAULTS", None)
    log = open(Path(env["CONSULT_VAR_DIR"]) / "daphne.log", "w")  # noqa: SIM115
    server = None
    try:
        for command in (
            ["migrate", "--noinput"],
            ["collectstatic", "--noinput"],
            ["compilemessages"],
        ):
            subprocess.run(
                [PY, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
            )
        setup = subprocess.run(
            [PY, "-c", SETUP, moderator_password],
            cwd=ROOT,
            env=env | {"DJANGO_SETTINGS_MODULE": "config.settings"},
            check=True,
            capture_output=True,
            text=True,
        )
        info = json.loads(setup.stdout.strip().splitlines()[-1])
        server = subprocess.Popen(
            [
                PY,
                "-m",
                "config.serve",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "config.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(base + "/healthz", timeout=2, headers={"X-Forwarded-Proto": "https"})
                break
            except requests.RequestException:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start; see " + log.name) from None
                time.sleep(0.5)
        suite = Suite(base=base, info=info)
        run_probes(suite, moderator_password, server.pid)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        subprocess.run(["dropdb", *base_pg, "--if-exists", name], check=False)
        subprocess.run(["redis-cli", "-n", redis_db, "flushdb"], check=False, capture_output=True)
    failures = [r for r in suite.results if not r[1]]
    for error in suite.server_errors:
        print(f"server error: {error}")
    print(
        f"security probes={len(suite.results)} failures={len(failures)} "
        f"server_errors={len(suite.server_errors)}"
    )


if __name__ == "__main__":
    main()
