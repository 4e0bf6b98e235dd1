"""The facilitator's, the moderator's and the ministry editor's whole journeys in a real
Chromium, each started on the home page and reaching every feature only by clicking: in
English and Urdu, on a 1280 px desktop and a 390 px phone.

Facilitator: home → sign in with an e-mail code → the consultation → enter a paper comment
(its receipt code shown) → bulk voice intake (two recordings and a damaged file: the two
accepted and linked, the damaged row sent again) → a collected note's page → the
consultation → the town hall → the facilitator console.
Moderator: home → sign in → the admin → the moderation queue → decide a held comment (the
form starts unselected) → decide an appeal → the orphaned comments.
Editor: home → sign in → the consultation → "Edit this consultation" → import a revised
draft → its preview → replace the working draft → publish → a new draft version.

Every page: zero axe violations, no horizontal scroll on the phone, the page's language
(the Wagtail admin has no Urdu catalogue, so its pages are English: ``lang="en"``), text
people wrote marked with its language and direction, and no request to another host. The
helpers are the participant journey's (test_journeys.py); each test walks its four
combinations so the demo consultation loads once.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, User

from consult import roles
from consult.models import Submission
from consult.services import SubmissionInput, run_reanchoring, submit
from consult.voice.models import VoiceNote
from drafts.models import DraftVersion
from moderation import services as moderation
from moderation.models import Appeal, Decision
from tests.a11y import assert_no_axe_violations
from tests.journeys.test_journeys import WIDTHS, WORDS, Visit, last_code, spoken_note

pytestmark = pytest.mark.browser

# A comment the screening holds for a moderator (three links: a link flood).
LINKS = "www.one.example www.two.example www.three.example"
HELD = {
    "en": f"Read about clause two at {LINKS}",
    "ur": f"شق دو کے بارے میں یہاں پڑھیں {LINKS}",
}
APPEAL = {
    "en": "My comment was on topic: it is about the complaint period.",
    "ur": "میرا تبصرہ موضوع پر تھا: یہ شکایت کی مدت کے بارے میں ہے۔",
}


WIDE_ELEMENTS = """() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return [];
    return [...document.querySelectorAll('body *')]
        .filter(e => { const r = e.getBoundingClientRect();
                       return r.width && (r.right > root.clientWidth + 1 || r.left < -1); })
        .slice(-5).map(e => e.outerHTML.slice(0, 160));
}"""


# Waits for the animations that end within 1.5 s (the admin's messages fading in). Longer
# ones are not waited out: the sidebar's "what's new" badge pings for 25 s on every desktop
# admin page, and waiting 1.5 s for it on each cost the role journeys half a minute.
SETTLED = """() => Promise.race([
    Promise.all(document.getAnimations()
        .filter(a => a.playState === 'running' && a.effect
                && a.effect.getComputedTiming().endTime - a.currentTime <= 1500)
        .map(a => a.finished.catch(() => null))),
    new Promise(done => setTimeout(done, 1500))])"""


class RoleVisit(Visit):
    """A visit that also enters the Wagtail admin, whose pages are English at /admin/."""

    def __init__(self, *args):
        super().__init__(*args)
        self.page.set_default_timeout(15_000)  # a missing link fails in seconds, not 30

    def check(self, what: str):
        page = self.page
        page.wait_for_load_state("load")
        # Name what sticks out, so a phone's sideways scroll is found without a screenshot.
        wide = page.evaluate(WIDE_ELEMENTS)
        assert not wide, f"{what} scrolls sideways at {self.width}: {wide}"
        if urlparse(page.url).path.startswith("/admin/"):
            # The admin's messages fade in: axe measures their colours once they have.
            page.evaluate(SETTLED)
            assert page.locator("html").get_attribute("lang") in ("en", "en-us"), (what, page.url)
            assert_no_axe_violations(page)
        else:
            super().check(what)

    def assert_marked(self, locator, language: str):
        """Text someone wrote carries its own language and direction."""
        direction = WORDS[language]["dir"]
        assert locator.count() >= 1, locator
        for i in range(locator.count()):
            element = locator.nth(i)
            assert element.get_attribute("lang") == language, (self.page.url, element)
            assert element.get_attribute("dir") == direction, (self.page.url, element)


def user_in(role: str, email: str) -> User:
    """A staff account as an administrator makes one: in its role's group, its e-mail address
    known to allauth and verified, no password (it signs in with an e-mail code)."""
    user = User.objects.create_user(email.split("@")[0], email)
    user.groups.add(Group.objects.get(name=role))
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def sign_in(visit: RoleVisit, email: str):
    """From the home page: the header's "Sign in", an e-mail address, the code it receives."""
    page = visit.page
    prefix = "/ur" if visit.lang == "ur" else ""
    page.goto(f"{visit.server.geturl()}{prefix}/")
    visit.check("home")
    visit.click(page.locator(".site-nav a[href*='/accounts/login/']"), "sign in")
    page.locator("input[name=email]").fill(email)
    visit.click(page.locator("main button[type=submit]").first, "the code from the e-mail")
    page.locator("input[name=code]").fill(last_code())
    visit.click(page.locator("main button[type=submit]").first, "signed in")
    prefix = "/ur" if visit.lang == "ur" else ""
    assert urlparse(page.url).path == f"{prefix}/my-data/", page.url
    assert email in page.locator("main").inner_text()


