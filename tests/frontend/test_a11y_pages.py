"""axe-core (WCAG 2.1 A + AA) on every kind of public page, in English and Urdu: the
consultation page with a clause's comment form open, a clause's own page (the plain form
without JavaScript), the voice recorder, a town hall, a report, the 404 page; and commenting
on selected words with the keyboard only.

After each live_server test tests/conftest.py puts the database back as the session's setup
left it, the migrated rows and the shared demo (Django's serialized rollback would write the
rows as they were right after migrating, leaving the home page with no children: a 404).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from consult.models import Submission
from tests.a11y import assert_no_axe_violations
from tests.cms.test_report import report  # noqa: F401 - the published report fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
PREFIXES = {"en": "", "ur": "/ur"}
LANGS = ["en", "ur"]


@pytest.mark.parametrize("lang", LANGS)
def test_consultation_page_with_a_clause_form_open(live_server, demo, page, lang):
    page.goto(live_server.url + PREFIXES[lang] + demo.url)
    clause = page.locator("li.clause").nth(1)
    toggle = clause.locator("button.comment-button")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert clause.locator("form.comment-form").count() == 0  # one shared form, not one each
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    form = clause.locator("form.comment-form")
    assert form.is_visible()
    assert len(form.locator("input[name=client_token]").input_value()) == 32
    assert form.get_attribute("data-offline-queue") is not None
    assert form.locator("fieldset legend").count() == 2
    assert_no_axe_violations(page)
    # A second clause gets its own copy with its own ids and clause.
    other = page.locator("li.clause").nth(2)
    other.locator("button.comment-button").click()
    assert other.locator("input[name=clause_id]").input_value() == other.get_attribute(
        "data-clause-id"
    )
    assert page.evaluate(
        "() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id);"
        " return ids.length === new Set(ids).size; }"
    ), "duplicate ids after opening two forms"
    assert_no_axe_violations(page)
    toggle.click()
    assert not form.is_visible() and toggle.get_attribute("aria-expanded") == "false"


@pytest.mark.parametrize("lang", LANGS)
def test_clause_page_form_without_javascript(live_server, demo, browser, lang):
    """JS off: the clause's link leads to its page with the plain form, which posts."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + PREFIXES[lang] + demo.url)
        clause = page.locator("li.clause").nth(3)
        key = clause.get_attribute("data-clause-key")
        # A click waits only for the next page to start loading (CI once counted the form
        # before the Urdu page had been parsed): wait for it to load.
        with page.expect_navigation():
            clause.locator("a.comment-button").click()
        assert f"clause={key}" in page.url
        form = page.locator("#comment-form form.comment-form")
        expect(form).to_have_count(1)
        form.locator("input[name=stance]").first.check()
        form.locator("textarea[name=text]").fill("A plain form comment, no script.")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert page.locator(".receipt-code").is_visible()
        submission = Submission.objects.get(comment="A plain form comment, no script.")
        assert submission.clause.key == key
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_clause_page_has_no_axe_violations(live_server, demo, page, lang):
    key = demo.current_version().clauses.order_by("position")[1].key
    page.goto(f"{live_server.url}{PREFIXES[lang]}{demo.url}?clause={key}")
    assert page.locator("#comment-form form.comment-form").is_visible()
    assert_no_axe_violations(page)


@pytest.mark.parametrize("lang", LANGS)
def test_voice_recorder_has_no_axe_violations(live_server, demo, page, lang):
    page.goto(f"{live_server.url}{PREFIXES[lang]}/voice/{demo.slug}/record/")
    assert page.locator("form#voice-form").count() == 1
    assert_no_axe_violations(page)
    # The same form showing its errors (sent empty).
    with page.expect_navigation():
        page.locator("form#voice-form button[type=submit]").click()
    assert page.locator("[role=alert]").count() >= 1
    assert_no_axe_violations(page)


@pytest.mark.parametrize("lang", LANGS)
def test_town_hall_has_no_axe_violations(live_server, demo, page, lang):
    from cms.demo import make_town_hall

    hall = make_town_hall(demo)
    page.goto(live_server.url + PREFIXES[lang] + hall.url)
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page)


@pytest.mark.parametrize("lang", LANGS)
def test_report_page_has_no_axe_violations(live_server, report, page, lang):  # noqa: F811
    page.goto(live_server.url + PREFIXES[lang] + report.url)
    assert page.locator("svg").count() >= 1
    assert_no_axe_violations(page)


@pytest.mark.parametrize("lang", LANGS)
def test_not_found_page_is_ours_and_accessible(live_server, db, page, lang):
    response = page.goto(f"{live_server.url}{PREFIXES[lang]}/no-such-page-here/")
    assert response.status == 404
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("a.skip-link").count() == 1  # our base.html, not the library's
    assert_no_axe_violations(page)


def test_keyboard_only_comment_on_selected_words(live_server, demo, page):
    """Tab to a clause's text, select words with Shift+Arrow keys, then comment on them."""
    page.goto(live_server.url + demo.url)
    clause = demo.current_version().clauses.order_by("position")[2]
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(key) => document.activeElement.matches(`#clause-${key} .clause-text`)", clause.key
        ):
            break
    else:
        pytest.fail("the clause text is not reachable with Tab")
    for _ in range(4):  # move the caret past the first words
        page.keyboard.press("Control+ArrowRight")
    for _ in range(24):
        page.keyboard.press("Shift+ArrowRight")
    selected = page.evaluate("() => window.getSelection().toString()").strip()
    assert len(selected) >= 15 and clause.text.find(selected) > 0, selected
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "comment-selection"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.name") == "text"
    page.keyboard.type("These words need a definition.")
    for _ in range(20):  # back to the position radios
        page.keyboard.press("Shift+Tab")
        if page.evaluate("() => document.activeElement.name") == "stance":
            page.keyboard.press("Space")
            break
    else:
        pytest.fail("never reached the position choices")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.type") == "submit":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            break
    else:
        pytest.fail("never reached the submit button")
    assert page.locator(".receipt-code").is_visible()
    submission = Submission.objects.get(comment="These words need a definition.")
    assert submission.clause.key == clause.key
    assert submission.anchor_exact == selected
    assert clause.text[submission.anchor_start : submission.anchor_end] == selected
