"""One report per consultation, run from the Wagtail admin (cms/analysis_views.py and
cms/wagtail_hooks.py): the analyst's button, live progress, the history of runs, re-runs
that update the one draft (cms/reports.py), and published states that stay citable. The run
service's own rules are in tests/analysis/test_analysis_runs.py."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from analysis.models import AnalysisRun, Theme, ThemeResponse
from analysis.services import execute_run, start_analysis
from cms.report_pages import ReportPage
from consult.roles import ANALYST, MINISTRY_EDITOR, MODERATOR
from tests.analysis.test_analysis_db import SMALL
from tests.analysis.test_analysis_runs import _user


def _analyse(consultation, user=None) -> AnalysisRun:
    run = start_analysis(consultation, user=user, parameters=SMALL, enqueue=False)
    return execute_run(run.pk)


def _report(consultation) -> ReportPage:
    return ReportPage.objects.child_of(consultation).get()


@pytest.fixture
def analyst(django_user_model):
    return _user(django_user_model, "ana", ANALYST)


# --- the report drafted from each run (cms/reports.py) ------------------------------------
@pytest.mark.django_db
def test_rerunning_updates_the_one_draft_report_at_a_stable_address(demo, analyst):
    first = _analyse(demo, analyst)
    report = _report(demo)
    assert report.slug == "report"
    # The ministry answers a theme; the answer must survive a re-run of the same data.
    answered = first.themes.order_by("-size").first()
    ThemeResponse.objects.filter(page=report, theme=answered).update(
        outcome="accepted", reason="We will translate the rules."
    )
    report.refresh_from_db()
    report.save_revision().publish()

    second = _analyse(demo, analyst)
    assert ReportPage.objects.child_of(demo).count() == 1  # no report-2
    report = _report(demo)
    assert report.slug == "report"
    draft = report.get_latest_revision_as_object()
    assert draft.run_id == second.pk
    assert report.run_id == first.pk  # the published report is unchanged until published
    assert {r.theme.run_id for r in draft.responses.all()} == {second.pk}
    carried = [r for r in draft.responses.all() if r.outcome == "accepted"]
    assert len(carried) == 1 and carried[0].reason == "We will translate the rules."


@pytest.mark.django_db
def test_every_published_state_of_the_report_stays_citable(client, demo, analyst):
    first = _analyse(demo, analyst)
    report = _report(demo)
    report.save_revision().publish()
    second = _analyse(demo, analyst)
    report = _report(demo)
    report.get_latest_revision().publish()
    report.refresh_from_db()
    assert report.run_id == second.pk
    assert report.url == f"/{demo.slug}/report/"

    response = client.get(report.url)
    assert response.status_code == 200
    html = response.content.decode()
    versions = html.split('<section id="published-versions">', 1)[1].split("</section>", 1)[0]
    links = re.findall(r'href="([^"]*/versions/\d+/)"', versions)
    assert len(links) == 2  # both published states, newest first
    older = client.get(links[-1])
    assert older.status_code == 200
    assert f"analysis-run-{first.pk}" in older.content.decode()
    assert f"analysis-run-{second.pk}" in client.get(links[0]).content.decode()
    # A revision that was never published is not public.
    draft = report.save_revision()
    assert client.get(f"{report.url}versions/{draft.pk}/").status_code == 404
    assert client.get(f"{report.url}versions/999999/").status_code == 404


# --- the admin -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_no_raw_model_form_for_runs(admin_client):
    assert admin_client.get("/admin/snippets/analysis/analysisrun/add/").status_code == 404


@pytest.mark.django_db
def test_the_run_button_queues_a_run_and_the_progress_view_reports_it(
    client, demo, analyst, django_capture_on_commit_callbacks, django_user_model
):
    runs_url = reverse("analysis_runs", args=[demo.pk])
    editor_and_analyst = _user(django_user_model, "both", ANALYST, MINISTRY_EDITOR)
    client.force_login(editor_and_analyst)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[demo.pk]))
    assert runs_url in edit.content.decode()  # "Run analysis" in the page header
    client.force_login(analyst)
    assert reverse("analysis_consultations") in client.get("/admin/").content.decode()  # menu
    assert runs_url in client.get(reverse("analysis_consultations")).content.decode()
    page = client.get(runs_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Run analysis" in html and "<script>" not in html
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("analysis_start", args=[demo.pk]))
    assert response.status_code == 302 and len(callbacks) == 1  # the task is enqueued
    run = AnalysisRun.objects.get()
    progress_url = reverse("analysis_progress", args=[run.pk])
    assert client.get(progress_url).json() == {
        "status": "queued",
        "status_label": "Queued",
        "stage": "",
        "stage_label": "Waiting for a worker",
        "percent": 0,
        "done": False,
        "report_url": None,
    }
    execute_run(run.pk)
    data = client.get(progress_url).json()
    assert data["status"] == "done" and data["percent"] == 100 and data["done"]
    assert data["report_url"] is None  # an analyst only: the ministry's editors edit it
    client.force_login(editor_and_analyst)
    data = client.get(progress_url).json()
    assert data["report_url"] == reverse("wagtailadmin_pages:edit", args=[_report(demo).pk])
    client.force_login(analyst)
    assert str(run.pk) in client.get(runs_url).content.decode()  # the history

    # Someone without the permission gets neither the page nor the button nor a run.
    moderator = _user(django_user_model, "mod", MODERATOR)
    client.force_login(moderator)
    # (Wagtail's admin turns a refusal into a redirect to the dashboard with a message.)
    assert client.get(runs_url).status_code in (302, 403)
    assert reverse("analysis_consultations") not in client.get("/admin/").content.decode()
    assert (
        runs_url
        not in client.get(reverse("wagtailadmin_pages:edit", args=[demo.pk])).content.decode()
    )
    assert client.post(reverse("analysis_start", args=[demo.pk])).status_code in (302, 403)
    assert client.get(progress_url).status_code in (302, 403)
    assert AnalysisRun.objects.count() == 1


@pytest.mark.django_db
def test_a_second_click_while_running_says_so(client, demo, analyst):
    client.force_login(analyst)
    client.post(reverse("analysis_start", args=[demo.pk]))
    response = client.post(reverse("analysis_start", args=[demo.pk]), follow=True)
    assert response.status_code == 200
    assert "already" in response.content.decode()
    assert AnalysisRun.objects.count() == 1


@pytest.mark.django_db
def test_the_response_form_offers_this_runs_themes_and_each_clause_once(admin_client, demo):
    _analyse(demo)
    second = _analyse(demo)
    report = _report(demo)
    html = admin_client.get(reverse("wagtailadmin_pages:edit", args=[report.pk])).content.decode()
    select = re.search(r'<select name="responses-0-theme".*?</select>', html, re.S).group(0)
    offered = {int(v) for v in re.findall(r'<option value="(\d+)"', select)}
    assert offered == set(Theme.objects.filter(run=second).values_list("pk", flat=True))
    select = re.search(r'<select name="responses-0-changed_clause".*?</select>', html, re.S)
    labels = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', select.group(0))
    assert labels and len(labels) == len(set(labels))
    assert len(labels) == demo.current_version().clauses.count()


@pytest.mark.slow
@pytest.mark.browser
def test_browser_run_analysis_and_watch_its_progress(live_server, demo, page, django_user_model):
    from django.core.management import call_command
    from playwright.sync_api import expect

    analyst = _user(django_user_model, "ana", ANALYST, MINISTRY_EDITOR)
    analyst.set_password("a long password 7")
    analyst.save()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "ana")
    page.fill("#id_password", "a long password 7")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}{reverse('analysis_runs', args=[demo.pk])}")
    page.click("#run-analysis")
    status = page.locator("#analysis-status")
    expect(status).to_have_attribute("data-status", "queued")
    url_before = page.url
    # The worker runs here, while the page keeps polling the progress view.
    call_command("db_worker", batch=True, queue_name="analysis", reload=False, startup_delay=False)
    expect(status).to_have_attribute("data-status", "done", timeout=20_000)
    assert page.url == url_before  # updated in place, not reloaded
    expect(page.locator("#analysis-percent")).to_have_text("100%")
    page.click("#analysis-report a")
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/"))