def facilitator_journey(visit: RoleVisit, demo, email: str, audio_dir: Path):
    page, lang = visit.page, visit.lang
    prefix = "/ur" if lang == "ur" else ""
    sign_in(visit, email)

    # Home → the consultation, whose page has a facilitators' section for them.
    visit.click(page.locator(".site-nav a").first, "home")
    visit.click(page.locator("section[aria-labelledby=open-heading] a").first, "consultation")
    assert urlparse(page.url).path == f"{prefix}{demo.url}"
    tools = page.locator(".ways-facilitate")

    # Paper entry: one comment from a paper form, and its receipt code for the participant.
    visit.click(tools.locator("a[href$='/facilitate/']"), "paper and phone entry")
    page.locator("input[name=source][value=paper]").check()
    page.locator("select[name=stance]").select_option("oppose")
    page.locator("select[name=language]").select_option(lang)
    text = f"{WORDS[lang]['comment']} (paper, {visit.width})"
    page.locator("textarea[name=text]").fill(text)
    visit.click(page.locator("main button[type=submit]"), "paper comment entered")
    submission = Submission.objects.get(comment=text)
    assert submission.source == "paper" and submission.language == lang
    assert submission.receipt_code in page.locator("main [role=status]").inner_text()

    # Back to the consultation by its link, then the bulk voice intake: two recordings and
    # a damaged file; the two are accepted and linked, only the damaged row comes back.
    visit.click(page.locator("main a.consultation-link"), "consultation again")
    visit.click(page.locator(".ways-facilitate a[href*='/intake/']"), "bulk voice intake")
    damaged = audio_dir / "damaged.ogg"
    damaged.write_bytes(b"not a recording " * 300)
    files = [spoken_note(audio_dir, lang), damaged, spoken_note(audio_dir, lang)]
    rows = page.locator("fieldset.intake-row")
    for i, path in enumerate(files):
        rows.nth(i).locator("input[type=file]").set_input_files(str(path))
        rows.nth(i).locator("select[name$=-stance]").select_option("support")
        rows.nth(i).locator("input[name$=-consent]").check()
        rows.nth(i).locator("input[name$=-consent_note]").fill(f"spoken consent {i + 1}")
    visit.click(page.locator("main button[type=submit]"), "bulk intake, one row refused")
    done = page.locator("main [role=status] .intake-done a")
    assert done.count() == 2
    assert page.locator("fieldset.intake-row").count() == 1
    assert page.locator("fieldset.intake-row [role=alert]").count() >= 1
    row = page.locator("fieldset.intake-row")
    assert row.locator("input[name$=-consent_note]").input_value() == "spoken consent 2"
    row.locator("input[type=file]").set_input_files(str(spoken_note(audio_dir, lang)))
    row.locator("input[name$=-consent]").check()
    visit.click(page.locator("main button[type=submit]"), "bulk intake, all received")
    assert page.locator("main .intake-done a").count() == 1
    notes = VoiceNote.objects.filter(uploaded_by__email=email)
    assert notes.count() == 3 and all(n.via_facilitator for n in notes)
    visit.click(page.locator("main .intake-done a"), "a collected note's page")
    visit.click(page.locator("main .back-link a"), "consultation, from the note")

    # The town hall, and from it the facilitators' console.
    visit.click(page.locator(".ways-part .town-halls a").first, "town hall")
    visit.click(page.locator(".console-link a"), "facilitator console")
    assert page.locator("#town-hall[data-view=console]").count() == 1


