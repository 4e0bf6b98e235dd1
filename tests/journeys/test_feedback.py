"""Honest feedback: a held comment says it waits for review; over the rate limit the page
keeps what was typed and says when to send it, in the page's language; a failed voice
upload costs nothing; every published comment has a reply form that posts through the one
submit service."""

from __future__ import annotations

import pytest

from cms.models import ConsultationPage
from consult.models import Submission
from tests.consult.test_comments import clause, form_data, make_consultation, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(db):
    return make_consultation()


def test_a_held_comment_is_told_it_waits_for_review(client, db):
    page = make_consultation(slug="pre-rules")
    page.moderation_mode = ConsultationPage.ModerationMode.PRE
    page.save_revision().publish()
    response = post(client, page, form_data(page, text="Held until a moderator looks."))
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    held = Submission.objects.get(comment="Held until a moderator looks.")
    assert not held.is_public
    assert "waiting for a moderator" in html and "Thank you. Your comment is published" not in html
    assert held.receipt_code in html


def test_over_the_limit_the_typed_comment_stays_and_the_wait_is_said_in_urdu(
    client, consultation, settings
):
    settings.MODERATION_RATE_LIMITS = {"comment": {"participant": (1, 600)}}
    url = f"/ur/consultations/{consultation.pk}/comment/"
    assert client.post(url, form_data(consultation, text="پہلی رائے")).status_code == 302
    response = client.post(
        url,
        form_data(consultation, text="دوسری رائے جو میں نے لکھی", proposed_wording="چودہ دن"),
    )
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert '<html lang="ur" dir="rtl">' in html
    assert "دوسری رائے جو میں نے لکھی</textarea>" in html  # what was typed, kept
    assert "چودہ دن</textarea>" in html
    assert "براہِ کرم" in html and "data-retry-message" in html  # when, in Urdu
    assert 'href="/ur/test-rules/"' in html
    assert 'name="client_token"' in html and 'value="oppose" required checked' in html
    # Scripts still get JSON.
    scripted = client.post(url, form_data(consultation), HTTP_ACCEPT="application/json")
    assert scripted.status_code == 429 and scripted.json()["retry_after"] > 0


def test_failed_voice_uploads_cost_nothing_against_the_limit(client, consultation, settings):
    settings.MODERATION_RATE_LIMITS = {"upload": {"participant": (2, 3600)}}
    url = f"/voice/{consultation.slug}/record/"
    for _ in range(4):  # no file, no consent: refused, not counted
        assert client.post(url, {"stance": "support"}).status_code == 400


def test_counted_only_when_accepted(rf, settings):
    """The decorator counts a POST only when ``counts`` accepts its answer."""
    from django.contrib.sessions.backends.cache import SessionStore
    from django.http import HttpResponse

    from consult.ratelimit import rate_limited

    settings.MODERATION_RATE_LIMITS = {"upload": {"participant": (2, 3600)}}
    answers = iter([400, 400, 302, 302, 400])
    view = rate_limited("upload", counts=lambda r: r.status_code < 400)(
        lambda request: HttpResponse(status=next(answers))
    )
    request = rf.post("/x/")
    request.session = SessionStore()
    request.user = type("Anon", (), {"is_authenticated": False, "pk": None})()
    assert [view(request).status_code for _ in range(5)] == [400, 400, 302, 302, 429]


def test_every_published_comment_has_a_reply_form_through_the_submit_service(client, consultation):
    post(client, consultation, form_data(consultation, text="Thirty days is too long."))
    parent = Submission.objects.get(comment="Thirty days is too long.")
    html = client.get(consultation.url).content.decode()
    reply_link = f"?clause={parent.clause.key}&amp;reply={parent.pk}#comment-form"
    assert reply_link in html
    page = client.get(f"{consultation.url}?clause={parent.clause.key}&reply={parent.pk}")
    form = page.content.decode()
    assert f'name="parent_id" value="{parent.pk}"' in form
    assert "Your reply to" in form and "Thirty days is too long." in form
    assert 'name="stance"' in form and 'name="stakeholder"' in form
    response = post(
        client,
        consultation,
        form_data(consultation, text="Agreed, fourteen is enough.", parent_id=parent.pk),
    )
    assert response.status_code == 302
    reply = Submission.objects.get(comment="Agreed, fourteen is enough.")
    assert reply.parent_id == parent.pk and reply.level == 1
    assert response["Location"].endswith(f"#comment-{reply.pk}")
    # A bad or hidden id gives the plain form, not an error.
    assert client.get(f"{consultation.url}?clause=c-2&reply=99999").status_code == 200
    assert client.get(f"{consultation.url}?clause=c-2&reply=x").status_code == 200
    # No reply links on a closed consultation.
    assert clause(consultation, "2")
    consultation.phase = ConsultationPage.Phase.CLOSED
    consultation.save_revision().publish()
    assert "reply=" not in client.get(consultation.url).content.decode()
