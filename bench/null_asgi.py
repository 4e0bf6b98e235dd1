"""An ASGI application that answers every HTTP request with an empty 204, without Django.

``make bench-load-ceiling`` serves it with the platform's own server (``python -m
config.serve``) to measure what daphne itself costs a request on this machine: no Django
request can be cheaper than this.
"""

from __future__ import annotations


async def application(scope, receive, send):
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            pass
        return
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})
