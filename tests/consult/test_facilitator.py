"""The facilitator screen: facilitators only; paper and phone submissions go through
services.submit, marked with their source and with who entered them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from consult import roles
from consult.models import Source, Submission
from consult.services import entered_by


@pytest.fixture
def facilitator(django_user_model, demo):
    user = django_user_model.objects.create_user("fatima", password="a-long-password-1")
    user.groups.add(Group.objects.get_or_create(name=roles.FACILITATOR)[0])
    return user


def _url(demo, prefix=""):
    return f"{prefix}/{demo.slug}/facilitate/"


def _post_data(demo, **overrides):
    clause = demo.current_version().clauses.all()[2]
    data = {
        "source": "paper",
        "clause": str(clause.pk),
        "stance": "amend",
        "stakeholder": "individual",
        "organisation": "",
        "language": "ur",
        "text": "یہ شق دیہی علاقوں کے لوگوں کے لیے واضح نہیں ہے۔",
        "proposed_wording": "",
        "name": "Bilal",
        "display_mode": "pseudonymous",
        "client_token": "paper-0001",
    }
    data.update(overrides)
    return data


def test_anonymous_visitor_is_sent_to_login(client, demo):
    response = client.get(_url(demo))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_non_facilitator_is_refused(client, demo, django_user_model):
    user = django_user_model.objects.create_user("someone", password="a-long-password-1")
    client.force_login(user)
    assert client.get(_url(demo)).status_code == 403
    assert client.post(_url(demo), _post_data(demo)).status_code == 403
    assert not Submission.objects.filter(client_token="paper-0001").exists()


@pytest.mark.parametrize("source", [Source.PAPER, Source.PHONE])
def test_facilitator_enters_paper_and_phone_submissions(client, demo, facilitator, source):
    client.force_login(facilitator)
    response = client.post(
        _url(demo), _post_data(demo, source=source.value, client_token=f"t-{source}")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    submission = Submission.objects.filter(source=source).latest("pk")
    assert submission.source == source
    assert submission.user is None  # the participant is the author
    assert submission.user_name == "Bilal"
    assert submission.language == "ur"
    assert submission.clause == demo.current_version().clauses.all()[2]
    assert entered_by(submission) == facilitator
    follow = client.get(response["Location"])
    assert submission.receipt_code in follow.content.decode()


def test_double_submit_is_one_submission(client, demo, facilitator):
    client.force_login(facilitator)
    before = Submission.objects.count()
    client.post(_url(demo), _post_data(demo))
    client.post(_url(demo), _post_data(demo))
    assert Submission.objects.count() == before + 1


def test_bad_input_is_explained_in_urdu(client, demo, facilitator):
    client.force_login(facilitator)
    response = client.post(
        _url(demo, "/ur"), _post_data(demo, text="", stakeholder="business", organisation="")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="ur" dir="rtl">' in body
    with translation.override("ur"):
        assert translation.gettext("Enter a paper or phone submission") in body
        assert translation.gettext("This field is required.") in body
    assert not Submission.objects.filter(client_token="paper-0001").exists()


def test_service_errors_reach_the_form(client, demo, facilitator):
    client.force_login(facilitator)
    response = client.post(_url(demo), _post_data(demo, stakeholder="business", organisation=""))
    assert response.status_code == 200
    assert "Organisations must give their name" in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_facilitator_screen_keyboard_only_and_accessible(live_server, demo, browser):
    """Filled with the keyboard alone, with JavaScript off; axe-core finds nothing."""
    for lang in ("en", "ur"):
        _keyboard_only_entry(live_server, demo, browser, lang)


def _keyboard_only_entry(live_server, demo, browser, lang):
    from django.contrib.auth.models import User
    from django.test import Client

    from tests.a11y import assert_no_axe_violations

    user = User.objects.create_user(f"fac-{lang}", password="a-long-password-1")
    user.groups.add(Group.objects.get_or_create(name=roles.FACILITATOR)[0])
    django_client = Client()
    django_client.force_login(user)
    cookie = {
        "name": "sessionid",
        "value": django_client.cookies["sessionid"].value,
        "url": live_server.url,
    }
    prefix = "/ur" if lang == "ur" else ""
    url = live_server.url + _url(demo, prefix)

    context = browser.new_context()
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(url)
    assert_no_axe_violations(page)
    context.close()

    context = browser.new_context(java_script_enabled=False)
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(url)
    page.locator("#id_source_1").focus()  # the "phone" radio
    page.keyboard.press("Space")
    page.locator("#id_text").focus()
    page.keyboard.type("Phoned in: please define 'high-risk' in plain words.")
    page.keyboard.press("Tab")  # proposed wording
    page.keyboard.press("Tab")  # name
    page.keyboard.type(f"Caller {lang}")
    page.locator("button[type=submit]").focus()
    page.keyboard.press("Enter")
    page.locator("p.messages[role=status]").wait_for()
    submission = Submission.objects.get(user_name=f"Caller {lang}")
    assert submission.source == Source.PHONE
    assert entered_by(submission) == user
    assert submission.receipt_code in page.locator("p.messages[role=status]").inner_text()
    context.close()
