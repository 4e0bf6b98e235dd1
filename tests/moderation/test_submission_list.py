"""The moderators' list of every submission (issue 15, "a searchable list of all
submissions"): a published comment that should not be public can be found and removed."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from consult import roles
from consult.services import SubmissionInput, submit
from moderation import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    user = User.objects.create_user("listmod", "listmod@example.org", "pw-123456789")
    user.groups.add(Group.objects.get(name=roles.MODERATOR))
    return user


def comment(page, text, **kw):
    return submit(page, SubmissionInput(text=text, stance="oppose", stakeholder="individual", **kw))


def test_search_finds_by_words_and_receipt_code_and_filters_by_state(demo):
    published = comment(demo, "Zebra crossings near schools need clause 9 to apply.")
    held = comment(demo, "Zebra loans http://a.biz http://b.xyz http://c.top")
    assert held.is_public is False  # spam is held on arrival
    found = set(selectors.search_submissions(query="zebra", consultation=demo))
    assert {published, held} <= found
    assert set(selectors.search_submissions(query="zebra", state="published")) >= {published}
    assert held not in set(selectors.search_submissions(query="zebra", state="published"))
    assert list(selectors.search_submissions(query="zebra", state="held", consultation=demo)) == [
        held
    ]
    # A receipt code as a participant would read it out: lower case, spaces, no dashes.
    code = published.receipt_code.lower().replace("-", " ")
    assert list(selectors.search_submissions(query=code)) == [published]


def test_moderator_finds_a_published_comment_and_removes_it(client, demo, moderator):
    published = comment(demo, "Quokka habitat figures in clause 4 are wrong.")
    assert published.is_public
    client.force_login(moderator)
    queue = client.get("/admin/moderation/")
    assert 'href="/admin/moderation/submissions/"' in queue.content.decode()
    listing = client.get("/admin/moderation/submissions/", {"q": "quokka"})
    body = listing.content.decode()
    assert listing.status_code == 200
    assert f'href="/admin/moderation/submission/{published.pk}/"' in body
    assert "Published" in body
    response = client.post(
        f"/admin/moderation/submission/{published.pk}/",
        {"action": "remove", "reason": "abuse", "explanation": "", "redacted_text": ""},
    )
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.is_removed
    listing = client.get("/admin/moderation/submissions/", {"q": "quokka", "state": "removed"})
    assert f"/admin/moderation/submission/{published.pk}/" in listing.content.decode()


def test_bad_filters_are_a_form_error_not_a_500(client, demo, moderator):
    client.force_login(moderator)
    response = client.get(
        "/admin/moderation/submissions/", {"state": "nonsense", "consultation": "x", "p": "99"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_list_is_in_urdu_with_user_text_marked_by_language(client, demo, moderator):
    comment(demo, "یہ شق بہت سخت ہے اور ہرن کو نقصان دے گی", language="ur")
    client.force_login(moderator)
    response = client.get("/admin/moderation/submissions/", {"q": "ہرن"}, HTTP_ACCEPT_LANGUAGE="ur")
    body = response.content.decode()
    assert 'lang="ur" dir="rtl"' in body
    assert "ہرن" in body


def test_only_moderators_see_the_list(client, demo):
    comment(demo, "Okapi text only moderators may list.")
    analyst = User.objects.create_user("listan", "listan@example.org", "pw-123456789")
    analyst.groups.add(Group.objects.get(name=roles.ANALYST))
    client.force_login(analyst)
    denied = client.get("/admin/moderation/submissions/", {"q": "okapi"})
    assert denied.status_code in (302, 403)
    assert "Okapi" not in denied.content.decode()


@pytest.mark.browser
@pytest.mark.django_db
def test_the_list_on_a_phone_and_a_desktop_in_both_languages(live_server, demo, browser):
    """The list at 390 px and 1280 px, English and Urdu: no sideways scroll, no axe
    violation, user text marked with its language."""
    from django.test import Client

    from tests.a11y import assert_no_axe_violations

    comment(demo, "Pangolin trade figures in clause 4 are out of date.")
    comment(demo, "شق ۴ میں پینگولین کے اعداد پرانے ہیں۔", language="ur")
    user = User.objects.create_user("listmod2", "listmod2@example.org", "pw-123456789")
    user.groups.add(Group.objects.get(name=roles.MODERATOR))
    django_client = Client()
    django_client.force_login(user)
    cookie = {"name": "sessionid", "value": django_client.cookies["sessionid"].value}
    for lang in ("en", "ur"):
        for width, height in ((390, 844), (1280, 800)):
            context = browser.new_context(viewport={"width": width, "height": height}, locale=lang)
            context.add_cookies([cookie | {"url": live_server.url}])
            if lang == "ur":
                context.set_extra_http_headers({"Accept-Language": "ur"})
            page = context.new_page()
            try:
                page.goto(f"{live_server.url}/admin/moderation/submissions/?q=pangolin")
                page.locator("text=Pangolin trade figures").first.wait_for()
                overflow = page.evaluate(
                    "() => document.documentElement.scrollWidth"
                    " - document.documentElement.clientWidth"
                )
                assert overflow <= 0, f"scrolls sideways by {overflow}px at {width} ({lang})"
                urdu = page.locator('[lang="ur"][dir="rtl"]', has_text="پینگولین")
                page.goto(f"{live_server.url}/admin/moderation/submissions/?q=پینگولین")
                assert urdu.count() >= 1
                assert_no_axe_violations(page)
            finally:
                context.close()
