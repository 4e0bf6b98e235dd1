"""A published report built from real submissions, for the security tests of open data."""

from __future__ import annotations

import csv
import io

from analysis.models import AnalysisRun
from analysis.services import execute_run, start_analysis
from tests.analysis.test_analysis_db import SMALL, add_eval_submissions


def build_report(consultation, capture_on_commit, *, background: int = 40):
    """Add ``background`` evaluation submissions (so themes form), run the analysis in this
    process and return its published report page."""
    add_eval_submissions(consultation, count=background)
    with capture_on_commit(execute=False):  # run the task body directly
        run = start_analysis(consultation, parameters=SMALL)
    execute_run(run.pk)
    run = AnalysisRun.objects.get(pk=run.pk)
    page = run.report_pages.get()
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def open_data_csv(client, report) -> tuple[str, list[dict]]:
    """The CSV's text and its rows, read as a spreadsheet would."""
    response = client.get(report.url + "open-data/csv/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return body, list(csv.DictReader(io.StringIO(body)))
