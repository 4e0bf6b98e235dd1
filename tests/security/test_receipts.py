"""Receipts that protect: unguessable codes, pseudonyms not derived from them, a receipt
that shows only the public text, and a full export that needs a second secret."""

from __future__ import annotations

import math
import re

import pytest

from consult.models import RECEIPT_ALPHABET, Submission
from consult.services import SubmissionInput, submit

pytestmark = pytest.mark.django_db

CNIC, PHONE, EMAIL = "35202-7654321-3", "0333-1112223", "ayesha.k@example.org"


def _comment(page, text="Clause 2 is too broad.", **extra):
    return submit(
        page,
        SubmissionInput(text=text, stance="oppose", stakeholder="individual", **extra),
    )


def test_receipt_codes_have_at_least_60_bits_in_groups_of_four(demo):
    codes = {_comment(demo, f"comment {n}").receipt_code for n in range(20)}
    assert len(codes) == 20
    for code in codes:
        groups = code.split("-")
        assert all(len(group) == 4 for group in groups), code
        letters = "".join(groups)
        assert set(letters) <= set(RECEIPT_ALPHABET)
        assert len(letters) * math.log2(len(RECEIPT_ALPHABET)) >= 60
    assert not set("01IO") & set(RECEIPT_ALPHABET)  # no look-alikes


def test_pseudonym_is_not_part_of_the_receipt_code(demo):
    for n in range(10):
        s = _comment(demo, f"pseudonymous {n}")
        alias = s.public_name.removeprefix("Participant ").strip()
        assert alias
        letters = s.receipt_code.replace("-", "")
        assert alias not in letters, (alias, s.receipt_code)
        assert Submission.objects.get(pk=s.pk).public_name == s.public_name  # stable


def test_receipt_lookup_accepts_how_people_write_it(client, demo):
    s = _comment(demo)
    written = s.receipt_code.replace("-", " ").lower()
    body = client.get("/receipt/", {"code": f"  {written} "}).content.decode()
    assert 'data-status="published"' in body


def test_receipt_never_shows_the_original_or_contact_details(client, demo):
    s = _comment(
        demo,
        f"My CNIC is {CNIC} and my cell is {PHONE}.",
        name="Ayesha Khan",
        email=EMAIL,
        display_mode="named",
    )
    page = client.get("/receipt/", {"code": s.receipt_code})
    data = client.get("/my-data/receipt.json", {"code": s.receipt_code})
    for response in (page, data):
        body = response.content.decode()
        assert response.status_code == 200
        assert CNIC not in body and PHONE not in body and EMAIL not in body
        assert "[CNIC removed]" in body  # the public (redacted) text is shown
        assert "no-store" in response["Cache-Control"]
    exported = data.json()
    assert exported["status"] == "published"
    assert "text_as_submitted" not in exported and "email" not in exported


def test_full_export_needs_the_second_secret(client, demo):
    s = _comment(demo, f"My CNIC is {CNIC}.", email=EMAIL)
    secret = s.receipt_secret
    assert secret and secret.replace("-", "") not in s.receipt_code.replace("-", "")
    url = "/my-data/receipt.json"
    wrong = client.post(url, {"code": s.receipt_code, "secret": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 404  # counted as a wrong guess
    assert CNIC not in wrong.content.decode()
    right = client.post(url, {"code": s.receipt_code, "secret": secret.lower()})
    assert right.status_code == 200
    assert "no-store" in right["Cache-Control"]
    assert right.json()["text_as_submitted"] == f"My CNIC is {CNIC}."
    assert right.json()["email"] == EMAIL
    # The secret is not stored as given.
    row = Submission.objects.get(pk=s.pk)
    assert secret not in str(row.__dict__)


def test_confirmation_page_shows_code_and_secret_once_and_not_in_the_url(client, demo):
    clause = demo.current_version().clauses.first()
    response = client.post(
        f"/consultations/{demo.pk}/comment/",
        {
            "clause_id": clause.pk,
            "stance": "support",
            "text": "A comment to confirm.",
            "stakeholder": "individual",
            "language": "en",
            "display_mode": "pseudonymous",
            "client_token": "tok-confirm",
        },
    )
    assert response.status_code == 302
    s = Submission.objects.order_by("-pk").first()
    assert s.receipt_code not in response["Location"]
    page = client.get(response["Location"])
    body = page.content.decode()
    assert s.receipt_code in body
    assert "no-store" in page["Cache-Control"]
    secret = re.search(r'class="receipt-secret"[^>]*>([^<]+)<', body).group(1)
    ok = client.post("/my-data/receipt.json", {"code": s.receipt_code, "secret": secret})
    assert ok.status_code == 200 and ok.json()["text_as_submitted"] == "A comment to confirm."
    # Shown once: reloading the page does not show it again.
    assert secret not in client.get(response["Location"]).content.decode()


def test_json_clients_get_the_secret(client, demo):
    clause = demo.current_version().clauses.first()
    response = client.post(
        f"/consultations/{demo.pk}/comment/",
        {
            "clause_id": clause.pk,
            "stance": "support",
            "text": "From a script.",
            "stakeholder": "individual",
            "language": "en",
            "display_mode": "pseudonymous",
        },
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201
    data = response.json()
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){2}", data["receipt_code"])
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){2}", data["receipt_secret"])
    assert "no-store" in response["Cache-Control"]


def test_a_confirmed_voice_note_shows_its_secret_once(client, demo, django_user_model):
    from django.contrib.auth.models import Group

    from consult import roles
    from consult.voice.models import VoiceNote

    reviewer = django_user_model.objects.create_user("voice-reviewer", password="pw-123456789")
    reviewer.groups.add(Group.objects.get(name=roles.MODERATOR))
    client.force_login(reviewer)
    note = VoiceNote.objects.create(
        consultation=demo,
        stance="oppose",
        stakeholder="individual",
        status="ready",
        transcript={"text": "Spoken words.", "segments": []},
    )
    url = f"/voice/note/{note.public_id}/"
    response = client.post(url, {"text": "Spoken words, corrected."})
    assert response.status_code == 302
    page = client.get(url)
    assert "no-store" in page["Cache-Control"]
    body = page.content.decode()
    secret = re.search(r'class="receipt-secret"[^>]*>([^<]+)<', body).group(1)
    note.refresh_from_db()
    code = note.submission.receipt_code
    assert code in body
    full = client.post("/my-data/receipt.json", {"code": code, "secret": secret})
    assert full.status_code == 200 and full.json()["text_as_submitted"] == (
        "Spoken words, corrected."
    )
    assert secret not in client.get(url).content.decode()
