"""Accessible and light: axe-core finds nothing, the keyboard reaches everything, the page
works with JavaScript off and stays under its byte budget."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.a11y import assert_no_axe_violations, run_axe

# After each live_server test tests/conftest.py puts the database back as the session's
# setup left it (the migrated rows and the demo) for the next one.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PREFIXES = {"en": "", "ur": "/ur"}


def _bench_module():
    path = Path(__file__).resolve().parents[2] / "bench" / "bench_frontend.py"
    spec = importlib.util.spec_from_file_location("bench_frontend", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_consultation_page_has_no_axe_violations(live_server, demo, page, lang):
    page.goto(live_server.url + PREFIXES[lang] + demo.url)
    assert page.locator("html").get_attribute("lang") == lang
    assert_no_axe_violations(page)


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_receipt_page_has_no_axe_violations(live_server, demo, page, lang):
    from consult.models import Submission

    code = Submission.objects.filter(consultation=demo).first().receipt_code
    page.goto(f"{live_server.url}{PREFIXES[lang]}/receipt/?code={code}")
    assert page.locator(".receipt-result").count() == 1
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}{PREFIXES[lang]}/receipt/?code=NOPE-NOPE")
    assert page.locator("[role=alert]").count() == 1
    assert_no_axe_violations(page)


def test_axe_helper_reports_a_real_violation(live_server, demo, page):
    """The helper can fail: an unlabelled input and low-contrast text are caught."""
    page.goto(live_server.url + demo.url)
    page.evaluate(
        """() => { const main = document.querySelector('main');
                   main.append(document.createElement('input'));
                   const p = document.createElement('p'); p.textContent = 'faint';
                   p.style.color = '#eee'; main.append(p); }"""
    )
    ids = {violation["id"] for violation in run_axe(page)}
    assert {"label", "color-contrast"} <= ids
    with pytest.raises(AssertionError, match="label"):
        assert_no_axe_violations(page)


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_keyboard_skip_link_and_visible_focus(live_server, demo, page, lang):
    page.goto(live_server.url + PREFIXES[lang] + demo.url)
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.className")
    assert focused == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0, "the skip link must be visible when focused"
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # Every link and button in the header and the pack link are reachable by Tab.
    page.goto(live_server.url + PREFIXES[lang] + demo.url)
    reached = set()
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("() => document.activeElement.getAttribute('href') || ''"))
    assert any(href.endswith("/receipt/") for href in reached)
    assert any(href.endswith("pack.pdf") for href in reached)
    other = "/ur" + demo.url if lang == "en" else demo.url
    assert other in reached


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_consultation_page_renders_without_javascript(live_server, demo, browser, lang):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + PREFIXES[lang] + demo.url)
        assert page.locator("li.clause").count() == demo.current_version().clauses.count()
        expected = demo.title_ur if lang == "ur" else demo.title
        assert page.locator("h1").inner_text() == expected
        assert page.locator("a.pack-link").is_visible()
    finally:
        context.close()


def test_consultation_page_is_under_150_kb(live_server, demo, browser):
    result = _bench_module().measure(browser, live_server.url + demo.url, throttle=False)
    assert result["requests"] >= 3  # HTML, CSS, JS: the measurement saw the subresources
    assert 0 < result["bytes"] < 150_000, result