def moderation_cases(demo, lang: str, width: str, other_moderator) -> tuple[Submission, Appeal]:
    """One held comment to decide and one appeal (against another moderator) to settle."""
    held = submit(
        demo,
        SubmissionInput(
            text=f"{HELD[lang]} ({width})", stance="other", stakeholder="individual", language=lang
        ),
    )
    held.refresh_from_db()
    assert not held.is_public, "the screening should hold a link flood"
    removed = submit(
        demo,
        SubmissionInput(
            text=f"{WORDS[lang]['comment']} (appeal, {width})",
            stance="oppose",
            stakeholder="individual",
            language=lang,
        ),
    )
    decision = moderation.decide(
        removed, action="remove", reason="off_topic", moderator=other_moderator
    )
    appeal = moderation.file_appeal(removed.receipt_code, decision.pk, f"{APPEAL[lang]} ({width})")
    return held, appeal


def make_orphans(demo) -> dict[str, Submission]:
    """A comment in each language on words that a revised draft then drops."""
    clause = demo.current_version().clauses.order_by("position")[4]
    quote = clause.text
    orphans = {}
    for lang in ("en", "ur"):
        orphans[lang] = submit(
            demo,
            SubmissionInput(
                text=f"{WORDS[lang]['comment']} (orphan)",
                stance="oppose",
                stakeholder="individual",
                language=lang,
                clause_id=clause.pk,
                anchor={"exact": quote, "start": 0, "end": len(quote)},
            ),
        )
    draft = demo.get_latest_revision_as_object()
    rows = list(draft.clauses.all())
    for row in rows:
        if row.identifier == clause.identifier:
            row.text = "Wholly new wording, none of the old."
    draft.clauses = rows
    draft.save_revision().publish()  # a new draft version; its comments move now:
    for version in demo.versions.filter(anchoring=DraftVersion.Anchoring.PENDING):
        run_reanchoring(version.pk)
    for orphan in orphans.values():
        orphan.refresh_from_db()
        assert orphan.anchor_status == "orphaned", orphan.anchor_status
    return orphans


def admin_menu(visit: RoleVisit, name: str, what: str):
    """A link of the admin's sidebar; on a phone the sidebar opens first."""
    page = visit.page
    link = page.locator(f"#wagtail-sidebar a:has-text('{name}')").first
    if not link.is_visible():
        page.locator("#wagtail-sidebar button[aria-label='Toggle sidebar']").first.click()
        link.wait_for(state="visible")
    visit.click(link, what)


def moderator_journey(visit: RoleVisit, email: str, held: Submission, appeal: Appeal, orphans):
    page, lang = visit.page, visit.lang
    sign_in(visit, email)

    # The header takes staff to the admin, and its menu to the queue.
    visit.click(page.locator(".site-nav a[href='/admin/']"), "admin")
    admin_menu(visit, "Moderation queue", "moderation queue")
    row = page.locator("tr", has_text=HELD[lang][:20]).filter(has_text=visit.width)
    visit.assert_marked(row.locator("td.submission-text"), lang)

    # A held comment: the decision starts unselected; remove it with a public reason.
    visit.click(row.locator("a").first, "held submission")
    assert page.locator("select[name=action]").input_value() == ""
    assert page.locator("select[name=reason]").input_value() == ""
    visit.assert_marked(page.locator(".public-text, .original-text"), lang)
    page.locator("select[name=action]").select_option("remove")
    page.locator("select[name=reason]").select_option("personal_data")
    visit.click(page.locator("main button[type=submit]", has_text="Record decision"), "decided")
    decision = Decision.objects.get(submission=held)
    assert decision.action == "remove" and decision.moderator.email == email

    # The appeal, decided by a second moderator.
    row = page.locator("tr", has_text=APPEAL[lang][:20]).filter(has_text=visit.width)
    visit.click(row.locator("a").first, "appeal")
    visit.assert_marked(page.locator(".public-text"), lang)
    page.locator("select[name=outcome]").select_option("overturn")
    page.locator("select[name=reason]").select_option("meets_rules")
    page.locator("textarea[name=explanation]").fill("On topic after all.")
    visit.click(page.locator("main button[type=submit]", has_text="Decide appeal"), "appealed")
    appeal.refresh_from_db()
    assert appeal.outcome == Appeal.Outcome.OVERTURNED and appeal.decided_by.email == email

    # The comments a revised draft left behind.
    admin_menu(visit, "Orphaned comments", "orphaned comments")
    assert page.locator("h1", has_text="Orphaned comments").count() == 1
    for language, orphan in orphans.items():
        visit.assert_marked(page.locator(f"#orphan-{orphan.pk} .submission-text"), language)


