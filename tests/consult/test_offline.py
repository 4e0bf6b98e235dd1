"""Offline-tolerant writing in real Chromium: a comment written while offline is kept on the
device, announced, and sent once when the connection returns, with the same client token."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import translation

from consult.models import Submission

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _stored(consultation, token: str) -> str:
    """How the test form's token is stored: scoped to its consultation (no participant)."""
    from consult.receipts import CLIENT, scoped_token

    return scoped_token(consultation.pk, "", token, CLIENT)


def _count(text):
    return Submission.objects.filter(comment=text).count()


@override_settings(ROOT_URLCONF="tests.offline_urls")
def test_offline_comment_is_kept_and_sent_once(live_server, demo, browser):
    for lang, prefix in (("en", ""), ("ur", "/ur")):
        _offline_round_trip(live_server, demo, browser, lang, prefix)
    _resent_on_next_page_load(live_server, browser)


def _offline_round_trip(live_server, demo, browser, lang, prefix):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}{prefix}/test-offline/")
    text = f"Written on a bus with no signal ({lang})."
    page.fill("#id_text", text)
    context.set_offline(True)
    page.click("button[type=submit]")
    status = page.locator("[data-offline-status]")
    status.wait_for()
    page.wait_for_function(
        "() => document.querySelector('[data-offline-status]').dataset.state === 'saved'"
    )
    with translation.override(lang):
        assert status.inner_text() == translation.gettext(
            "No connection. Your submission is saved on this device and will be sent when "
            "you are back online."
        )
    assert status.get_attribute("role") == "status"
    assert _count(text) == 0
    queued = page.evaluate("() => window.consultOfflineQueue.pending()")
    assert len(queued) == 1 and queued[0]["token"]
    token = queued[0]["token"]

    context.set_offline(False)  # fires `online`; the queue flushes
    page.wait_for_function(
        "() => document.querySelector('[data-offline-status]').dataset.state === 'sent'"
    )
    assert _count(text) == 1
    assert Submission.objects.get(comment=text).client_token == _stored(demo, token)
    assert page.evaluate("() => window.consultOfflineQueue.pending()") == []
    # A second flush (e.g. another tab) sends nothing twice.
    page.evaluate("() => window.consultOfflineQueue.flush()")
    page.reload()
    assert _count(text) == 1
    context.close()


def _resent_on_next_page_load(live_server, browser):
    """Offline, the page is closed; next time the site is opened, the queue is sent."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/test-offline/")
    text = "Saved, then the phone was put away."
    page.fill("#id_text", text)
    context.set_offline(True)
    page.click("button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('[data-offline-status]').dataset.state === 'saved'"
    )
    page.close()
    context.set_offline(False)
    assert _count(text) == 0
    page = context.new_page()
    page.goto(f"{live_server.url}/receipt/")  # any page of the site
    page.wait_for_function(
        "() => (document.querySelector('[data-offline-status]') || {dataset: {}})"
        ".dataset.state === 'sent'"
    )
    assert _count(text) == 1
    context.close()


@override_settings(ROOT_URLCONF="tests.offline_urls")
def test_online_submission_goes_straight_through(live_server, demo, browser):
    """With a connection the form posts normally (JS on: fetch, then follow the redirect)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/test-offline/")
    page.fill("#id_text", "Sent while online.")
    page.click("button[type=submit]")
    page.wait_for_url("**/test-offline/?sent=1")
    assert _count("Sent while online.") == 1
    stored = Submission.objects.get(comment="Sent while online.").client_token
    assert stored and len(stored) == 64  # the scoped digest of the page's token
    context.close()

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/test-offline/")
    page.fill("#id_text", "Sent without JavaScript.")
    page.click("button[type=submit]")
    page.wait_for_url("**/test-offline/?sent=1")
    assert _count("Sent without JavaScript.") == 1
    context.close()
