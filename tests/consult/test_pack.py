"""The printable consultation pack: one PDF with the draft and a paper comment form in both
English and Urdu, whatever the language of the page it was opened from."""

from __future__ import annotations

import re
import subprocess
import unicodedata

import pytest
from django.utils import timezone, translation


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    # Arabic-script text can come out as presentation forms (NFKC maps them back to letters)
    # wrapped in bidi embedding marks; columns side by side interleave lines.
    text = unicodedata.normalize("NFKC", text)
    text = re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text)
    return " ".join(text.split())


def _words(text: str) -> set[str]:
    # Vowel marks (zer, superscript alef) are placed as separate glyphs: compare letters only.
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return set(re.split(r"[\s0-9()\[\]،,.:;“”\"☐/]+", text)) - {""}


def _has_phrase(text: str, phrase: str) -> bool:
    """Every word of ``phrase`` is in the PDF text (line order differs in two columns)."""
    return _words(phrase) <= _words(text)


@pytest.mark.parametrize("prefix", ["", "/ur"])
def test_pack_pdf_has_draft_and_form_in_both_languages(client, demo, tmp_path, prefix):
    response = client.get(f"{prefix}/{demo.slug}/pack.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = _pdf_text(response.content, tmp_path)
    info = subprocess.run(["pdfinfo", "-"], input=response.content, capture_output=True)
    assert (
        int(
            next(
                line for line in info.stdout.decode().splitlines() if line.startswith("Pages:")
            ).split()[1]
        )
        >= 3
    )

    # English: title, every clause number and heading, the form.
    assert " ".join(demo.title.split()) in text
    for clause in demo.current_version().clauses.all():
        assert " ".join(clause.heading.split()) in text, clause.heading
    assert "Paper comment form" in text
    # Urdu: the Urdu title, clause headings and the form's Urdu labels.
    assert _has_phrase(text, demo.title_ur)
    urdu_headings = [c.heading_ur for c in demo.current_version().clauses.exclude(heading_ur="")]
    assert urdu_headings
    missing = [h for h in urdu_headings if not _has_phrase(text, h)]
    assert not missing
    with translation.override("ur"):
        assert _has_phrase(text, translation.gettext("Paper comment form"))
        assert _has_phrase(text, translation.gettext("Your comment"))
        assert _has_phrase(text, translation.gettext("Oppose"))


def test_pack_for_unknown_consultation_is_404(client, db):
    assert client.get("/no-such-consultation/pack.pdf").status_code == 404


def test_consultation_page_links_to_the_pack(client, demo):
    for prefix in ("", "/ur"):
        body = client.get(prefix + demo.url).content.decode()
        assert f'href="{prefix}/{demo.slug}/pack.pdf"' in body


# --- what a printed pack must be (issue 15, "The pack") ----------------------------------------


def _page_texts(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout.decode()
    count = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    pages = []
    for number in range(1, count + 1):
        out = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-f", str(number), "-l", str(number), str(path), "-"],
            capture_output=True,
            check=True,
        ).stdout.decode()
        out = re.sub(
            "[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", unicodedata.normalize("NFKC", out)
        )
        pages.append(" ".join(out.split()))
    return pages


PACK_SETTINGS = {
    "SITE_URL": "https://consult.example.gov.pk",
    "POSTAL_ADDRESS": "Consultations Desk, Ministry of IT, F-5/1, Islamabad 44000",
    "POSTAL_ADDRESS_UR": "مشاورت ڈیسک، وزارت آئی ٹی، اسلام آباد",
}


@pytest.fixture
def pack_settings(settings):
    for name, value in PACK_SETTINGS.items():
        setattr(settings, name, value)
    return settings


@pytest.mark.parametrize("prefix", ["", "/ur"])
def test_each_column_and_each_form_is_in_its_own_language(
    client, demo, tmp_path, prefix, pack_settings
):
    from consult.models import Stakeholder, Stance

    pages = _page_texts(client.get(f"{prefix}/{demo.slug}/pack.pdf").content, tmp_path)
    first = pages[0]
    # The pack prints the day in the site's time zone (Asia/Karachi): from 19:00 UTC on,
    # that is already the next day.
    closes = timezone.localtime(demo.closes_at)
    with translation.override("en"):
        english_month = closes.strftime("%B")
    with translation.override("ur"):
        from django.utils.dateformat import format as date_format

        urdu_date = date_format(closes, "j F Y")
    assert f"{closes.day} {english_month} {closes.year}" in first  # the English column
    assert _has_phrase(first, urdu_date)  # the Urdu column, with the Urdu month
    # Two forms, each on one page of its own: English, then Urdu; nothing spills over.
    english_form, urdu_form = pages[-2], pages[-1]
    assert "Paper comment form" in english_form and "Show my name" in english_form
    assert PACK_SETTINGS["POSTAL_ADDRESS"] in english_form
    assert PACK_SETTINGS["SITE_URL"] in english_form
    assert "127.0.0.1" not in "".join(pages) and "testserver" not in "".join(pages)
    options = len(Stance.choices) + len(Stakeholder.choices) + 1  # + "show my name"
    assert english_form.count("☐") == options
    assert urdu_form.count("☐") == options
    with translation.override("ur"):
        for words in ("Paper comment form", "Your comment", "Show my name"):
            assert _has_phrase(urdu_form, translation.gettext(words)), words
    assert _has_phrase(urdu_form, PACK_SETTINGS["POSTAL_ADDRESS_UR"])
    assert "Paper comment form" not in urdu_form and "Your comment" not in urdu_form


def test_the_pack_is_made_once_per_version(client, demo, pack_settings, monkeypatch):
    import weasyprint

    made = []
    real = weasyprint.HTML.write_pdf

    def counting(self, *args, **kwargs):
        made.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", counting)
    first = client.get(f"/{demo.slug}/pack.pdf").content
    assert client.get(f"/ur/{demo.slug}/pack.pdf").content == first  # one pack, any page
    assert len(made) == 1
    page = demo.get_latest_revision_as_object()
    page.summary = "The summary as the ministry rewrote it."
    page.save_revision().publish()
    second = client.get(f"/{demo.slug}/pack.pdf").content
    assert len(made) == 2 and second != first
