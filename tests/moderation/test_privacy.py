"""Participants' data: JSON download (account or receipt code) and account deletion."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User

from consult.models import AuditLog, Submission
from consult.services import SubmissionInput, submit
from moderation import services
from moderation.privacy import DELETED_TEXT

pytestmark = pytest.mark.django_db


def _submit(page, user, text):
    return submit(
        page,
        SubmissionInput(
            text=text,
            stance="oppose",
            stakeholder="individual",
            display_mode="named",
            name="Ayesha Khan",
            email="ayesha@example.org",
        ),
        user,
    )


@pytest.fixture
def participant():
    return User.objects.create_user(
        "ayesha", "ayesha@example.org", "pw-123456789", first_name="Ayesha", last_name="Khan"
    )


def test_download_everything_as_json(client, demo, participant):
    mine = _submit(demo, participant, "Clause 9 is wrong; call 0300-1234567.")
    assert client.get("/my-data/download.json").status_code == 302  # login first
    client.force_login(participant)
    response = client.get("/my-data/download.json")
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert data["account"]["email"] == "ayesha@example.org"
    [exported] = data["submissions"]
    assert exported["receipt_code"] == mine.receipt_code
    assert exported["text_as_submitted"] == "Clause 9 is wrong; call 0300-1234567."
    assert exported["text_shown_publicly"] == "Clause 9 is wrong; call [phone removed]."


def test_receipt_code_downloads_only_that_submission(client, demo):
    s = submit(
        demo, SubmissionInput(text="Paper form text.", stance="support", stakeholder="individual")
    )
    data = client.get("/my-data/receipt.json", {"code": s.receipt_code.lower()}).json()
    assert data["receipt_code"] == s.receipt_code and data["text_shown_publicly"] == (
        "Paper form text."
    )
    full = client.post(
        "/my-data/receipt.json", {"code": s.receipt_code, "secret": s.receipt_secret}
    ).json()
    assert full["text_as_submitted"] == "Paper form text."
    missing = client.get("/my-data/receipt.json", {"code": "ZZZZ-ZZZZ-ZZZZ"})
    assert missing.status_code == 404 and "No submission" in missing.json()["error"]


def test_delete_account_keeps_published_under_pseudonym_and_erases_the_rest(
    client, demo, participant
):
    moderator = User.objects.create_superuser("boss", "boss@example.org", "pw-123456789")
    published = _submit(demo, participant, "Clause 3(1) is fine by me.")
    held = _submit(demo, participant, "Buy cheap http://a.biz http://b.xyz http://c.top")
    removed = _submit(demo, participant, "Off topic musings about cricket.")
    services.decide(removed, action="remove", reason="off_topic", moderator=moderator)
    client.force_login(participant)
    assert "pseudonym" in client.get("/my-data/delete/").content.decode()
    refused = client.post("/my-data/delete/", {}, follow=True)
    assert "Tick the box" in refused.content.decode()
    response = client.post("/my-data/delete/", {"confirm": "yes"})
    assert "1 published submission(s) kept under a pseudonym" in response.content.decode()
    assert not User.objects.filter(username="ayesha").exists()

    published.refresh_from_db()
    assert published.comment == "Clause 3(1) is fine by me." and published.is_public
    assert published.user_id is None and published.user_name == "" and published.user_email == ""
    assert published.public_name.startswith("Participant ")
    for gone in (held, removed):
        gone.refresh_from_db()
        assert gone.comment == DELETED_TEXT and gone.original_text == ""
        assert gone.user_email == "" and gone.user_name == ""
    assert not AuditLog.objects.filter(before_text__contains="cricket").exists()
    assert not Submission.objects.filter(user_email="ayesha@example.org").exists()


def test_privacy_page_says_what_is_kept(client):
    body = client.get("/privacy/").content.decode()
    assert "stay in the public record" in body and "pseudonym" in body
    assert client.get("/ur/privacy/").status_code == 200
