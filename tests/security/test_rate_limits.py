"""Abuse limits that hold behind proxies and carrier-grade NAT: who is counted (the client
address from the rightmost untrusted hop, the participant before the address), repeated
text held for review, town-hall limits across reconnects, votes per question per address,
receipt guessing, and the honeypot on public forms."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.core.cache import cache
from django.test import Client as HttpClient
from django.test import RequestFactory

from consult.models import Screening, Submission
from consult.ratelimit import client_ip, client_ip_from_scope
from tests.consult.test_comments import form_data, make_consultation, post
from tests.live.conftest import hall, layer  # noqa: F401 - fixtures
from tests.live.helpers import Client as LiveClient
from tests.live.helpers import session_for, start

PROXY = "10.0.0.7"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def consultation(db):
    return make_consultation()


# --- the client address ------------------------------------------------------------------


def test_forged_first_forwarded_entry_does_not_change_the_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    factory = RequestFactory()
    seen = {
        client_ip(
            factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.5")
        )
        for forged in ("1.1.1.1", "2.2.2.2", "not-an-address", "")
    }
    assert seen == {"203.0.113.5"}


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_ip(request) == PROXY


def test_two_trusted_proxies_take_the_second_hop_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.5, 10.0.0.2"
    )
    assert client_ip(request) == "203.0.113.5"
    # Fewer hops than trusted proxies: the nearest one we know, never a forged entry.
    short = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="10.0.0.2")
    assert client_ip(short) == "10.0.0.2"


def test_websocket_scope_uses_the_same_rule(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    scope = {
        "client": (PROXY, 5555),
        "headers": [(b"x-forwarded-for", b"6.6.6.6, 203.0.113.5")],
    }
    assert client_ip_from_scope(scope) == "203.0.113.5"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip_from_scope(scope) == PROXY


def test_forged_first_entry_does_not_give_a_new_budget(consultation, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.MODERATION_RATE_LIMITS = {"comment": {"participant": (50, 600), "address": (3, 600)}}
    statuses = []
    for n in range(5):
        fresh = HttpClient()  # a fresh session each time: only the address can count
        response = post(
            fresh,
            consultation,
            form_data(consultation, client_token=f"forged-{n}", text=f"Point number {n}."),
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"198.18.0.{n}, 203.0.113.5",
        )
        statuses.append(response.status_code)
    assert statuses == [302, 302, 302, 429, 429]


# --- per participant first, then per address ------------------------------------------------


def test_two_participants_behind_one_proxy_are_limited_separately(consultation, settings):
    settings.TRUSTED_PROXY_COUNT = 0  # every post arrives from the proxy's address
    settings.MODERATION_RATE_LIMITS = {"comment": {"participant": (2, 600), "address": (200, 600)}}
    alice, bob = HttpClient(), HttpClient()
    for browser in (alice, bob):
        browser.get(consultation.url)  # the page visit gives the session its participant id

    def send(browser, n):
        data = form_data(consultation, client_token=f"p-{id(browser)}-{n}", text=f"Text {n}")
        return post(browser, consultation, data, REMOTE_ADDR=PROXY).status_code

    assert [send(alice, n) for n in range(3)] == [302, 302, 429]
    assert [send(bob, n) for n in range(3)] == [302, 302, 429]


def test_signed_in_participant_is_limited_by_account(consultation, settings, django_user_model):
    settings.MODERATION_RATE_LIMITS = {"comment": {"participant": (2, 600), "address": (200, 600)}}
    user = django_user_model.objects.create_user("amina", password="pw")
    statuses = []
    for n in range(3):
        browser = HttpClient()  # a new session each time, the same account
        browser.force_login(user)
        data = form_data(consultation, client_token=f"acct-{n}", text=f"Account {n}")
        statuses.append(post(browser, consultation, data).status_code)
    assert statuses == [302, 302, 429]


# --- the 429 itself ----------------------------------------------------------------------------


def test_limited_comment_form_answers_a_usable_page_in_the_page_language(consultation, settings):
    settings.MODERATION_RATE_LIMITS = {"comment": {"participant": (1, 600), "address": (1, 600)}}
    browser = HttpClient()
    post(browser, consultation, form_data(consultation, client_token="lang-0"))
    url = f"/ur/consultations/{consultation.pk}/comment/"  # the Urdu page's form posts here
    response = browser.post(url, form_data(consultation, client_token="lang-1"))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert 'lang="ur"' in body and f'href="{consultation.url}"' in body
    assert "too often" not in body and "Go back" not in body  # Urdu, not English


def test_limited_json_client_gets_json_with_retry_after(consultation, settings):
    settings.MODERATION_RATE_LIMITS = {"comment": {"participant": (1, 600), "address": (1, 600)}}
    browser = HttpClient()
    post(
        browser,
        consultation,
        form_data(consultation, client_token="j-0"),
        HTTP_ACCEPT="application/json",
    )
    response = post(
        browser,
        consultation,
        form_data(consultation, client_token="j-1"),
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 429
    data = response.json()
    assert data["retry_after"] == int(response["Retry-After"]) > 0
    assert data["error"]


# --- the same text posted many times -----------------------------------------------------------


def test_identical_text_flood_is_held_with_a_reason_and_still_counted(consultation, settings):
    # Hour-long windows: django-ratelimit's windows are fixed, so a slow run that crossed
    # a window's end would start counting again (likely why one loaded run failed).
    settings.MODERATION_RATE_LIMITS = {
        "comment": {"participant": (1000, 600), "address": (1000, 600)},
        "repeated_text": {"consultation": (3, 3600)},
    }
    text = "Withdraw   clause 2 NOW!"
    variants = [text, text.lower(), "withdraw clause 2 now", "WITHDRAW CLAUSE 2 NOW!!"] * 3
    for n, variant in enumerate(variants):
        response = post(
            HttpClient(),
            consultation,
            form_data(consultation, client_token=f"flood-{n}", text=variant),
            REMOTE_ADDR=f"198.51.100.{n}",
        )
        assert response.status_code == 302  # held, never refused: nothing is lost
    flood = Submission.objects.filter(consultation=consultation, comment__in=set(variants))
    assert flood.count() == len(variants)
    assert flood.filter(is_public=True).count() == 3
    held = Screening.objects.filter(submission__in=flood, held=True)
    assert held.count() == len(variants) - 3
    assert all("duplicate" in s.hold_reasons and "same_text_flood" in s.flags for s in held)

    # Reviewed and approved, the flood is one campaign with every copy as a supporter.
    from analysis.campaigns import CampaignParams, describe_campaigns, group_submissions
    from analysis.services import load_corpus
    from moderation.services import decide

    moderator = _moderator()
    for submission in flood.filter(is_public=False):
        decide(submission, action="approve", reason="meets_rules", moderator=moderator)
    corpus = load_corpus(consultation)
    params = CampaignParams()
    from analysis.normalise import normalise

    grouping = group_submissions([normalise(t) for t in corpus.texts], params)
    campaigns = describe_campaigns(corpus, grouping, params)
    assert max(c["size"] for c in campaigns) == len(variants)


def _moderator():
    from consult import roles
    from tests.moderation.test_moderation import make_user

    return make_user("mod", roles.MODERATOR)


# --- town hall ---------------------------------------------------------------------------------


async def _joined(page, session_key, address="198.51.100.20"):
    client = LiveClient(page, session_key)
    client.comm.scope["client"] = (address, 40000)
    await client.connect()
    return client


async def test_reconnecting_does_not_reset_the_town_hall_limit(layer, hall, settings):  # noqa: F811
    # Hour-long windows: django-ratelimit's windows are fixed, so a slow run that crossed
    # a window's end would start counting again (likely why one loaded run failed).
    settings.MODERATION_RATE_LIMITS = {
        "question": {"participant": (2, 3600), "address": (100, 3600)}
    }
    fac = await _joined(
        hall, await database_sync_to_async(lambda: session_for(hall.facilitators.get()))()
    )
    await start(hall, fac)
    key = await database_sync_to_async(session_for)()
    replies = []
    for n in range(3):
        alice = await _joined(hall, key)  # the same session, a new connection each time
        replies.append(await alice.act("post_question", text=f"Question {n}"))
        await alice.close()
    assert [r["type"] for r in replies] == ["ack", "ack", "error"]
    assert replies[2]["code"] == "rate_limited"
    await fac.close()


async def test_fresh_sessions_from_one_address_cannot_stuff_one_question(layer, hall, settings):  # noqa: F811
    settings.MODERATION_RATE_LIMITS = {"vote": {"participant": (30, 10), "address": (600, 10)}}
    settings.LIVE_ANONYMOUS_VOTES_PER_QUESTION_PER_ADDRESS = 3
    fac = await _joined(
        hall, await database_sync_to_async(lambda: session_for(hall.facilitators.get()))()
    )
    await start(hall, fac)
    asker = await _joined(hall, await database_sync_to_async(session_for)(), "192.0.2.1")
    asked = await asker.act("post_question", text="Will the ministry publish the comments?")
    question_id = asked["result"]["question_id"]
    await fac.act("approve", question_id=question_id)
    replies = []
    for _ in range(6):
        sybil = await _joined(hall, await database_sync_to_async(session_for)())
        replies.append(await sybil.act("vote", question_id=question_id))
        await sybil.close()
    assert [r["type"] for r in replies] == ["ack"] * 3 + ["error"] * 3
    assert all(r["code"] == "rate_limited" for r in replies[3:])
    from consult.live.models import Vote

    votes = await database_sync_to_async(Vote.objects.filter(question_id=question_id).count)()
    assert votes == 3
    # Someone elsewhere still votes.
    other = await _joined(hall, await database_sync_to_async(session_for)(), "192.0.2.99")
    assert (await other.act("vote", question_id=question_id))["type"] == "ack"
    for client in (other, asker, fac):
        await client.close()


# --- receipt guessing ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/receipt/", "/my-data/receipt.json"])
def test_receipt_guessing_answers_429_after_the_stated_number(path, consultation, settings):
    settings.RECEIPT_WRONG_GUESSES_PER_ADDRESS = 5
    settings.RECEIPT_LOCKOUT_SECONDS = 60
    browser = HttpClient()
    statuses = [
        browser.get(path, {"code": f"ZZZZ-ZZ{n:02d}"}, REMOTE_ADDR="198.51.100.66").status_code
        for n in range(5)
    ]
    assert statuses == [404] * 5
    locked = browser.get(path, {"code": "ZZZZ-ZZ99"}, REMOTE_ADDR="198.51.100.66")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) >= 60
    # Another address still looks up.
    assert browser.get(path, {"code": "ZZZZ-ZZ98"}, REMOTE_ADDR="198.51.100.67").status_code == 404


def test_receipt_lockout_doubles(consultation, settings, monkeypatch):
    settings.RECEIPT_WRONG_GUESSES_PER_ADDRESS = 2
    settings.RECEIPT_LOCKOUT_SECONDS = 60
    from consult import ratelimit

    clock = [1_000_000.0]
    monkeypatch.setattr(ratelimit, "_now", lambda: clock[0])
    browser = HttpClient()

    def guess():
        return browser.get("/receipt/", {"code": "ZZZZ-ZZZZ"}, REMOTE_ADDR="198.51.100.70")

    assert [guess().status_code for _ in range(2)] == [404, 404]
    first = guess()
    assert first.status_code == 429 and 60 <= int(first["Retry-After"]) <= 61
    clock[0] += 61
    assert guess().status_code == 404  # served, and wrong again: the next pause is longer
    second = guess()
    assert second.status_code == 429 and 120 <= int(second["Retry-After"]) <= 121


def test_receipt_guessing_is_limited_site_wide(consultation, settings):
    settings.RECEIPT_WRONG_GUESSES_PER_ADDRESS = 1000
    settings.RECEIPT_WRONG_GUESSES_SITE_WIDE = 4
    browser = HttpClient()
    statuses = [
        browser.get("/receipt/", {"code": "ZZZZ-ZZZZ"}, REMOTE_ADDR=f"198.51.{n}.1").status_code
        for n in range(6)
    ]
    assert statuses == [404] * 4 + [429] * 2


def test_receipt_lockout_answers_in_the_page_language(consultation, settings):
    settings.RECEIPT_WRONG_GUESSES_PER_ADDRESS = 1
    browser = HttpClient()
    browser.get("/receipt/", {"code": "ZZZZ-ZZZZ"})
    english = browser.get("/receipt/", {"code": "ZZZZ-ZZZZ"})
    urdu = browser.get("/ur/receipt/", {"code": "ZZZZ-ZZZZ"})
    assert english.status_code == urdu.status_code == 429
    assert "Too many receipt codes" in english.content.decode()
    assert 'lang="ur"' in urdu.content.decode()
    assert "Too many receipt codes" not in urdu.content.decode()
    data = browser.get("/my-data/receipt.json", {"code": "ZZZZ-ZZZZ"})
    assert data.status_code == 429 and data.json()["retry_after"] > 0


# --- honeypot -----------------------------------------------------------------------------


def test_comment_form_has_a_honeypot_and_a_filled_one_is_refused_quietly(client, consultation):
    key = consultation.current_version().clauses.first().key
    clause_page = client.get(f"{consultation.url}?clause={key}").content.decode()
    assert 'name="website"' in clause_page
    response = post(
        client,
        consultation,
        form_data(consultation, client_token="bot-1", website="http://spam.biz"),
    )
    assert response.status_code == 400
    body = response.content.decode().lower()
    assert "hidden field" not in body and "honeypot" not in body and "automated" not in body
    assert not Submission.objects.filter(client_token="bot-1").exists()
    as_json = post(
        client,
        consultation,
        form_data(consultation, client_token="bot-2", website="x"),
        HTTP_ACCEPT="application/json",
    )
    assert as_json.status_code == 400 and "hidden field" not in as_json.content.decode().lower()
    assert not Submission.objects.filter(client_token="bot-2").exists()


def test_whole_draft_stamped_form_has_the_honeypot(client, consultation):
    assert 'name="website"' in client.get(consultation.url).content.decode()


def test_voice_form_has_a_honeypot_and_refuses_a_filled_one(client, consultation):
    url = f"/voice/{consultation.slug}/record/"
    page = client.get(url)
    assert 'name="website"' in page.content.decode()
    response = client.post(url, {"website": "spam", "stance": "oppose"})
    assert response.status_code == 400
    assert "hidden field" not in response.content.decode().lower()


def test_appeal_honeypot_does_not_say_why(client, consultation):
    response = client.post(
        "/appeal/",
        {"code": "ZZZZ-ZZZZ", "decision": 1, "text": "x", "website": "spam"},
        follow=True,
    )
    body = response.content.decode().lower()
    assert "hidden field" not in body and "automated" not in body
