"""Bounded requests: a body larger than its path allows is refused with 413, unread.

Each path has a limit (``REQUEST_BODY_LIMITS``, first matching pattern wins, else
``REQUEST_BODY_MAX_BYTES``): a voice note may be a few megabytes, a comment form never is.

Two places enforce it, because daphne itself buffers a whole body before the application
sees it (to a temporary file, then every chunk at once into the application's queue, so a
100 MB POST cost daphne over 100 MB of memory even when Django answered 403):

- ``BodySizeLimit`` wraps the ASGI HTTP application (config/asgi.py). It refuses on the
  declared Content-Length before calling ``receive``, and counts streamed (chunked) bytes,
  answering 413 and telling the application the client left once the count passes the
  limit. It works under any ASGI server.
- ``install_daphne_body_limits`` (called by config/serve.py, the server we run) refuses in
  daphne's HTTP parser as soon as the headers are in, and drops a streamed body's bytes
  past the limit, so nothing past the limit is stored or queued at all. It also stops
  Twisted parsing multipart bodies into memory for daphne, which never reads the result.

The answer is a short text in the request's language (path prefix, language cookie, then
Accept-Language, as Django's LocaleMiddleware decides).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest
from django.http.cookie import parse_cookie
from django.utils import translation
from django.utils.translation import gettext as _

HTTP_413 = 413


@lru_cache(maxsize=8)
def _compiled(limits: tuple[tuple[str, int], ...]) -> tuple[tuple[re.Pattern, int], ...]:
    return tuple((re.compile(pattern), int(limit)) for pattern, limit in limits)


def body_limit(path: str) -> int:
    """The most bytes a request body to ``path`` may have."""
    limits = tuple(tuple(item) for item in getattr(settings, "REQUEST_BODY_LIMITS", ()))
    for pattern, limit in _compiled(limits):
        if pattern.search(path):
            return limit
    return settings.REQUEST_BODY_MAX_BYTES


def _language(path: str, cookie: str, accept_language: str) -> str:
    request = HttpRequest()
    request.path = request.path_info = path
    request.COOKIES = parse_cookie(cookie)
    request.META["HTTP_ACCEPT_LANGUAGE"] = accept_language
    return translation.get_language_from_request(request, check_path=True)


def refusal(path: str, limit: int, cookie: str = "", accept_language: str = ""):
    """The 413 answer: (status, headers, body), the text in the request's language."""
    language = _language(path, cookie, accept_language)
    megabytes = max(limit / (1024 * 1024), 0.1)
    with translation.override(language):
        text = _(
            "This request is too large: the limit here is %(limit)s MB. Nothing was saved. "
            "Go back and send something smaller."
        ) % {"limit": f"{megabytes:.1f}".removesuffix(".0")}
    body = (text + "\n").encode("utf-8")
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"content-language", language.encode()),
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
        (b"connection", b"close"),
    ]
    return HTTP_413, headers, body


def _header(headers, name: bytes) -> str:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


class BodySizeLimit:
    """ASGI middleware for HTTP: 413 for a body over its path's limit, never reading it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        limit = body_limit(path)
        headers = scope.get("headers", [])
        declared = _header(headers, b"content-length").strip()
        if declared and (not declared.isdigit() or int(declared) > limit):
            return await self._refuse(send, path, limit, headers)

        received = 0
        refused = False
        response_started = False

        async def counted_receive():
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not response_started:
                        await self._refuse(send, path, limit, headers)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            nonlocal response_started
            if refused:
                return  # we answered already; the application only learns the client left
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        return await self.app(scope, counted_receive, guarded_send)

    @staticmethod
    async def _refuse(send, path, limit, headers):
        status, response_headers, body = refusal(
            path, limit, _header(headers, b"cookie"), _header(headers, b"accept-language")
        )
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": body})


class _Discard:
    """Stands in for daphne's body buffer once a request is refused: keeps nothing."""

    closed = False

    def write(self, data):
        pass

    def seek(self, *args):
        return 0

    def read(self, *args):
        return b""

    def close(self):
        self.closed = True


def install_daphne_body_limits(drain_seconds: float = 10.0) -> None:
    """Make daphne refuse over-limit bodies while parsing, before it buffers them.

    daphne builds its HTTP requests from ``daphne.http_protocol.WebRequest``; we replace that
    name with a subclass. The refused request's remaining bytes are read and dropped for up
    to ``drain_seconds`` (closing a socket with unread data resets it, and the client would
    often lose the 413), then the connection is closed.
    """
    from daphne import http_protocol
    from twisted.internet import reactor

    if getattr(http_protocol.WebRequest, "bounded_body", False):
        return
    base = http_protocol.WebRequest

    class BoundedWebRequest(base):
        bounded_body = True
        _limit: int | None = None
        _refused = False
        _seen = 0

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            # Twisted would read a whole multipart body into memory and parse it into
            # ``self.args``, which daphne never uses (Django parses the body itself): that
            # parse, several copies of the body, was most of the 100 MB POST's cost.
            self._parsePOSTFormSubmission = False

        def _path(self) -> str:
            raw = getattr(self.channel, "_path", b"/") or b"/"
            return unquote(raw.split(b"?", 1)[0].decode("latin-1"))

        def gotLength(self, length):
            self._limit = body_limit(self._path())
            if length is not None and length > self._limit:
                self._refuse()
                return
            super().gotLength(length)

        def handleContentChunk(self, data):
            if self._refused:
                return
            self._seen += len(data)
            if self._limit is not None and self._seen > self._limit:
                self._refuse()
                return
            super().handleContentChunk(data)

        def process(self):
            if self._refused:
                self._close()
                return None
            return super().process()

        def _refuse(self):
            self._refused = True
            self.requestHeaders.removeHeader(b"expect")  # no "100 Continue" after our 413
            old, self.content = getattr(self, "content", None), _Discard()
            if old is not None and not isinstance(old, _Discard):
                old.close()
            status, headers, body = refusal(
                self._path(),
                self._limit or 0,
                b", ".join(self.requestHeaders.getRawHeaders(b"cookie", [])).decode("latin-1"),
                b", ".join(self.requestHeaders.getRawHeaders(b"accept-language", [])).decode(
                    "latin-1"
                ),
            )
            head = b"HTTP/1.1 413 Content Too Large\r\n" + b"".join(
                name + b": " + value + b"\r\n" for name, value in headers
            )
            transport = getattr(self.channel, "transport", None)
            if transport is not None:
                transport.write(head + b"\r\n" + body)
                reactor.callLater(drain_seconds, self._close)

        def _close(self):
            transport = getattr(self.channel, "transport", None) if self.channel else None
            if transport is not None:
                transport.loseConnection()

    BoundedWebRequest.__name__ = BoundedWebRequest.__qualname__ = "BoundedWebRequest"
    http_protocol.WebRequest = BoundedWebRequest
