"""A participant's whole journey in a real Chromium, reached only by clicking from the home
page: in English and Urdu, on a 1280 px desktop and a 390 px phone.

home → consultation → comment on a clause → receipt; → voice recorder; → town hall;
→ report, transparency, privacy; → sign up and sign in with an e-mail code → my data →
delete the account. Every page: zero axe violations, no horizontal scroll on the phone,
user-written text marked with its language and direction, and no request to another host.
One test walks all four so the demo consultation loads once (the CI machine is small).
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import User
from django.core import mail

from cms.report_pages import ReportPage
from consult.models import Submission
from tests.a11y import assert_no_axe_violations

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
WORDS = {
    "en": {"comment": "Thirty days is far too long for a complaint.", "dir": "ltr"},
    "ur": {"comment": "شکایت کے لیے تیس دن بہت زیادہ ہیں۔", "dir": "rtl"},
}


class Visit:
    """One browser context at one width and language, checking every page it reaches."""

    def __init__(self, browser, server_url: str, lang: str, width: str):
        self.lang, self.width, self.server = lang, width, urlparse(server_url)
        w, h = WIDTHS[width]
        self.context = browser.new_context(viewport={"width": w, "height": h})
        self.page = self.context.new_page()
        self.hosts: set[str] = set()
        self.context.on("request", self._record)
        self.page.on("websocket", lambda ws: self._record_url(ws.url))

    def _record(self, request):
        self._record_url(request.url)

    def _record_url(self, url: str):
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob", "about"):
            return
        self.hosts.add(parsed.netloc)

    def check(self, what: str):
        """The page in hand: its language, no overflow on a phone, no axe violation."""
        page = self.page
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == self.lang, (what, page.url)
        if self.lang == "ur":
            assert page.url.startswith(f"{self.server.scheme}://{self.server.netloc}/ur/"), (
                what,
                page.url,
            )
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{what} scrolls sideways by {overflow}px at {self.width}"
        assert_no_axe_violations(page)

    def click(self, locator, what: str):
        with self.page.expect_navigation():
            locator.click()
        self.check(what)

    def close(self):
        self.context.close()


def last_code() -> str:
    body = mail.outbox[-1].body
    codes = [s.strip() for s in body.splitlines() if re.fullmatch(r"[A-Z0-9-]{4,12}", s.strip())]
    assert codes, body
    return codes[0]


def participant_journey(visit: Visit, demo, email: str):
    page, lang = visit.page, visit.lang
    prefix = "/ur" if lang == "ur" else ""
    page.goto(f"{visit.server.geturl()}{prefix}/")
    visit.check("home")

    # Home → the open consultation.
    visit.click(page.locator("section[aria-labelledby=open-heading] a").first, "consultation")
    assert urlparse(page.url).path == f"{prefix}{demo.url}"
    ways = page.locator(".ways")
    assert ways.get_by_role("link").count() >= 8

    # Comment on a clause, then the receipt.
    clause = page.locator("li.clause").nth(1)
    clause.locator(".comment-button").click()
    form = clause.locator("form.comment-form")
    form.locator("input[name=stance]").first.check()
    text = f"{WORDS[lang]['comment']} ({visit.width})"
    form.locator("textarea[name=text]").fill(text)
    assert form.locator("select[name=language]").input_value() == lang
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.locator(".receipt-code").wait_for()
    visit.check("consultation with the receipt")
    submission = Submission.objects.get(comment=text)
    assert submission.language == lang
    text = page.locator(f"#comment-{submission.pk} .comment-text")
    assert text.get_attribute("lang") == lang and text.get_attribute("dir") == WORDS[lang]["dir"]
    visit.click(page.locator(".receipt-banner a"), "receipt")
    receipt = page.locator(".receipt-text")
    assert receipt.get_attribute("lang") == lang
    assert receipt.get_attribute("dir") == WORDS[lang]["dir"]
    page.go_back()

    # Every way to take part and to follow, each from the consultation's page.
    for selector, what in [
        (".ways-part a[href*='/voice/']", "voice recorder"),
        (".ways-part .town-halls a", "town hall"),
        (".ways-follow a[href*='/report/']", "report"),
        (".ways-follow a[href*='/transparency/']", "transparency"),
    ]:
        visit.click(page.locator(selector).first, what)
        page.go_back()
        page.wait_for_load_state("load")

    # The language switch keeps the page, both ways.
    here = urlparse(page.url).path
    page.locator(".language-switch a:not([aria-current])").click()
    page.wait_for_load_state("load")
    assert urlparse(page.url).path != here and demo.url in page.url
    page.locator(".language-switch a:not([aria-current])").click()
    page.wait_for_load_state("load")
    assert urlparse(page.url).path == here

    # Privacy → my data → sign up with an e-mail code → my data → delete.
    visit.click(page.locator(".ways-follow a[href$='/privacy/']"), "privacy")
    visit.click(page.locator("main a[href$='/my-data/']"), "sign in")
    visit.click(page.locator("main a[href*='/accounts/signup/']"), "sign up")
    page.locator("input[name=email]").fill(email)
    visit.click(page.locator("main button[type=submit]"), "the code from the e-mail")
    page.locator("input[name=code]").fill(last_code())
    visit.click(page.locator("main button[type=submit]").first, "my data")
    assert urlparse(page.url).path == f"{prefix}/my-data/"
    assert email in page.locator("main").inner_text()
    visit.click(page.locator("main a[href$='/my-data/delete/']"), "delete my account")
    page.locator("input[name=confirm]").check()
    visit.click(page.locator("main button[type=submit]"), "account deleted")
    assert not User.objects.filter(email=email).exists()


def test_participant_journey_in_both_languages_on_desktop_and_phone(live_server, demo, browser):
    report = ReportPage(title="Report on the consultation", slug="report")
    demo.add_child(instance=report)
    failures = []
    for lang in ("en", "ur"):
        for width in WIDTHS:
            visit = Visit(browser, live_server.url, lang, width)
            try:
                participant_journey(visit, demo, f"{lang}-{width}@example.org")
                assert visit.hosts == {visit.server.netloc}, visit.hosts
            except Exception as error:  # noqa: BLE001 - report every combination
                failures.append(f"{lang} at {width}: {error}")
            finally:
                visit.close()
    assert not failures, "\n\n".join(failures)


def test_the_admin_asks_no_other_host(live_server, demo, browser):
    """Wagtail's update check and avatars are off: the dashboard, the page editor and the
    moderation queue load only from this server."""
    User.objects.create_superuser("admin-journey", "admin@example.org", "pw-for-the-test-1")
    visit = Visit(browser, live_server.url, "en", "desktop")
    page = visit.page
    try:
        page.goto(f"{live_server.url}/admin/login/")
        page.locator("input[name=username]").fill("admin-journey")
        page.locator("input[name=password]").fill("pw-for-the-test-1")
        with page.expect_navigation():
            page.locator("button[type=submit]").click()
        for path in ["/admin/", f"/admin/pages/{demo.pk}/edit/", "/admin/moderation/"]:
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
        assert visit.hosts == {visit.server.netloc}, visit.hosts
        favicon = page.request.get(f"{live_server.url}/favicon.ico")
        assert favicon.status == 200 and favicon.headers["content-type"].startswith("image/")
    finally:
        visit.close()
