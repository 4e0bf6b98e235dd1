"""The demo consultation with a published report, a held and a removed submission: every
kind of thing the API reads, and the two kinds it must never show."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group, User

from consult.models import Stakeholder, Stance, Submission
from consult.services import SubmissionInput, submit

HELD_TEXT = "HELDSECRET the registry should be abolished entirely"
REMOVED_TEXT = "REMOVEDSECRET the registry should publish every model card"
HIDDEN_NAME = "Zarmina Hiddenname"
EMAIL = "hidden-person@example.org"


@dataclass
class ApiData:
    page: object
    report: object
    held: Submission
    removed: Submission
    removed_quote: int  # a theme's quote, removed after the analysis picked it
    named_hidden: Submission  # gave a name and an e-mail, chose a pseudonym

    def never_shown(self) -> list[str]:
        """Strings no answer and no bulk file may contain."""
        secrets = [HELD_TEXT, REMOVED_TEXT, HIDDEN_NAME, EMAIL]
        for submission in Submission.objects.all():
            secrets.append(submission.receipt_code)
            if submission.original_text and submission.original_text != submission.comment:
                secrets.append(submission.original_text)
        return secrets


def _submit(page, text, **extra):
    clause = page.current_version().clauses.get(key="c-14")
    data = {
        "text": text,
        "stance": Stance.OPPOSE,
        "stakeholder": Stakeholder.INDIVIDUAL,
        "language": "en",
        "clause_id": clause.pk,
        "anchor": {"exact": clause.text[:12], "start": 0, "end": 12},
    }
    data.update(extra)
    return submit(page, SubmissionInput(**data))


@pytest.fixture
def api_data(demo, django_capture_on_commit_callbacks) -> ApiData:
    from analysis.models import AnalysisRun, ThemeResponse
    from analysis.services import execute_run, start_analysis
    from moderation.services import decide
    from tests.analysis.test_analysis_db import SMALL, add_eval_submissions

    add_eval_submissions(demo, count=40)
    removed = _submit(demo, REMOVED_TEXT)
    named_hidden = _submit(
        demo,
        "A comment by someone who gave a name but chose a pseudonym.",
        name=HIDDEN_NAME,
        email=EMAIL,
    )
    demo.moderation_mode = "pre"
    held = _submit(demo, HELD_TEXT)
    demo.moderation_mode = "post"
    assert not held.is_public and removed.is_public and named_hidden.is_public

    with django_capture_on_commit_callbacks(execute=False):
        run = start_analysis(demo, parameters=SMALL)
    execute_run(run.pk)
    run = AnalysisRun.objects.get(pk=run.pk)
    report = run.report_pages.get()
    response = report.responses.first()
    ThemeResponse.objects.filter(pk=response.pk).update(
        outcome="partly",
        reason="Complaints will also be accepted in Sindhi and Pashto.",
        changed_clause=demo.current_version().clauses.get(key="c-18"),
    )
    report.refresh_from_db()
    report.save_revision().publish()
    report.refresh_from_db()

    moderator = User.objects.create_user("api-mod", "api-mod@example.org", "pw-123456789")
    moderator.groups.add(Group.objects.get(name="Moderator"))
    quote = run.themes.order_by("number").first().quotes[0]["id"]
    for submission in Submission.objects.filter(pk__in=[removed.pk, quote]):
        decide(submission, action="remove", reason="off_topic", moderator=moderator)
    return ApiData(demo, report, held, removed, quote, named_hidden)
