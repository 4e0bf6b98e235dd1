"""CSRF: every route of the URLconf refuses a state-changing request without a token, and
one with a token from a foreign origin.

The routes are walked from the URLconf with the concrete URLs of the authorisation table,
so a new route is covered without anyone remembering to add it here.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from consult.models import Submission
from tests.config.test_authorisation import TABLE, all_routes, row_for

pytestmark = pytest.mark.django_db

METHODS = ("post", "put", "patch", "delete")


def _urls(samples) -> list[str]:
    urls = []
    for route in all_routes():
        row = row_for(route, TABLE)
        if row is None or row.expect is None:
            continue
        if row.url:
            urls.append(row.url.format(**samples))
        elif not re.search(r"[<(\\*]", route):
            urls.append("/" + route.replace("^", "").replace("$", ""))
    return sorted(set(urls))


def _refused(response) -> bool:
    """Refused before anything was changed: CSRF's 403, a method the route lacks, or (for
    Wagtail's read-only admin API, which is CSRF-exempt) a redirect to the login page."""
    if response.status_code in (301, 302):
        return "/login/" in response.get("Location", "")
    return response.status_code in (403, 405)


@pytest.mark.parametrize("who", ["anonymous", "superuser"])
def test_every_route_refuses_writes_without_a_token(who, users, samples):
    client = Client(enforce_csrf_checks=True)
    if who == "superuser":
        client.force_login(users["superuser"])
    client.raise_request_exception = False
    before = Submission.objects.count()
    accepted = []
    urls = _urls(samples)
    for url in urls:
        for method in METHODS:
            response = getattr(client, method)(url, {"text": "x", "code": samples["receipt_code"]})
            if not _refused(response):
                accepted.append(f"{method.upper()} {url}: {response.status_code}")
    assert not accepted, "\n".join(accepted)
    assert Submission.objects.count() == before
    assert len(urls) > 40


def test_a_token_from_a_foreign_origin_is_refused(demo, settings):
    """A page on another site that got hold of a token still cannot post (Origin check)."""
    settings.ALLOWED_HOSTS = ["consult.example.org"]
    client = Client(enforce_csrf_checks=True, HTTP_HOST="consult.example.org")
    page = client.get(demo.url, secure=True)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token, "the reading page has no comment form"
    clause = demo.current_version().clauses.first()
    data = {
        "csrfmiddlewaretoken": token.group(1),
        "clause_id": clause.pk,
        "stance": "oppose",
        "text": "Posted from elsewhere.",
        "stakeholder": "individual",
        "language": "en",
        "display_mode": "pseudonymous",
    }
    path = f"/consultations/{demo.pk}/comment/"
    foreign = client.post(path, data, secure=True, HTTP_ORIGIN="https://evil.example")
    assert foreign.status_code == 403
    assert not Submission.objects.filter(comment="Posted from elsewhere.").exists()
    # The same request from the site itself goes through: the refusal was the origin.
    own = client.post(path, data, secure=True, HTTP_ORIGIN="https://consult.example.org")
    assert own.status_code == 302
    assert Submission.objects.filter(comment="Posted from elsewhere.").exists()
