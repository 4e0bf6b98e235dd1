"""A participant's whole journey in a real Chromium, reached only by clicking from the home
page: in English and Urdu, on a 1280 px desktop and a 390 px phone.

home → consultation → select words of a clause and comment on them → receipt; → reply
to a published comment → receipt; → voice recorder → send a note → its review page (in one
combination the worker transcribes it and the participant confirms the text → receipt);
→ town hall → ask a question over the WebSocket; → report, transparency, privacy; → sign
up and sign in with an e-mail code → my data → delete the account. Every page: zero axe
violations, no horizontal scroll on the phone, user-written text marked with its language
and direction, and no request to another host.

The server is daphne on the test's own database (as production serves it: HTTP and
WebSockets), so the town hall's question goes over a real WebSocket. One test walks all
four combinations so the demo consultation loads once (the CI machine is small).
"""

from __future__ import annotations

import email
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command

from cms.models import TownHallPage
from cms.report_pages import ReportPage
from consult.live.models import Question
from consult.models import Source, Submission
from tests.a11y import assert_no_axe_violations
from tests.servers import daphne_on_test_database, stop
from tests.voice_helpers import espeak

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
WORDS = {
    "en": {
        "comment": "Thirty days is far too long for a complaint.",
        "reply": "I agree: fourteen days would be enough.",
        "question": "Will small firms get more time to comply?",
        "spoken": "The registry should be public.",
        "voice": "en",
        "dir": "ltr",
    },
    "ur": {
        "comment": "شکایت کے لیے تیس دن بہت زیادہ ہیں۔",
        "reply": "میں متفق ہوں: چودہ دن کافی ہیں۔",
        "question": "کیا چھوٹے کاروباروں کو مزید وقت ملے گا؟",
        "spoken": "رجسٹری عوام کے لیے کھلی ہونی چاہیے۔",
        "voice": "ur",
        "dir": "rtl",
    },
}
# The combination in which the worker transcribes the note and the participant confirms it
# (a Whisper model load and a transcription: once is enough to walk the hand-over).
CONFIRMS_VOICE = ("ur", "phone")


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


# Select three words of the clause's text as the page shows it (its first long stretch of
# plain text, in the language shown), as a reader's mouse would, and return them.
SELECT_WORDS_JS = """(clauseId) => {
  const box = document.querySelector(`#${clauseId} .clause-text`);
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest("mark")) continue;
    const match = node.textContent.match(/[^\\s()]+\\s+[^\\s()]+\\s+[^\\s().،۔]+/u);
    if (!match) continue;
    const range = document.createRange();
    range.setStart(node, match.index);
    range.setEnd(node, match.index + match[0].length);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    box.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
    return match[0];
  }
  return "";
}"""


def last_code(mail_dir: Path | None = None) -> str:
    """The code in the newest e-mail: the test's outbox (a live server in this process), or
    the newest file the server process wrote (file-based mail backend)."""
    if mail_dir is None:
        body = mail.outbox[-1].body
    else:
        newest = max(mail_dir.iterdir(), key=lambda path: path.stat().st_mtime_ns)
        # Django's file backend ends each message with a line of 79 dashes.
        raw = [chunk for chunk in newest.read_text().split("-" * 79) if chunk.strip()][-1]
        message = email.message_from_string(raw.strip())
        part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
        body = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    codes = [s.strip() for s in body.splitlines() if re.fullmatch(r"[A-Z0-9-]{4,12}", s.strip())]
    assert codes, body
    return codes[0]


def spoken_note(tmp_path: Path, lang: str) -> Path:
    """A few seconds of synthetic speech in the page's language (espeak-ng)."""
    target = tmp_path / f"note-{lang}.wav"
    if not target.exists():
        espeak(target, WORDS[lang]["spoken"], WORDS[lang]["voice"])
    return target


