"""At most ``HTTP_MAX_CONCURRENT`` HTTP requests of a server process run Django at once; the
rest wait their turn on the event loop, where waiting costs nothing.

Django runs each ASGI request's sync code in a thread of its own, so under a flood every
request in flight is a runnable thread and they share one interpreter lock: with a hundred
of them a town hall's WebSocket handshake, whose few database reads run in yet another
thread, got a hundredth of the process and daphne dropped it after its 5 s connect timeout
(bench-load). A bounded number of request threads is what a pre-fork server's worker count
gives; here it also leaves the live connections their share. A slot is held until the
response starts (the view's work), not while a streamed download trickles out, so slow
downloaders cannot take every slot.
"""

from __future__ import annotations

import asyncio

from django.conf import settings


class HTTPConcurrencyLimit:
    def __init__(self, app, limit: int | None = None):
        self.app = app
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        # Made on first use, inside the server's running loop.
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limit or settings.HTTP_MAX_CONCURRENT)
        return self._slots

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        slots = self._semaphore()
        await slots.acquire()
        held = True

        def release():
            nonlocal held
            if held:
                held = False
                slots.release()

        async def send_and_release(message):
            if message["type"] == "http.response.start":
                release()
            await send(message)

        try:
            return await self.app(scope, receive, send_and_release)
        finally:
            release()
