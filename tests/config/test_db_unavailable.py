"""The database unreachable mid-request: 503 with Retry-After and a page in the visitor's
language, JSON for JSON clients, nothing half-written; any other database error stays 500.

The outage is simulated by raising what Django raises when psycopg loses its connection
(``django.db.OperationalError`` from a ``psycopg.OperationalError`` without SQLSTATE) at a
chosen point; tests/faults/test_postgres_restart.py does it with a real PostgreSQL restart.
"""

from __future__ import annotations

import json

import psycopg
import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client, RequestFactory

from config.db_unavailable import database_unavailable, is_connection_failure
from consult.models import Submission
from tests.consult.test_comments import form_data, make_consultation, post
from tests.i18n_tools import compile_messages


def connection_lost():
    try:
        raise psycopg.OperationalError("server closed the connection unexpectedly")
    except psycopg.OperationalError as cause:
        raise OperationalError(str(cause)) from cause


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def test_comment_post_cut_off_by_the_outage_is_503_and_writes_nothing(client, db, monkeypatch):
    page = make_consultation()
    import consult.services

    # The submission row is inserted, then the connection drops before the screening row.
    monkeypatch.setattr(consult.services, "record_screening", lambda *a: connection_lost())
    response = post(client, page, form_data(page, client_token="cut-off"))
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    body = response.content.decode()
    assert 'lang="en" dir="ltr"' in body and "Briefly unavailable" in body
    assert not Submission.objects.filter(consultation=page).exists()


def test_session_middleware_failure_is_503_too(client, db, monkeypatch):
    """A failure before any view (loading the session) is caught as well."""
    from django.contrib.sessions.backends.db import SessionStore

    monkeypatch.setattr(SessionStore, "load", lambda self: connection_lost())
    client.cookies["sessionid"] = "x" * 32
    response = client.get("/receipt/", {"code": "ABCD-EFGH"})
    assert response.status_code == 503


def test_urdu_page_is_rtl_in_urdu(client, db, monkeypatch):
    compile_messages()
    import moderation.views

    monkeypatch.setattr(moderation.views, "normalise_receipt", lambda code: connection_lost())
    response = client.get("/ur/receipt/", {"code": "ABCD-EFGH"})
    assert response.status_code == 503
    body = response.content.decode()
    assert 'lang="ur" dir="rtl"' in body
    assert "عارضی طور پر دستیاب نہیں" in body


def test_json_clients_get_json(db):
    factory = RequestFactory()
    for request in (
        factory.get("/api/v1/consultations/"),
        factory.post("/consultations/1/comment/", HTTP_ACCEPT="application/json"),
    ):
        response = database_unavailable(request)
        assert response.status_code == 503 and response["Retry-After"]
        assert json.loads(response.content)["error"] == "unavailable"


def test_page_renders_without_database(django_db_blocker):
    with django_db_blocker.block():  # any query would raise here
        response = database_unavailable(RequestFactory().get("/ur/some-page/"))
    assert response.status_code == 503 and b'dir="rtl"' in response.content


def test_only_connection_failures_are_503():
    def wrapped(cause):
        try:
            raise cause
        except Exception as exc:
            try:
                raise OperationalError(str(exc)) from exc
            except OperationalError as outer:
                return outer

    assert is_connection_failure(wrapped(psycopg.OperationalError("connection refused")))
    assert is_connection_failure(InterfaceError("connection already closed"))
    shutdown = psycopg.errors.AdminShutdown("terminating connection")
    assert is_connection_failure(wrapped(shutdown))
    assert not is_connection_failure(wrapped(psycopg.errors.DeadlockDetected("deadlock")))
    assert not is_connection_failure(OperationalError("no such table: x"))
    assert is_connection_failure(OperationalError("unable to open database file"))
    assert not is_connection_failure(ValueError("x"))


def test_other_errors_stay_500(client, db, monkeypatch):
    import moderation.views

    def broken(code):
        raise OperationalError("no such column: x")

    monkeypatch.setattr(moderation.views, "normalise_receipt", broken)
    assert client.get("/receipt/", {"code": "ABCD-EFGH"}).status_code == 500