def walk(browser, live_server, journey):
    failures = []
    for lang in ("en", "ur"):
        for width in WIDTHS:
            visit = RoleVisit(browser, live_server.url, lang, width)
            try:
                journey(visit, lang, width)
                assert visit.hosts == {visit.server.netloc}, visit.hosts
            except Exception as error:  # noqa: BLE001 - report every combination
                failures.append(f"{lang} at {width}, on {visit.page.url}: {error}")
            finally:
                visit.close()
    assert not failures, "\n\n".join(failures)


def test_facilitator_journey_in_both_languages_on_desktop_and_phone(
    live_server, demo, browser, tmp_path
):
    def journey(visit, lang, width):
        email = f"fac-{lang}-{width}@example.org"
        user_in(roles.FACILITATOR, email)
        facilitator_journey(visit, demo, email, tmp_path)

    walk(browser, live_server, journey)


def test_moderator_journey_in_both_languages_on_desktop_and_phone(live_server, demo, browser):
    other = user_in(roles.MODERATOR, "first-moderator@example.org")
    orphans = make_orphans(demo)

    def journey(visit, lang, width):
        email = f"mod-{lang}-{width}@example.org"
        user_in(roles.MODERATOR, email)
        held, appeal = moderation_cases(demo, lang, width, other)
        moderator_journey(visit, email, held, appeal, orphans)

    walk(browser, live_server, journey)


# --- the ministry's editor ---------------------------------------------------------------------

NEW_WORDS = {
    ("en", "desktop"): "within twenty-one days",
    ("en", "phone"): "within fourteen days",
    ("ur", "desktop"): "within ten working days",
    ("ur", "phone"): "within seven working days",
}


def editor_journey(visit: RoleVisit, demo, email: str):
    """home → sign in → the consultation → its editor → import a revised draft → preview →
    replace the working draft → publish → the consultation shows the new version."""
    page, lang = visit.page, visit.lang
    sign_in(visit, email)
    visit.click(page.locator(".site-nav a").first, "home")
    visit.click(page.locator("section[aria-labelledby=open-heading] a").first, "consultation")
    visit.click(page.locator(".ways-edit a"), "the page's editor")
    before = demo.current_version().number

    import_link = page.locator("a", has_text="Import clauses").first
    if not import_link.is_visible():  # a phone folds the header's buttons into a menu
        page.locator("header [aria-label='Actions'], header .w-dropdown__toggle").first.click()
    visit.click(import_link, "import clauses")
    clauses = list(demo.current_version().clauses.order_by("position"))
    first = clauses[0]
    draft = "\n".join(f"{c.identifier}. {c.heading}\n{c.text}" for c in clauses)
    words = NEW_WORDS[lang, visit.width]
    draft = draft.replace(first.text, f"{first.text} Complaints are decided {words}.")
    page.locator("textarea[name=pasted]").fill(draft)
    visit.click(page.locator("main button[type=submit]"), "import preview")
    assert page.locator("tr.imported-clause[data-status=changed]").count() >= 1
    visit.click(page.locator("main button[name=confirm]"), "working draft replaced")

    # Publish from the editor's footer: the primary action's menu holds "Publish".
    publish = page.locator("button[name=action-publish]")
    if not publish.is_visible():
        page.locator(
            "footer .w-dropdown__toggle, footer [data-w-dropdown-target=toggle]"
        ).first.click()
    with page.expect_navigation():
        publish.click()
    visit.check("published")
    assert page.locator(".messages .error, .help-critical").count() == 0, page.url
    demo.refresh_from_db()
    from consult.services import run_reanchoring

    version = demo.versions.order_by("-number").first()
    run_reanchoring(version.pk)  # the background job a worker runs
    assert version.number > before
    assert words in version.clauses.get(key=first.key).text


def test_editor_journey_in_both_languages_on_desktop_and_phone(live_server, demo, browser):
    def journey(visit, lang, width):
        email = f"ed-{lang}-{width}@example.org"
        user_in(roles.MINISTRY_EDITOR, email)
        editor_journey(visit, demo, email)

    walk(browser, live_server, journey)
