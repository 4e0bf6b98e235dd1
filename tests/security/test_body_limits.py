"""Bounded requests: an over-limit body is refused with 413 before anyone buffers it.

Against a real daphne (``python -m config.serve``, as ``make run`` and production serve it):
a 100 MB anonymous POST must be answered 413 and must not grow the server's memory. Then the
ASGI guard alone, under no server at all, on Django's own ASGI application.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from django.core.asgi import get_asgi_application

from config.request_limits import BodySizeLimit, body_limit
from tests.servers import migrated_sqlite_env, start_daphne, stop, unused_port

ROOT = Path(__file__).resolve().parents[2]
HUNDRED_MB = 100 * 1024 * 1024
CHUNK = b"x" * (256 * 1024)
RSS_SLACK_KIB = 6 * 1024  # "a few MB": the 100 MB must not be held anywhere


@pytest.fixture(scope="module")
def daphne(tmp_path_factory):
    """daphne on a migrated SQLite file, bound to 127.0.0.1; yields (port, pid)."""
    env = migrated_sqlite_env(tmp_path_factory.mktemp("limits") / "limits.sqlite3", "limits")
    port = unused_port()
    proc = start_daphne(env, port, timeout=90)
    yield port, proc.pid
    stop(proc)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def post(port, path, size, chunked=False, headers=()):
    """Send a POST of ``size`` bytes the way a hostile client would; return (status, head,
    body) of the answer, read while the client is still sending if the server answers early."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    boundary = "b0undary"
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Content-Type: multipart/form-data; boundary={boundary}",
        # Without it an answer read to its end waited out the socket's 30 s timeout on a
        # kept-alive connection.
        "Connection: close",
        *headers,
    ]
    lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    sent = 0
    try:
        while sent < size:
            piece = CHUNK[: min(len(CHUNK), size - sent)]
            if chunked:
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            else:
                sock.sendall(piece)
            sent += len(piece)
        if chunked:
            sock.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server stopped listening: fine, as long as it answered first
    answer = b""
    try:
        while chunk := sock.recv(65536):
            answer += chunk
            if b"\r\n\r\n" in answer:
                head, _, rest = answer.partition(b"\r\n\r\n")
                length = [
                    int(h.split(b":")[1])
                    for h in head.split(b"\r\n")
                    if h.lower().startswith(b"content-length:")
                ]
                if length and len(rest) >= length[0]:
                    break
    except (ConnectionResetError, TimeoutError):
        pass
    finally:
        sock.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head else 0
    return status, head.decode("latin-1"), body


def warm(port):
    """Run the code paths of a refusal once, so the measurement sees only the body's cost."""
    for _ in range(2):
        post(port, "/comments/post/", 2 * 1024 * 1024)
        post(port, "/comments/post/", 2 * 1024 * 1024, chunked=True)
        post(port, "/receipt/", 1000)


@pytest.mark.timeout(300)
def test_hundred_megabytes_with_length_is_413_and_costs_no_memory(daphne):
    port, pid = daphne
    warm(port)
    before = rss_kib(pid)
    status, head, body = post(port, "/comments/post/", HUNDRED_MB)
    after = rss_kib(pid)
    assert status == 413, head
    assert "text/plain" in head and "too large" in body.decode()
    assert after - before < RSS_SLACK_KIB, (before, after)


@pytest.mark.timeout(300)
def test_hundred_megabytes_streamed_is_413_and_costs_no_memory(daphne):
    """No Content-Length: the bytes are counted as they arrive and dropped past the limit."""
    port, pid = daphne
    warm(port)
    before = rss_kib(pid)
    status, head, _ = post(port, "/comments/post/", HUNDRED_MB, chunked=True)
    after = rss_kib(pid)
    assert status == 413, head
    assert after - before < RSS_SLACK_KIB, (before, after)


def test_voice_upload_path_allows_a_recording_sized_body(daphne):
    """Three megabytes: too much for a comment, fine for a voice note (then CSRF says no)."""
    port, _ = daphne
    three_mb = 3 * 1024 * 1024
    assert post(port, "/receipt/", three_mb)[0] == 413
    # Past the body limit's check: refused later for what it is (not a form), never 413.
    assert post(port, "/voice/some-consultation/record/", three_mb)[0] in (400, 403)
    assert post(port, "/ur/voice/some-consultation/record/", three_mb)[0] in (400, 403)


def test_refusal_speaks_the_requests_language(daphne):
    port, _ = daphne
    status, head, body = post(port, "/ur/receipt/", 2 * 1024 * 1024)
    assert status == 413
    assert "content-language: ur" in head.lower()
    text = body.decode()
    assert any("\u0600" <= c <= "\u06ff" for c in text), text
    status, head, _ = post(
        port, "/receipt/", 2 * 1024 * 1024, headers=["Accept-Language: ur-PK,ur;q=0.9"]
    )
    assert "content-language: ur" in head.lower()


def test_limits_come_from_settings(settings):
    settings.VOICE_MAX_BYTES = 20 * 1024 * 1024
    assert body_limit("/comments/post/") == settings.REQUEST_BODY_MAX_BYTES
    assert body_limit("/voice/x/record/") > settings.VOICE_MAX_BYTES
    assert body_limit("/ur/voice/x/record/") > settings.VOICE_MAX_BYTES
    assert body_limit("/voice/x/record/extra") == settings.REQUEST_BODY_MAX_BYTES
    settings.REQUEST_BODY_MAX_BYTES = 1234
    assert body_limit("/receipt/") == 1234


# --- The ASGI guard on its own (any ASGI server), around Django's real application ---------


def _scope(path, headers):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }


async def _run(scope, body_chunks):
    """Run the guarded application; return what it sent and how many chunks it read."""
    sent, read = [], 0
    chunks = list(body_chunks)

    async def receive():
        nonlocal read
        if read < len(chunks):
            read += 1
            return {"type": "http.request", "body": chunks[read - 1], "more_body": True}
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await BodySizeLimit(get_asgi_application())(scope, receive, send)
    return sent, read


@pytest.mark.django_db
async def test_guard_refuses_on_declared_length_without_reading(settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    scope = _scope("/receipt/", [(b"content-length", b"5000")])
    sent, read = await _run(scope, [b"x" * 1000] * 5)
    assert read == 0  # not one byte of the body was asked for
    assert sent[0]["status"] == 413
    assert b"too large" in sent[1]["body"]


@pytest.mark.django_db
async def test_guard_stops_a_stream_at_the_limit(settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    sent, read = await _run(_scope("/receipt/", []), [b"x" * 400] * 50)
    assert read == 3  # 1,200 bytes: past the limit, and no further
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [413]
