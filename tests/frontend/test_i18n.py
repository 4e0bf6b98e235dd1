"""Two languages everywhere: every interface string has an Urdu translation, Urdu pages are
right-to-left and mirror, and the language switch works without JavaScript."""

from __future__ import annotations

import shutil

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from tests.i18n_tools import LOCALE_DIR, ROOT, SOURCE_APPS

COMMITTED_PO = LOCALE_DIR / "ur" / "LC_MESSAGES" / "django.po"


def _key(entry: polib.POEntry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


def test_every_interface_string_has_an_urdu_translation(tmp_path, monkeypatch):
    """Extract every msgid from templates and Python now (not from the committed file) and
    require a non-fuzzy Urdu msgstr for each one in the committed .po."""
    # makemessages writes into any `locale` folder it walks past, so it runs on a copy of the
    # source without the committed catalogue; the committed .po is never touched.
    source = tmp_path / "src"
    ignore = shutil.ignore_patterns("locale", "node_modules", "__pycache__", "*.mo", "*.po")
    for app in SOURCE_APPS:
        shutil.copytree(ROOT / app, source / app, ignore=ignore)
    monkeypatch.chdir(source)
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        (tmp_path / "locale").mkdir()
        call_command("makemessages", locale=["ur"], verbosity=0, no_obsolete=True)
    extracted = polib.pofile(str(tmp_path / "locale" / "ur" / "LC_MESSAGES" / "django.po"))
    assert len(extracted) > 50, "makemessages found suspiciously few strings"
    committed = {_key(entry): entry for entry in polib.pofile(str(COMMITTED_PO))}

    missing = []
    for entry in extracted:
        done = committed.get(_key(entry))
        translated = (
            done is not None
            and not done.fuzzy
            and not done.obsolete
            and (all(done.msgstr_plural.values()) if entry.msgid_plural else bool(done.msgstr))
        )
        if not translated:
            where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
            missing.append(f"{entry.msgid!r} ({where})")
    assert not missing, (
        f"{len(missing)} string(s) have no Urdu translation in {COMMITTED_PO.relative_to(ROOT)} "
        "(run `manage.py makemessages -l ur --ignore=.venv --ignore=node_modules`, translate, "
        "remove '#, fuzzy'):\n" + "\n".join(missing)
    )


def test_compiled_catalogue_translates_at_runtime():
    with translation.override("ur"):
        assert translation.gettext("Skip to content") != "Skip to content"
        assert translation.gettext("Open Consultation") != "Open Consultation"


def test_urdu_page_is_rtl_with_bilingual_headings(client, demo):
    body = client.get("/ur" + demo.url).content.decode()
    assert '<html lang="ur" dir="rtl">' in body
    with translation.override("ur"):
        assert translation.gettext("Skip to content") in body
    clause = demo.current_version().clauses.exclude(heading_ur="").exclude(heading="").first()
    # Clause numbers are isolated left-to-right runs inside the Urdu text.
    assert f'<bdi class="clause-number" dir="ltr">{clause.identifier}.</bdi>' in body
    # Both headings side by side: the Urdu one first, the English one marked lang="en".
    assert clause.heading_ur in body
    assert f'<span class="clause-heading-other" lang="en" dir="ltr">{clause.heading}</span>' in body


def test_english_page_shows_urdu_heading_alongside(client, demo):
    body = client.get(demo.url).content.decode()
    assert '<html lang="en" dir="ltr">' in body
    clause = demo.current_version().clauses.exclude(heading_ur="").first()
    assert f'lang="ur" dir="rtl">{clause.heading_ur}</span>' in body


@pytest.mark.parametrize("prefix,other_href", [("", "/ur{url}"), ("/ur", "{url}")])
def test_language_switch_is_plain_links_on_every_page(client, demo, prefix, other_href):
    for url in (demo.url, "/receipt/", "/"):
        body = client.get(prefix + url).content.decode()
        expected = other_href.format(url=url)
        assert f'<a href="{expected}" lang=' in body, (prefix + url, expected)
        assert 'aria-current="true"' in body


def test_urdu_content_locale_exists(db):
    """Wagtail's localisation: the Urdu locale exists, so a translated copy can be made."""
    from wagtail.models import Locale

    assert Locale.objects.filter(language_code="ur").exists()
    assert Locale.get_default().language_code == "en"


def test_urdu_translation_of_the_consultation_can_exist(demo):
    from wagtail.models import Locale

    urdu = Locale.objects.get(language_code="ur")
    home_ur = demo.get_parent().specific.copy_for_translation(urdu)
    page_ur = demo.copy_for_translation(urdu)
    assert page_ur.translation_key == demo.translation_key
    assert page_ur.locale == urdu and home_ur.locale == urdu
    assert demo.get_translation(urdu).pk == page_ur.pk


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_language_switch_works_without_javascript(live_server, demo, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + demo.url)
        assert page.locator("html").get_attribute("dir") == "ltr"
        page.locator(".language-switch a[lang=ur]").click()
        page.wait_for_url("**/ur" + demo.url)
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator("h1").inner_text() == demo.title_ur
        page.locator(".language-switch a[lang=en]").click()
        page.wait_for_url(live_server.url + demo.url)
        assert page.locator("html").get_attribute("lang") == "en"
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["en", "ur"])
def test_layout_mirrors_in_urdu(live_server, demo, page, lang):
    """In Urdu the brand sits at the right edge and the clause headings start from the right."""
    prefix = "/ur" if lang == "ur" else ""
    page.set_viewport_size({"width": 1000, "height": 800})  # header on one row
    page.goto(live_server.url + prefix + demo.url)
    width = page.viewport_size["width"]
    brand = page.locator(".brand").bounding_box()
    switch = page.locator(".language-switch").bounding_box()
    number = page.locator(".clause-number").first.bounding_box()
    if lang == "ur":
        assert brand["x"] + brand["width"] > width - 40
        assert switch["x"] + switch["width"] < brand["x"]
        assert number["x"] > width / 2  # the heading starts from the right
        assert (
            page.locator(".clause-number").first.evaluate("e => getComputedStyle(e).direction")
            == "ltr"
        )
        font = page.locator("h1").evaluate("e => getComputedStyle(e).fontFamily")
        assert font.startswith('"Noto Nastaliq Urdu"')
    else:
        assert brand["x"] < 40
        assert switch["x"] > brand["x"] + brand["width"]
        assert number["x"] < width / 2
