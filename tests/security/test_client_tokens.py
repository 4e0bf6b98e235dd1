"""Idempotency tokens are scoped to one consultation and one participant.

``submit`` used to return any submission with the same ``client_token``: posting
``client_token=townhall-question-6`` replaced a town-hall question in the record, and
``demo-0`` returned someone else's receipt code.
"""

from __future__ import annotations

import pytest
from django.test import Client

from consult.models import Submission
from consult.services import SubmissionInput, submit

pytestmark = pytest.mark.django_db


def _form(page, token, text="Same words.", **extra):
    clause = page.current_version().clauses.first()
    return {
        "clause_id": clause.pk,
        "stance": "oppose",
        "text": text,
        "stakeholder": "individual",
        "language": "en",
        "display_mode": "pseudonymous",
        "client_token": token,
        **extra,
    }


def _post(client, page, data):
    return client.post(f"/consultations/{page.pk}/comment/", data, HTTP_ACCEPT="application/json")


def test_a_resend_by_the_same_participant_is_the_same_submission(demo):
    client = Client()
    first = _post(client, demo, _form(demo, "tok-resend"))
    again = _post(client, demo, _form(demo, "tok-resend"))
    assert first.status_code == 201 and again.status_code in (200, 201)
    assert first.json()["receipt_code"] == again.json()["receipt_code"]
    assert Submission.objects.filter(comment="Same words.").count() == 1


def test_another_participant_with_the_same_token_gets_their_own_submission(demo):
    a, b = Client(), Client()
    first = _post(a, demo, _form(demo, "tok-shared"))
    second = _post(b, demo, _form(demo, "tok-shared"))
    assert first.status_code == 201 and second.status_code == 201
    assert first.json()["receipt_code"] != second.json()["receipt_code"]
    assert Submission.objects.filter(comment="Same words.").count() == 2


def test_same_token_with_different_words_is_a_conflict(demo):
    client = Client()
    assert _post(client, demo, _form(demo, "tok-edit")).status_code == 201
    response = _post(client, demo, _form(demo, "tok-edit", text="Other words."))
    assert response.status_code == 409
    assert "different" in response.json()["errors"]["client_token"][0]
    assert not Submission.objects.filter(comment="Other words.").exists()


def test_server_made_tokens_cannot_be_claimed_by_clients(demo):
    """The demo's own submissions carry server tokens ("demo-0", "townhall-question-N")."""
    theirs = Submission.objects.order_by("pk").first()
    for token in ("demo-0", "demo-reply-0", "townhall-question-1", "voice-x"):
        response = _post(Client(), demo, _form(demo, token, text=f"mine {token}"))
        assert response.status_code == 201, response.content
        assert response.json()["receipt_code"] != theirs.receipt_code
        assert Submission.objects.get(comment=f"mine {token}")


def test_a_token_is_scoped_to_its_consultation(demo):
    from tests.consult.test_comments import make_consultation

    other = make_consultation(slug="other-rules")
    client = Client()
    first = _post(client, demo, _form(demo, "tok-two-places"))
    second = _post(client, other, _form(other, "tok-two-places"))
    assert second.status_code == 201
    assert first.json()["receipt_code"] != second.json()["receipt_code"]


def test_town_hall_record_is_not_replaced_by_a_client_token(demo):
    """A question recorded from the town hall cannot be answered for by a client post."""
    recorded = Submission.objects.filter(consultation=demo, source="town_hall").first()
    if recorded is None:
        pytest.skip("the demo has no town-hall submission recorded")
    before = (recorded.comment, recorded.receipt_code)
    for n in range(1, 12):
        _post(Client(), demo, _form(demo, f"townhall-question-{n}", text=f"fake {n}"))
    recorded.refresh_from_db()
    assert (recorded.comment, recorded.receipt_code) == before


def test_services_scope_by_participant(demo):
    data = SubmissionInput(
        text="Scoped.", stance="oppose", stakeholder="individual", client_token="t-1"
    )
    one = submit(demo, data, participant_key="a:one")
    two = submit(demo, data, participant_key="a:two")
    same = submit(demo, data, participant_key="a:one")
    assert one.pk != two.pk and one.pk == same.pk
