"""config/concurrency.py: a bounded number of HTTP requests in Django at once, the rest
waiting on the event loop; WebSockets never wait; a slot is freed when the response starts."""

from __future__ import annotations

import asyncio

import pytest

from config.concurrency import HTTPConcurrencyLimit


def make_app():
    inside = {"now": 0, "most": 0}
    gate = asyncio.Event()

    async def app(scope, receive, send):
        inside["now"] += 1
        inside["most"] = max(inside["most"], inside["now"])
        if scope["type"] == "http":
            await gate.wait()  # the view's work
        inside["now"] -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        if scope["type"] == "http" and scope.get("slow_body"):
            await asyncio.sleep(3600)  # a download that trickles out
        await send({"type": "http.response.body", "body": b"ok"})

    return app, inside, gate


async def receive():
    return {"type": "http.request", "body": b""}


async def test_no_more_than_the_limit_run_and_the_rest_wait_their_turn():
    app, inside, gate = make_app()
    limited = HTTPConcurrencyLimit(app, limit=3)
    sent = []

    async def send(message):
        sent.append(message["type"])

    requests = [asyncio.create_task(limited({"type": "http"}, receive, send)) for _ in range(10)]
    await asyncio.sleep(0.05)
    assert inside["now"] == 3  # seven wait outside Django
    gate.set()
    await asyncio.wait_for(asyncio.gather(*requests), 5)
    assert inside["most"] == 3 and sent.count("http.response.body") == 10


async def test_websockets_do_not_wait_for_busy_http():
    app, inside, gate = make_app()
    limited = HTTPConcurrencyLimit(app, limit=1)

    async def send(message):
        pass

    busy = asyncio.create_task(limited({"type": "http"}, receive, send))
    await asyncio.sleep(0.01)
    await asyncio.wait_for(limited({"type": "websocket"}, receive, send), 1)
    gate.set()
    await busy


async def test_a_slow_download_frees_its_slot_once_its_response_started():
    app, inside, gate = make_app()
    gate.set()
    limited = HTTPConcurrencyLimit(app, limit=1)

    async def send(message):
        pass

    slow = asyncio.create_task(limited({"type": "http", "slow_body": True}, receive, send))
    await asyncio.sleep(0.01)
    await asyncio.wait_for(limited({"type": "http"}, receive, send), 1)  # not blocked
    slow.cancel()


async def test_an_error_in_the_view_frees_the_slot():
    async def broken(scope, receive, send):
        raise RuntimeError("view failed")

    limited = HTTPConcurrencyLimit(broken, limit=1)
    for _ in range(3):  # would hang on the second call if the slot leaked
        with pytest.raises(RuntimeError):
            await asyncio.wait_for(limited({"type": "http"}, receive, None), 1)
