"""Our 404 and 500 pages win over the ones libraries ship (django-comments-xtd has a 404.html),
and the 500 page renders with no request and no database."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error


@pytest.mark.django_db
def test_404_is_ours(client):
    response = client.get("/no-such-page-here/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and 'class="skip-link"' in body


def test_500_renders_without_request_or_database(django_db_blocker):
    with django_db_blocker.block():  # any database query would raise here
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body and 'class="skip-link"' in body
