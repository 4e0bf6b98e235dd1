"""What changed and why: per changed clause, the first draft, the final text as a redline,
and the themes and responses that led to the change; on the page, in the PDF and in the
open data, in both languages."""

from __future__ import annotations

import csv
import html as html_lib
import io
import json
import re
import shutil
import subprocess

import pytest

from analysis.models import ThemeMember
from analysis.selectors import clause_changes, redline_text
from drafts.redline import redline
from tests.cms.test_report import report  # noqa: F401 - the published report of a real analysis


def _expected(demo):
    versions = demo.versions.live().order_by("number")
    first, final = versions.first(), versions.last()
    rows = redline(list(first.clauses.all()), list(final.clauses.all()))
    return first, final, [r for r in rows if r.status != "unchanged"], rows


def _section(html: str) -> str:
    match = re.search(r'<section id="changes">.*?</section>', html, flags=re.S)
    assert match, "no 'What changed and why' section"
    return match.group(0)


def test_only_changed_clauses_with_the_themes_about_them(client, report):  # noqa: F811
    demo = report.get_parent().specific
    first, final, changed, rows = _expected(demo)
    assert changed and len(changed) < len(rows)  # the demo's version 2 revises some clauses
    html = client.get(report.url).content.decode()
    section = _section(html)
    assert "What changed and why" in section
    for row in rows:
        assert (f'id="change-{row.key}"' in section) == (row in changed), row.key
    for row in changed:
        table = re.search(
            rf'<table[^>]*id="change-{row.key}".*?</table>', section, flags=re.S
        ).group(0)
        # The first draft's words and the final's, with the words taken out and put in.
        assert html_lib.escape(row.old.text[:40]) in table
        marked = [p for p in row.pieces if p.kind != "same"]
        assert marked
        for piece in marked:
            tag = piece.kind  # "ins" or "del"
            assert f"<{tag}>{html_lib.escape(piece.text)}</{tag}>" in table
        # The themes whose submissions are about this clause, and only those.
        about = set(
            ThemeMember.objects.filter(
                theme__run=report.run, submission__clause_key=row.key
            ).values_list("theme__number", flat=True)
        )
        shown = {int(n) for n in re.findall(r'href="#theme-(\d+)"', table)}
        assert shown == about, row.key
    assert any(
        ThemeMember.objects.filter(theme__run=report.run, submission__clause_key=r.key).exists()
        for r in changed
    )


def test_a_response_naming_the_clause_stands_beside_it(client, report):  # noqa: F811
    demo = report.get_parent().specific
    _first, final, changed, _rows = _expected(demo)
    response = report.responses.get(outcome="partly")
    response.changed_clause = final.clauses.get(key=changed[0].key)
    response.save()
    html = client.get(report.url).content.decode()
    table = re.search(
        rf'<table[^>]*id="change-{changed[0].key}".*?</table>', _section(html), flags=re.S
    ).group(0)
    assert f'href="#theme-{response.theme.number}"' in table
    assert "Partly accepted" in table
    assert "Complaints will also be accepted in Sindhi and Pashto." in table


def test_urdu_page_isolates_the_english_draft_text(client, report):  # noqa: F811
    html = client.get(f"/ur{report.url}").content.decode()
    assert '<html lang="ur" dir="rtl"' in html
    section = _section(html)
    assert "What changed and why" not in section and "کیا بدلا اور کیوں" in section
    texts = re.findall(r'<div class="draft-text" lang="en" dir="ltr">', section)
    _first, _final, changed, _rows = _expected(report.get_parent().specific)
    assert len(texts) == 2 * len(changed)  # the first draft and the final, each isolated


def test_no_section_while_there_is_one_version(report):  # noqa: F811
    demo = report.get_parent().specific
    assert clause_changes(demo, report.run)
    demo.versions.exclude(number=1).update(anchoring="superseded")
    assert clause_changes(demo, report.run) == []


def test_what_changed_in_the_open_data(client, report):  # noqa: F811
    demo = report.get_parent().specific
    first, final, changed, _rows = _expected(demo)
    data = json.loads(client.get(report.url + "open-data/json/").content)
    rows = data["clause_changes"]
    assert [r["clause"] for r in rows] == [r.key for r in changed]
    assert rows[0]["first_version"] == first.number and rows[0]["final_version"] == final.number
    assert rows[0]["redline"] == redline_text(changed[0].pieces)
    assert "[-" in rows[0]["redline"] and "{+" in rows[0]["redline"]
    for row in rows:
        for theme in row["themes"]:
            assert set(theme) == {"number", "label", "submissions", "response"}
    body = b"".join(
        client.get(report.url + "open-data/clause-changes/csv/").streaming_content
    ).decode("utf-8-sig")
    csv_rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["clause"] for r in csv_rows] == [r.key for r in changed]
    assert csv_rows[0]["final"] == changed[0].new.text
    html = client.get(report.url).content.decode()
    assert 'href="' + report.url + 'open-data/clause-changes/csv/"' in html


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
@pytest.mark.parametrize("lang", ["en", "ur"])
def test_what_changed_in_the_pdf(client, report, lang, tmp_path):  # noqa: F811
    prefix = "/ur" if lang == "ur" else ""
    response = client.get(f"{prefix}{report.url}pdf/")
    assert response.status_code == 200
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = re.sub("[\u202a-\u202e]", "", text)
    heading = "What changed and why" if lang == "en" else "کیا بدلا اور کیوں"
    assert heading in text
    _first, _final, changed, _rows = _expected(report.get_parent().specific)
    inserted = next(p.text for p in changed[0].pieces if p.kind == "ins" and p.text.strip())
    assert inserted.split()[0] in text
