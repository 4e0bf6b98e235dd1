"""Town halls on a real server: daphne in a subprocess on a file database, real Chromium,
and several OS processes appending events to one SQLite file at once."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from tests.a11y import assert_no_axe_violations
from tests.servers import migrated_sqlite_env, start_daphne, stop, unused_port

ROOT = Path(__file__).resolve().parents[2]

SETUP_SCRIPT = """
import json, sys
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from cms.demo import make_town_hall
page = make_town_hall(slug=sys.argv[-1])
fac = page.facilitators.get()
s = SessionStore()
s[SESSION_KEY] = str(fac.pk)
s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
s[HASH_SESSION_KEY] = fac.get_session_auth_hash()
s.save()
print(json.dumps({"url": page.url, "id": page.pk, "fac_session": s.session_key}))
"""

APPEND_SCRIPT = """
import sys
from django.contrib.auth import get_user_model
from cms.models import TownHallPage
from consult.live.services.checks import Actor
from consult.live.services.session import announce
page = TownHallPage.objects.get(pk=int(sys.argv[-2]))
user = get_user_model().objects.get(username="facilitator")
actor = Actor(f"u:{user.pk}", user, True)
for i in range(int(sys.argv[-1])):
    announce(page, actor, f"process line {i}")
"""


def _python(env, script, *args, timeout=300):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + script, *args],
        cwd=ROOT,
        env=env | {"DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="session")
def file_db_env(tmp_path_factory):
    """A migrated SQLite file that daphne and helper processes share."""
    env = migrated_sqlite_env(tmp_path_factory.mktemp("live") / "live.sqlite3", "livetest")
    return env


def test_processes_appending_at_once_get_gapless_seqs(file_db_env):
    """Four processes, ten events each, one SQLite file: seq 1..41 exactly once each."""
    start = (
        "\nfrom consult.live.services.checks import Actor\n"
        "from consult.live.services.session import start_session\n"
        "start_session(page, Actor(f'u:{fac.pk}', fac, True))\n"
    )
    hall = json.loads(_python(file_db_env, SETUP_SCRIPT + start, "concurrency"))
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import django; django.setup()\n" + APPEND_SCRIPT,
                str(hall["id"]),
                "10",
            ],
            cwd=ROOT,
            env=file_db_env | {"DJANGO_SETTINGS_MODULE": "config.settings"},
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
    # Read straight from the file: one more process only to set Django up cost seconds.
    from consult.live.models import LiveEvent, TownHall

    with closing(sqlite3.connect(file_db_env["DATABASE_URL"].removeprefix("sqlite:///"))) as db:
        ((townhall, last),) = db.execute(
            f"SELECT id, last_seq FROM {TownHall._meta.db_table} WHERE page_id = ?",
            [hall["id"]],
        )
        seqs = [seq for (seq,) in db.execute(
            f"SELECT seq FROM {LiveEvent._meta.db_table} WHERE townhall_id = ? ORDER BY seq",
            [townhall],
        )]  # fmt: skip
    assert seqs == list(range(1, 42))
    assert last == 41


def start_session(console):
    """Start the session from the facilitators' console: the button, then the dialog."""
    console.wait_for_selector("#live-connection:text-matches('Connected|منسلک')")
    console.click("#fac-start")
    console.click("#confirm-ok")
    console.wait_for_selector('#live-state[data-state="live"]')


@pytest.fixture(scope="session")
def daphne_server(file_db_env):
    port = unused_port()
    proc = start_daphne(file_db_env, port)
    base = f"http://127.0.0.1:{port}"
    yield base
    stop(proc)


@pytest.mark.browser
def test_browser_question_reaches_other_participant_without_reload(
    daphne_server, file_db_env, browser, artifacts
):
    """One participant asks, the facilitator approves, another participant sees it live."""
    hall = json.loads(_python(file_db_env, SETUP_SCRIPT, "browser"))
    url = daphne_server + hall["url"]
    contexts = [browser.new_context(viewport={"width": 412, "height": 915}) for _ in range(3)]
    asker, watcher, facilitator = (c.new_page() for c in contexts)
    contexts[2].add_cookies(
        [{"name": "sessionid", "value": hall["fac_session"], "url": daphne_server}]
    )
    try:
        facilitator.goto(url + "console/")
        start_session(facilitator)

        watcher.goto(url)
        watcher.wait_for_selector('#live-state[data-state="live"]')
        watcher.evaluate("window.__sameDocument = true")
        asker.goto(url)
        asker.wait_for_selector("#ask-form:not([hidden])")
        asker.fill("#ask-text", "Will small firms get more time to comply?")
        asker.click("#ask-form button[type=submit]")

        pending = facilitator.locator("#console-pending li", has_text="small firms")
        pending.wait_for()
        assert watcher.locator("#live-questions .q-text").count() == 0
        pending.get_by_role("button", name="Approve").click()

        shown = watcher.locator("#live-questions .q-text", has_text="small firms")
        shown.wait_for(timeout=10000)
        assert watcher.evaluate("window.__sameDocument") is True  # no reload happened
        watcher.get_by_role("button", name="Vote").click()
        watcher.wait_for_selector('#live-questions li .q-votes:text("1")')
        asker.wait_for_selector('#live-questions li .q-votes:text("1")')
        watcher.screenshot(path=str(artifacts / "town-hall-live.png"))
    finally:
        for context in contexts:
            context.close()


WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}


def check(page, lang: str, what: str):
    """The page's language, no sideways scroll, no axe violation."""
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == lang, (what, page.url)
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ur" else "ltr")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{what} scrolls sideways by {overflow}px at {page.viewport_size}"
    assert_no_axe_violations(page)


@pytest.mark.browser
def test_browser_console_and_projector_by_clicking_then_an_approval_reaches_the_screen(
    daphne_server, file_db_env, browser, artifacts
):
    """Town hall page → console → projector, by clicking, in English and Urdu at 1280 and
    390 px; then the facilitator approves a question in the console and the projector shows
    it, without a reload; a caption follows; a rejection takes a reason from a select."""
    hall = json.loads(_python(file_db_env, SETUP_SCRIPT, "console"))
    cookie = {"name": "sessionid", "value": hall["fac_session"], "url": daphne_server}
    failures = []
    for lang in ("en", "ur"):
        prefix = "/ur" if lang == "ur" else ""
        for width, (w, h) in WIDTHS.items():
            context = browser.new_context(viewport={"width": w, "height": h})
            context.add_cookies([cookie])
            page = context.new_page()
            try:
                page.goto(daphne_server + prefix + hall["url"])
                check(page, lang, "town hall")
                with page.expect_navigation():
                    page.locator(".console-link a").click()
                check(page, lang, "console")
                with page.expect_navigation():
                    page.locator(".console-links a[href$='/screen/']").click()
                check(page, lang, "projector")
            except Exception as error:  # noqa: BLE001 - report every combination
                failures.append(f"{lang} at {width}: {error}")
            finally:
                context.close()
    assert not failures, "\n\n".join(failures)

    url = daphne_server + hall["url"]
    contexts = [
        browser.new_context(viewport={"width": 1280, "height": 800}),  # the console
        browser.new_context(viewport={"width": 1280, "height": 800}),  # the projector
        browser.new_context(viewport={"width": 390, "height": 844}),  # a participant
    ]
    contexts[0].add_cookies([cookie])
    console, screen, asker = (c.new_page() for c in contexts)
    try:
        console.goto(url + "console/")
        start_session(console)
        screen.goto(daphne_server + "/ur" + hall["url"] + "screen/")
        screen.wait_for_selector('#live-state[data-state="live"]')
        screen.evaluate("window.__sameDocument = true")
        asker.goto(url)
        asker.wait_for_selector("#ask-form:not([hidden])")
        for text in ("Will small firms get more time?", "Buy cheap watches"):
            asker.fill("#ask-text", text)
            asker.click("#ask-form button[type=submit]")
            console.locator("#console-pending li", has_text=text).wait_for()
        assert "small firms" not in screen.locator("#screen-current").inner_text()

        pending = console.locator("#console-pending li", has_text="small firms")
        pending.get_by_role("button", name="Approve").click()
        screen.locator("#screen-current", has_text="small firms").wait_for(timeout=10000)
        assert screen.evaluate("window.__sameDocument") is True  # no reload happened

        spam = console.locator("#console-pending li", has_text="cheap watches")
        spam.get_by_label("Reason").select_option("spam")
        spam.get_by_role("button", name="Reject").click()
        asker.locator("#live-pending li[data-status=rejected]", has_text="spam").wait_for()

        console.fill("#caption-text", "Clause 2 now")
        console.click("#caption-form button[type=submit]")
        screen.locator("#live-caption", has_text="Clause 2 now").wait_for()
        assert screen.locator("#live-caption").get_attribute("dir") == "auto"
        check(screen, "ur", "projector with a question and a caption")
        check(console, "en", "console with questions")
        screen.screenshot(path=str(artifacts / "town-hall-projector.png"))

        # The order of the questions is a link the keyboard reaches, kept in the address.
        asker.locator(".question-sort a[data-sort=time]").focus()
        asker.keyboard.press("Enter")
        asker.wait_for_url("**?sort=time")
        assert asker.locator(".question-sort a[data-sort=time]").get_attribute("aria-current")
        check(asker, "en", "participants' page sorted by time")

        # Ending asks first; cancelling keeps the session live.
        console.click("#fac-end")
        console.click("#confirm-cancel")
        assert console.locator("#live-state").get_attribute("data-state") == "live"
        console.click("#fac-end")
        console.click("#confirm-ok")
        screen.wait_for_selector('#live-state[data-state="ended"]')
        # Ended: no old caption, and no promise of live updates, on every open page.
        for ended, note in (
            (screen, "یہ ٹاؤن ہال ختم ہو چکا ہے۔"),
            (asker, "This town hall has ended."),
        ):
            ended.wait_for_selector('#live-state[data-state="ended"]')
            assert not ended.locator("#live-caption").is_visible()
            ended.locator("#live-connection", has_text=note).wait_for(timeout=5000)
    finally:
        for context in contexts:
            context.close()
