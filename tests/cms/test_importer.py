"""The importer splits drafts at each numbering style and reads .docx/.md uploads."""

from __future__ import annotations

import io

import pytest

from cms.importer import DraftImportError, split_clauses, text_from_upload


def ids(text):
    return [c.identifier for c in split_clauses(text)]


def test_plain_numbers_with_headings_and_subrules():
    text = (
        "DRAFT RULES\nPreamble that is not a clause.\n"
        "1. Short title\n(1) These Rules may be called the Rules.\n(2) They extend to Pakistan.\n"
        '2. Definitions\n(a) "Authority" means the Authority;\n'
    )
    clauses = split_clauses(text)
    assert [c.identifier for c in clauses] == ["1", "2"]
    assert clauses[0].heading == "Short title"
    assert (
        clauses[0].text == "(1) These Rules may be called the Rules.\n(2) They extend to Pakistan."
    )
    assert clauses[1].text.startswith('(a) "Authority"')


def test_sub_numbered_headings_like_7_2():
    text = (
        "7(1) A provider shall register.\n7(2) A deployer shall keep logs.\n7(2)(a) for two years."
    )
    clauses = split_clauses(text)
    assert [c.identifier for c in clauses] == ["7(1)", "7(2)", "7(2)(a)"]
    assert clauses[1].heading == "" and clauses[1].text == "A deployer shall keep logs."


def test_section_and_rule_keywords():
    assert ids("Section 3 Application\nThese rules apply.\nSection 4. Authority\nText.") == [
        "3",
        "4",
    ]
    clauses = split_clauses(
        "Rule 4 - Authority\nThe Authority shall be set up.\nRule 5: Functions\nIt shall."
    )
    assert [(c.identifier, c.heading) for c in clauses] == [("4", "Authority"), ("5", "Functions")]
    assert ids("Article 12. Review\nText") == ["12"]


def test_urdu_numerals_and_keywords():
    text = "۱۔ مختصر عنوان\n(۱) یہ قواعد کہلائیں گے۔\n۲۔ تعریفات\nمتن\nدفعہ ۱۲ جائزہ\nمتن"
    clauses = split_clauses(text)
    assert [c.identifier for c in clauses] == ["1", "2", "12"]
    assert clauses[0].heading == "مختصر عنوان"
    assert clauses[0].text == "(۱) یہ قواعد کہلائیں گے۔"


def test_bare_numbers_in_text_do_not_split():
    text = "1. Commencement\nThese Rules come into force in\n2026 on a date notified.\n(3) More."
    clauses = split_clauses(text)
    assert len(clauses) == 1 and "2026 on a date" in clauses[0].text


def test_markdown_headings():
    text = (
        "# Draft\n\n## 1. Short title\n\nThese Rules.\n\n"
        "### 2. Definitions\n\n**Authority** means.\n"
    )
    clauses = split_clauses(text)
    assert [(c.identifier, c.heading) for c in clauses] == [
        ("1", "Short title"),
        ("2", "Definitions"),
    ]
    assert clauses[1].text == "**Authority** means."


def test_docx_upload_is_read():
    import docx

    document = docx.Document()
    document.add_heading("Rule 1. Short title", level=2)
    document.add_paragraph("(1) These Rules may be called the AI Rules.")
    document.add_heading("Rule 2. Definitions", level=2)
    document.add_paragraph("(a) Authority means the Authority.")
    buffer = io.BytesIO()
    document.save(buffer)
    clauses = split_clauses(text_from_upload("draft.docx", buffer.getvalue()))
    assert [(c.identifier, c.heading) for c in clauses] == [
        ("1", "Short title"),
        ("2", "Definitions"),
    ]
    assert clauses[0].text == "(1) These Rules may be called the AI Rules."


def test_bad_uploads_are_refused_clearly():
    with pytest.raises(DraftImportError, match="docx"):
        text_from_upload("draft.pdf", b"%PDF")
    with pytest.raises(DraftImportError, match="readable"):
        text_from_upload("draft.docx", b"not a zip")


def test_demo_draft_round_trips():
    """The demo's 27 clauses, written out as text, split back into the same 27."""
    from cms.demo import load_draft

    draft = load_draft()
    text = "\n".join(f"{c['identifier']}. {c['heading']}\n{c['text']}" for c in draft["clauses"])
    clauses = split_clauses(text)
    assert [c.identifier for c in clauses] == [c["identifier"] for c in draft["clauses"]]
    assert [c.text for c in clauses] == [c["text"] for c in draft["clauses"]]


def test_stable_keys_by_key_then_similarity():
    from cms.services import stable_keys

    previous = [("c-1", "alpha beta gamma"), ("c-2", "delta epsilon zeta"), ("c-3", "eta theta")]
    rows = [
        ("c-1", "1", "alpha beta gamma"),
        ("c-2", "2", "something entirely different, new"),
        ("c-3", "3", "delta epsilon zeta"),  # old 2, renumbered
        ("", "4", "eta theta iota"),  # old 3, renumbered, edited
    ]
    keys = stable_keys(previous, rows)
    assert keys[0] == "c-1" and keys[2] == "c-2" and keys[3] == "c-3"
    assert keys[1] not in {"c-1", "c-2", "c-3"} and len(set(keys)) == 4
