"""The printable consultation pack: one PDF with the draft and a paper comment form in both
English and Urdu, whatever the language of the page it was opened from."""

from __future__ import annotations

import re
import subprocess
import unicodedata

import pytest
from django.utils import translation


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
