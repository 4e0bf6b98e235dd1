"""The database is unreachable (PostgreSQL restarting, a failover, the pool exhausted):
answer 503 with ``Retry-After`` instead of a 500.

Django turns an exception raised anywhere in the middleware chain or a view into a response
through ``handler500`` (``convert_exception_to_response``), with the exception still being
handled; so one handler catches the session middleware's and the authentication
middleware's queries as well as the views'. It answers 503 only for connection failures
(``is_connection_failure``): a constraint violation or a bad query stays a 500. Every write
path runs inside ``transaction.atomic``, so a request cut off by the outage has written
nothing: the participant is told to send again, and client tokens make a repeat harmless.

The page is rendered from ``503.html`` with an empty context and no request: no Wagtail
page, no session, no user, nothing that could query the database. The language is the one
the path or the visitor's cookie and headers ask for (``/ur/`` pages answer in Urdu, RTL).
JSON clients (``Accept: application/json``, ``/api/``) get a JSON body.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.defaults import server_error

RETRY_AFTER_SECONDS = 10

# PostgreSQL SQLSTATEs that mean "no usable connection": class 08 (connection exception),
# 57P01-57P03 (administrator / crash shutdown, cannot connect now: starting up).
_CONNECTION_SQLSTATE_PREFIXES = ("08", "57P01", "57P02", "57P03")
_SQLITE_CONNECTION_MESSAGES = ("unable to open database", "disk i/o error")


def is_connection_failure(exc: BaseException | None) -> bool:
    """True for a lost or refused database connection, not for a query's own error."""
    if isinstance(exc, InterfaceError):
        return True  # Django's "connection already closed", psycopg's InterfaceError
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    module = type(cause).__module__ if cause is not None else ""
    if module.startswith(("psycopg", "psycopg_pool")):
        # No SQLSTATE: the client library lost or never got a connection (refused, reset,
        # "server closed the connection unexpectedly", the pool's timeout).
        return sqlstate is None or sqlstate.startswith(_CONNECTION_SQLSTATE_PREFIXES)
    message = str(exc).lower()
    return any(text in message for text in _SQLITE_CONNECTION_MESSAGES)


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def _language(request) -> str:
    # From the path, cookie and Accept-Language only: no session, no database.
    return translation.get_language_from_path(
        request.path_info
    ) or translation.get_language_from_request(request, check_path=False)


def database_unavailable(request) -> HttpResponse:
    with translation.override(_language(request)):
        message = _(
            "The service is briefly unavailable. Nothing you sent in this request was saved. "
            "Please try again in a minute."
        )
        if _wants_json(request):
            response = JsonResponse(
                {"error": "unavailable", "message": message, "retry_after": RETRY_AFTER_SECONDS},
                status=503,
            )
        else:
            response = HttpResponse(
                render_to_string(
                    "503.html",
                    {
                        "LANGUAGE_CODE": translation.get_language(),
                        "LANGUAGE_BIDI": translation.get_language_bidi(),
                        "retry_after": RETRY_AFTER_SECONDS,
                    },
                ),
                status=503,
            )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error_or_unavailable(request, *args, **kwargs) -> HttpResponse:
    """``handler500``: 503 for a database connection failure, Django's 500 page otherwise."""
    if is_connection_failure(sys.exc_info()[1]):
        return database_unavailable(request)
    return server_error(request, *args, **kwargs)
