"""One door: submissions are created and shown only through our own views and services.

django-comments-xtd's public views (its JSON API, reply pages, post, flag and like) showed
every comment's chosen name and a gravatar hash of its e-mail, showed held and removed
comments by sequential id, and created published comments without a CSRF token or our
validation. They are gone from the URLconf; these tests keep them gone.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import get_resolver

from consult.models import Submission
from consult.services import SubmissionInput, submit

pytestmark = pytest.mark.django_db


def _comment(page, text, **extra):
    return submit(
        page,
        SubmissionInput(text=text, stance="oppose", stakeholder="individual", **extra),
    )


def test_no_route_of_the_comments_library_is_served():
    routes = [str(p.pattern) for p in get_resolver().url_patterns]
    assert not [r for r in routes if r.startswith("comments/")], routes


@pytest.mark.parametrize(
    "path",
    [
        "/comments/api/cms-consultationpage/{page}/",
        "/comments/api/cms-consultationpage/{page}/count/",
        "/comments/api/bogus-contenttype/{page}/",
        "/comments/reply/{held}/",
        "/comments/reply/{named}/",
        "/comments/cr/{ct}/{page}/",
        "/comments/flag/{named}/",
        "/comments/like/{named}/",
        "/comments/sent/",
    ],
)
def test_library_pages_are_not_found(client, demo, path):
    named = _comment(demo, "A named comment.", name="Ayesha Khan", email="ayesha@example.org")
    held = _comment(demo, "Held words.")
    Submission.objects.filter(pk=held.pk).update(is_public=False)
    url = path.format(page=demo.pk, held=held.pk, named=named.pk, ct=1)
    response = client.get(url)
    assert response.status_code == 404
    body = response.content.decode()
    assert "Ayesha" not in body and "Held words" not in body


def test_library_post_endpoints_create_nothing(demo):
    foreign = Client(enforce_csrf_checks=True, HTTP_ORIGIN="https://evil.example")
    before = Submission.objects.count()
    for path in ("/comments/api/comment/", "/comments/post/"):
        response = foreign.post(
            path,
            {
                "content_type": "cms.consultationpage",
                "object_pk": str(demo.pk),
                "comment": "injected through the library",
                "name": "x",
                "email": "x@example.org",
            },
        )
        assert response.status_code in (403, 404)
    assert Submission.objects.count() == before
