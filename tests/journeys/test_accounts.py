"""Participants' accounts: sign up and sign in with an e-mail address and a one-time code
(django-allauth, mail through Django's backend, nothing sent to another host), in both
languages; then "my data" and deleting the account work. Taking part needs no account."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail

from consult.models import Submission
from tests.consult.test_comments import form_data, make_consultation, post

pytestmark = pytest.mark.django_db


def code_in_last_mail() -> str:
    body = mail.outbox[-1].body
    codes = [
        line.strip() for line in body.splitlines() if re.fullmatch(r"[A-Z0-9-]{4,12}", line.strip())
    ]
    assert codes, body
    return codes[0]


def sign_up(client, email: str, prefix: str = "") -> None:
    response = client.post(f"{prefix}/accounts/signup/", {"email": email})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"])
    assert page.status_code == 200
    response = client.post(response["Location"], {"code": code_in_last_mail()})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_my_data_sends_an_anonymous_visitor_to_a_sign_in_page_that_exists(client):
    response = client.get("/my-data/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/code/?next=/my-data/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sign in with your e-mail address" in html and 'name="email"' in html

    urdu = client.get("/ur/my-data/")
    assert urdu["Location"].startswith("/ur/accounts/login/code/?next=/ur/my-data/")
    html = client.get(urdu["Location"]).content.decode()
    assert '<html lang="ur" dir="rtl">' in html
    assert "اپنے ای میل پتے سے سائن اِن کریں" in html


def test_sign_up_by_code_then_sign_in_by_code_then_my_data_and_delete(client):
    sign_up(client, "ayesha@example.org")
    assert mail.outbox[-1].to == ["ayesha@example.org"]
    user = User.objects.get(email="ayesha@example.org")
    assert not user.has_usable_password()

    # A comment sent while signed in is the participant's own.
    page = make_consultation()
    post(client, page, form_data(page, text="Signed-in comment on clause 2."))
    mine = Submission.objects.get(comment="Signed-in comment on clause 2.")
    assert mine.user == user

    client.post("/accounts/logout/")
    assert client.get("/my-data/").status_code == 302

    response = client.post(
        "/accounts/login/code/?next=/my-data/", {"email": "AYESHA@example.org", "next": "/my-data/"}
    )
    assert response.status_code == 302
    wrong = client.post(response["Location"], {"code": "XXXXXX", "next": "/my-data/"})
    assert "That code is not right" in wrong.content.decode()
    response = client.post(response["Location"], {"code": code_in_last_mail(), "next": "/my-data/"})
    assert response.status_code == 302 and response["Location"] == "/my-data/"

    html = client.get("/my-data/").content.decode()
    assert mine.receipt_code in html and "ayesha@example.org" in html
    assert "/my-data/download.json" in html and "/my-data/delete/" in html
    data = client.get("/my-data/download.json").json()
    assert data["submissions"][0]["receipt_code"] == mine.receipt_code

    done = client.post("/my-data/delete/", {"confirm": "yes"})
    assert done.status_code == 200
    assert not User.objects.filter(email="ayesha@example.org").exists()


def test_urdu_sign_up_keeps_urdu_and_the_mail_is_in_urdu(client):
    response = client.post("/ur/accounts/signup/", {"email": "bilal@example.org"})
    assert response.status_code == 302 and response["Location"].startswith("/ur/")
    html = client.get(response["Location"]).content.decode()
    assert '<html lang="ur" dir="rtl">' in html and "ای میل" in html
    assert "کوڈ" in mail.outbox[-1].body
    response = client.post(response["Location"], {"code": code_in_last_mail()})
    assert response["Location"].startswith("/ur/my-data/")


def test_taking_part_needs_no_account(client):
    page = make_consultation()
    response = post(client, page, form_data(page, text="No account needed."))
    assert response.status_code == 302
    assert Submission.objects.get(comment="No account needed.").user is None


def test_a_staff_account_made_in_the_wagtail_admin_signs_in_with_an_e_mail_code(client):
    """An administrator adds a moderator in Wagtail's own user form (no allauth e-mail
    record is made there): the moderator signs in with a code sent to that address, as
    the role journeys' accounts do."""
    from django.contrib.auth.models import Group

    from consult import roles

    User.objects.create_superuser("root", "root@example.org", "pw-long-enough-for-tests-1")
    client.login(username="root", password="pw-long-enough-for-tests-1")
    moderators = Group.objects.get(name=roles.MODERATOR)
    response = client.post(
        "/admin/users/new/",
        {
            "username": "moderator-zara",
            "email": "zara@example.org",
            "first_name": "Zara",
            "last_name": "K",
            "password1": "a-long-password-for-zara-1",
            "password2": "a-long-password-for-zara-1",
            "groups": [moderators.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    client.post("/accounts/logout/")
    client.logout()

    response = client.post("/accounts/login/code/", {"email": "zara@example.org"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert mail.outbox[-1].to == ["zara@example.org"]
    response = client.post(response["Location"], {"code": code_in_last_mail()})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/my-data/", response["Location"]
    assert client.get("/admin/moderation/").status_code == 200
