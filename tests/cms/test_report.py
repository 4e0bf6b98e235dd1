"""The report page: HTML with charts and tables, a PDF that opens, open data without
personal data."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess

import pytest

from analysis.models import AnalysisRun, ThemeResponse
from analysis.services import execute_run, start_analysis
from consult.models import Submission
from tests.analysis.test_analysis_db import SMALL, add_eval_submissions

PHONE = "0300-1234567"


@pytest.fixture
def report(demo, django_capture_on_commit_callbacks):
    added = add_eval_submissions(demo, count=40)
    redacted = added[2]
    Submission.objects.filter(pk=redacted.pk).update(
        original_text=f"Call me on {PHONE} about the registry.",
        comment="Call me on [phone number removed] about the registry.",
    )
    with django_capture_on_commit_callbacks(execute=False):  # run the task body directly
        run = start_analysis(demo, parameters=SMALL)
    execute_run(run.pk)
    run = AnalysisRun.objects.get(pk=run.pk)
    page = run.report_pages.get()
    # The ministry answers the first theme with a link to the changed clause, then publishes.
    response = page.responses.first()
    ThemeResponse.objects.filter(pk=response.pk).update(
        outcome="partly",
        reason="Complaints will also be accepted in Sindhi and Pashto.",
        changed_clause=demo.current_version().clauses.get(key="c-18"),
    )
    page.refresh_from_db()
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def test_report_renders_method_themes_charts_and_responses(client, report):
    response = client.get(report.url)
    assert response.status_code == 200
    html = response.content.decode()
    run = report.run
    assert "How the submissions were analysed" in html
    for theme in run.themes.all():
        assert theme.label in html
    assert html.count("<svg") == 1 + len(run.results["clauses"])
    assert html.count("Data for the chart") == html.count("<svg")
    assert "Partly accepted" in html and "?clause=c-18" in html
    member = run.themes.first().members.first().submission_id
    # A link to the public page of a submission behind the theme.
    assert f'href="/{run.consultation.slug}/comments/{member}/"' in html
    assert PHONE not in html


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_report_pdf_opens(client, report, tmp_path):
    response = client.get(report.url + "pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "How the submissions were analysed" in text
    assert report.run.themes.first().label.split(" / ")[0] in text


def test_open_data_csv_has_public_text_and_no_redacted_personal_data(client, report):
    response = client.get(report.url + "open-data/csv/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert PHONE not in body
    rows = list(csv.DictReader(io.StringIO(body)))
    published = Submission.objects.filter(consultation=report.run.consultation, is_public=True)
    assert len(rows) == published.filter(is_removed=False).count()
    assert any(r["text"] == "Call me on [phone number removed] about the registry." for r in rows)
    assert "original_text" not in rows[0] and "user_email" not in rows[0]
    assert all(r["theme"] for r in rows)


def test_open_data_json_has_figures_and_no_personal_data(client, report):
    response = client.get(report.url + "open-data/json/")
    assert response.status_code == 200
    assert PHONE not in response.content.decode()
    data = json.loads(response.content)
    assert data["figures"]["clauses"] and data["themes"]
    assert {r["outcome"] for t in data["themes"] if (r := t["response"])} >= {"partly"}
