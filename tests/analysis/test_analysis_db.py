"""The analysis over a real consultation: service, queued task, saved results, draft report."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from analysis.models import AnalysisRun, ThemeMember
from analysis.services import start_analysis
from bench.generate_eval import EVAL_FILE
from consult.models import Submission
from consult.roles import ANALYST
from consult.services import SubmissionInput, submit

SMALL = {"themes": {"k_min": 2, "k_max": 6}}


def add_eval_submissions(consultation, count: int = 60) -> list[Submission]:
    """Submissions from the evaluation set, through the one write path."""
    version = consultation.current_version()
    clauses = {c.key: c for c in version.clauses.all()}
    added = []
    records = [json.loads(line) for line in EVAL_FILE.read_text(encoding="utf-8").splitlines()]
    for record in records[:count]:
        organisation = "" if record["stakeholder"] == "individual" else "Some organisation"
        added.append(
            submit(
                consultation,
                SubmissionInput(
                    text=record["text"],
                    stance=record["stance"],
                    stakeholder=record["stakeholder"],
                    organisation=organisation,
                    language=record["language"],
                    clause_id=clauses[record["clause"]].pk,
                ),
            )
        )
    return added


def run_queued_tasks():
    call_command(
        "db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0
    )


@pytest.mark.django_db(transaction=True)
def test_analysis_task_covers_every_published_submission_and_drafts_a_report(demo):
    added = add_eval_submissions(demo)
    held, removed = added[0], added[1]
    Submission.objects.filter(pk=held.pk).update(is_public=False)
    Submission.objects.filter(pk=removed.pk).update(is_removed=True)

    run = start_analysis(demo, parameters=SMALL)
    assert run.status == AnalysisRun.Status.QUEUED
    run_queued_tasks()
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.DONE, run.error
    assert run.progress == 100
    assert set(run.stage_timings) == {"normalise", "campaigns", "themes", "clauses"}

    published = set(
        Submission.objects.filter(consultation=demo, is_public=True, is_removed=False).values_list(
            "pk", flat=True
        )
    )
    members = list(
        ThemeMember.objects.filter(theme__run=run).values_list("submission_id", flat=True)
    )
    assert sorted(members) == sorted(published)  # each published one, exactly once
    assert held.pk not in members and removed.pk not in members
    assert run.counts["submissions"] == len(published)
    moderation = run.results["moderation"]
    in_consultation = Submission.objects.filter(consultation=demo)
    # The automatic checks may hold a demo submission too: count from the flags themselves.
    expected_held = in_consultation.filter(is_public=False, is_removed=False).count()
    expected_removed = in_consultation.filter(is_removed=True).count()
    assert expected_held >= 1 and expected_removed >= 1
    assert (moderation["held"], moderation["removed"]) == (expected_held, expected_removed)
    assert moderation["published"] == len(published)

    report = run.report_pages.get()
    assert not report.live  # a draft for the ministry
    assert report.get_parent().pk == demo.pk
    assert report.responses.count() == run.themes.count()
    assert {r.outcome for r in report.responses.all()} == {"pending"}


@pytest.mark.django_db
def test_only_analysts_start_an_analysis(demo):
    user = User.objects.create_user("someone")
    with pytest.raises(PermissionDenied):
        start_analysis(demo, user=user)
    user.groups.add(Group.objects.get_or_create(name=ANALYST)[0])
    user = User.objects.get(pk=user.pk)
    assert start_analysis(demo, user=user, parameters=SMALL).created_by == user


@pytest.mark.django_db
def test_unknown_parameters_are_refused(demo):
    with pytest.raises(TypeError):
        start_analysis(demo, parameters={"themes": {"k_maxx": 3}})


@pytest.mark.django_db
def test_runs_and_progress_are_listed_in_the_wagtail_admin(client, demo, django_user_model):
    from django.core.management import call_command as run_command

    run_command("analyse_consultation", demo.slug, "--now")
    run = AnalysisRun.objects.get()
    assert run.status == AnalysisRun.Status.DONE and run.progress == 100
    admin = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(admin)
    response = client.get(f"/admin/analysis/{demo.pk}/")
    assert response.status_code == 200
    assert "Done" in response.content.decode()


@pytest.mark.django_db
def test_a_restarted_run_counts_its_attempts_and_a_done_one_is_not_redone(demo):
    from unittest import mock

    from analysis.services import execute_run

    run = AnalysisRun.objects.create(consultation=demo, parameters=SMALL)
    with mock.patch("analysis.services.run_pipeline", side_effect=RuntimeError("killed")):
        for _ in range(2):
            with pytest.raises(RuntimeError):
                execute_run(run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts) == (AnalysisRun.Status.FAILED, 2)
    AnalysisRun.objects.filter(pk=run.pk).update(status=AnalysisRun.Status.DONE)
    with mock.patch("analysis.services.run_pipeline", side_effect=AssertionError("redone")):
        execute_run(run.pk)
    run.refresh_from_db()
    assert run.attempts == 2


@pytest.mark.django_db
def test_a_run_whose_workers_all_died_fails_instead_of_running_for_ever(demo):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from analysis.tasks import run_analysis
    from workers import leases
    from workers.models import TaskLease

    run = AnalysisRun.objects.create(
        consultation=demo, parameters=SMALL, status=AnalysisRun.Status.RUNNING, attempts=3
    )
    result = DBTaskResult.objects.get(id=run_analysis.enqueue(run.pk).id)
    result.claim("dead-worker")
    TaskLease.objects.create(task_result=result, attempts=3, lease_expires_at=timezone.now())
    leases.requeue_expired(now=timezone.now() + timedelta(seconds=1), max_attempts=3)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.FAILED and "stopped" in run.error
    assert run.finished_at is not None


@pytest.mark.django_db
def test_comments_quoting_the_draft_are_not_grouped_as_a_campaign(demo):
    """The run reads the draft's clause texts: a dozen people who quote the same sub-rule,
    some for it and some against, are not one campaign; a letter copied a dozen times is."""
    from analysis.services import execute_run
    from drafts.models import ClauseVersion

    clause = ClauseVersion.objects.filter(version__page=demo, key="c-14").first()
    quote = clause.text.split("(2)")[1].split("\n")[0].strip()
    assert len(quote.split()) >= 20
    reasons = [
        ("support", "I support this."), ("support", "Keep it."), ("support", "Good rule."),
        ("support", "Agreed, fully."), ("support", "Yes, enforce it."), ("support", "Needed now."),
        ("oppose", "Delete this."), ("oppose", "Too vague."), ("oppose", "Unworkable."),
        ("oppose", "I object."), ("oppose", "Goes too far."), ("oppose", "Remove it."),
    ]  # fmt: skip
    letter = (
        "We ask the ministry to publish every algorithmic impact assessment in Urdu and English, "
        "with the name of the official responsible, within thirty days of deployment."
    )
    on_clause = {"stakeholder": "individual", "clause_id": clause.pk}
    quoting = [
        submit(demo, SubmissionInput(f'Sub-rule (2) says "{quote}" {reason}', stance, **on_clause))
        for stance, reason in reasons
    ]
    copies = [submit(demo, SubmissionInput(letter, "amend", **on_clause)) for _ in range(12)]
    run = start_analysis(demo, parameters=SMALL, enqueue=False)
    execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.DONE, run.error
    grouped = set(
        ThemeMember.objects.filter(theme__run=run, campaign__isnull=False).values_list(
            "submission_id", flat=True
        )
    )
    assert not grouped & {s.pk for s in quoting}
    assert {s.pk for s in copies if s.is_public} <= grouped