def participant_journey(visit: Visit, demo, address: str, mail_dir: Path, tmp_path: Path):
    page, lang = visit.page, visit.lang
    prefix = "/ur" if lang == "ur" else ""
    page.goto(f"{visit.server.geturl()}{prefix}/")
    visit.check("home")

    # Home → the open consultation.
    visit.click(page.locator("section[aria-labelledby=open-heading] a").first, "consultation")
    assert urlparse(page.url).path == f"{prefix}{demo.url}"
    ways = page.locator(".ways")
    assert ways.get_by_role("link").count() >= 8

    # Comment on words of a clause (selected in the text the page shows), then the receipt.
    clause = page.locator("li.clause").nth(1)
    quote = page.evaluate(SELECT_WORDS_JS, clause.get_attribute("id"))
    assert quote, "no words to select in the clause"
    page.locator("button.comment-selection").click()
    form = clause.locator("form.comment-form")
    assert form.locator(".anchor-preview q").inner_text() == quote
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
    assert submission.anchor_exact == quote
    assert submission.anchor_language == clause.locator(".clause-text").first.get_attribute("lang")
    text = page.locator(f"#comment-{submission.pk} .comment-text")
    assert text.get_attribute("lang") == lang and text.get_attribute("dir") == WORDS[lang]["dir"]
    visit.click(page.locator(".receipt-banner a"), "receipt")
    receipt = page.locator(".receipt-text")
    assert receipt.get_attribute("lang") == lang
    assert receipt.get_attribute("dir") == WORDS[lang]["dir"]
    page.go_back()
    page.wait_for_load_state("load")

    # Reply to a published comment: its Reply link, the form that names whom it answers.
    reply_link = page.locator("li.clause .reply-action a").first
    parent_pk = int(parse_qs(urlparse(reply_link.get_attribute("href")).query)["reply"][0])
    visit.click(reply_link, "the reply form")
    form = page.locator("#comment-form form.comment-form")
    assert form.locator(".reply-to").count() == 1
    form.locator("input[name=stance]").first.check()
    reply = f"{WORDS[lang]['reply']} ({visit.width})"
    form.locator("textarea[name=text]").fill(reply)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.locator(".receipt-code").wait_for()
    visit.check("consultation with the reply's receipt")
    answer = Submission.objects.get(comment=reply)
    assert answer.parent_id == parent_pk and answer.language == lang

    # A voice note: the recorder's file choice (no microphone here), then its review page.
    visit.click(page.locator(".ways-part a[href*='/voice/']").first, "voice recorder")
    page.set_input_files("#id_audio", str(spoken_note(tmp_path, lang)))
    page.locator("#id_stance").select_option(index=1)
    page.locator("#id_consent").check()
    visit.click(page.locator("#voice-form button[type=submit]"), "the voice note's page")
    status = page.locator("#voice-status")
    assert status.get_attribute("data-status") in {"queued", "transcribing"}
    if (lang, visit.width) == CONFIRMS_VOICE:
        # The worker, as `make run` starts it, while the page polls the note's status.
        call_command(
            "db_worker", batch=True, queue_name="transcription", reload=False, startup_delay=False
        )
        page.wait_for_selector("#voice-status[data-status=ready]", timeout=30_000)
        visit.check("the transcript to check")
        text = page.locator("#id_text")
        assert text.get_attribute("dir") in {None, "auto", WORDS[lang]["dir"]}
        text.fill(f"{WORDS[lang]['spoken']} ({visit.width})")
        page.locator("#confirm-button").click()
        page.locator("#receipt-code").wait_for()
        visit.check("the voice note's receipt")
        spoken = Submission.objects.get(receipt_code=page.locator("#receipt-code").inner_text())
        assert spoken.source == Source.VOICE and spoken.language == lang
        confirmed = page.locator(".voice-confirmed blockquote")
        assert confirmed.get_attribute("lang") == lang
        assert confirmed.get_attribute("dir") == WORDS[lang]["dir"]
    visit.click(page.locator("main .back-link a"), "consultation, from the voice note")

    # The town hall, live: a question over the WebSocket, waiting for the facilitator.
    visit.click(page.locator(".ways-part .town-halls a").first, "town hall")
    page.wait_for_selector("#ask-form:not([hidden])", timeout=15_000)
    question = f"{WORDS[lang]['question']} ({visit.width})"
    page.fill("#ask-text", question)
    page.click("#ask-form button[type=submit]")
    page.wait_for_function("() => document.getElementById('ask-text').value === ''")
    assert Question.objects.get(text=question).status == Question.Status.PENDING
    visit.check("town hall after asking")
    page.go_back()
    page.wait_for_load_state("load")

    # Every way to follow, each from the consultation's page.
    for selector, what in [
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
    page.locator("input[name=email]").fill(address)
    visit.click(page.locator("main button[type=submit]"), "the code from the e-mail")
    page.locator("input[name=code]").fill(last_code(mail_dir))
    visit.click(page.locator("main button[type=submit]").first, "my data")
    assert urlparse(page.url).path == f"{prefix}/my-data/"
    assert address in page.locator("main").inner_text()
    visit.click(page.locator("main a[href$='/my-data/delete/']"), "delete my account")
    page.locator("input[name=confirm]").check()
    visit.click(page.locator("main button[type=submit]"), "account deleted")
    assert not User.objects.filter(email=address).exists()


@pytest.mark.django_db(transaction=True)
def test_participant_journey_in_both_languages_on_desktop_and_phone(demo, browser, tmp_path):
    report = ReportPage(title="Report on the consultation", slug="report")
    demo.add_child(instance=report)
    hall = TownHallPage.objects.child_of(demo).live().get()
    assert hall.runtime.state == "live"  # the demo's town hall is under way
    server, url, _env = daphne_on_test_database(tmp_path, "journey")
    failures = []
    try:
        for lang in ("en", "ur"):
            for width in WIDTHS:
                visit = Visit(browser, url, lang, width)
                try:
                    participant_journey(
                        visit, demo, f"{lang}-{width}@example.org", tmp_path / "mail", tmp_path
                    )
                    assert visit.hosts == {visit.server.netloc}, visit.hosts
                except Exception as error:  # noqa: BLE001 - report every combination
                    failures.append(f"{lang} at {width}: {error}")
                finally:
                    visit.close()
    finally:
        stop(server)
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
