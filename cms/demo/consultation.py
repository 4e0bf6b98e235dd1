"""The demo consultation a new user sees after ``make run``: realistic and idempotent."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from cms.models import Clause, ConsultationPage, HomePage
from cms.services import publish_draft_version
from consult.models import DisplayMode, Stakeholder, Stance
from consult.services import SubmissionInput, run_reanchoring, submit
from drafts.models import DraftVersion

logger = logging.getLogger(__name__)

DEMO_SLUG = "ai-rules-2026"
DEMO_FILE = Path(__file__).resolve().parent / "ai_rules.json"

SAMPLES_FILE = DEMO_FILE.with_name("sample_submissions.json")
DEMO_CONTACT = (
    "Call the consultation line, 051-111-000-123 (Monday to Friday, 9:00-17:00): "
    "a facilitator writes your comment down and reads it back to you."
)
DEMO_CONTACT_UR = (
    "مشاورتی لائن پر فون کریں: 051-111-000-123 (پیر تا جمعہ، 9 بجے سے 5 بجے تک)۔ "
    "سہولت کار آپ کا تبصرہ لکھ کر آپ کو پڑھ کر سنائے گا۔"
)


def load_draft() -> dict:
    return json.loads(DEMO_FILE.read_text(encoding="utf-8"))


def load_samples() -> list[dict]:
    """Sample submissions of every kind: typed, voice, town hall, paper and phone."""
    return json.loads(SAMPLES_FILE.read_text(encoding="utf-8"))


@transaction.atomic
def load_demo() -> tuple[ConsultationPage, bool]:
    """Create the demo consultation once. Returns (page, created)."""
    home = HomePage.objects.first()
    if home is None:
        raise RuntimeError("No HomePage: run `manage.py migrate` first.")
    existing = ConsultationPage.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return existing, False

    draft = load_draft()
    now = timezone.now()
    page = ConsultationPage(
        title=draft["title"],
        title_ur=draft["title_ur"],
        slug=DEMO_SLUG,
        ministry=draft["ministry"],
        ministry_ur=draft["ministry_ur"],
        summary=draft["summary"],
        summary_ur=draft["summary_ur"],
        opens_at=now - timedelta(days=14),
        closes_at=now + timedelta(days=60),
        phase=ConsultationPage.Phase.OPEN,
        languages="en,ur",
        moderation_mode=ConsultationPage.ModerationMode.POST,
        contact=DEMO_CONTACT,
        contact_ur=DEMO_CONTACT_UR,
    )
    page.clauses = [
        Clause(
            identifier=c["identifier"],
            heading=c["heading"],
            heading_ur=c.get("heading_ur", ""),
            text=c["text"],
            text_ur=c.get("text_ur", ""),
            sort_order=i,
        )
        for i, c in enumerate(draft["clauses"])
    ]
    home.add_child(instance=page)
    page.save_revision().publish()  # publishing snapshots draft version 1
    version = publish_draft_version(page)

    clauses = {c.identifier: c for c in version.clauses.all()}
    first = None
    for n, sample in enumerate(load_samples()):
        clause = clauses.get(sample["clause"]) if sample["clause"] else None
        anchor = None
        if clause is not None and sample["quote"]:
            start = clause.text.index(sample["quote"])
            anchor = {"exact": sample["quote"], "start": start, "end": start + len(sample["quote"])}
        submission = submit(
            page,
            SubmissionInput(
                text=sample["text"],
                stance=sample["stance"],
                stakeholder=sample["stakeholder"],
                organisation=sample["organisation"],
                language=sample["language"],
                clause_id=clause.pk if clause else None,
                proposed_wording=sample["proposed_wording"],
                source=sample["source"],
                name=sample["name"],
                display_mode=DisplayMode.NAMED if sample["name"] else DisplayMode.PSEUDONYMOUS,
                anchor=anchor,
                server_token=f"demo-{n}",
            ),
        )
        first = first or submission
    submit(
        page,
        SubmissionInput(
            text="Agreed. Two seats for civil society would be a good start.",
            stance=Stance.SUPPORT,
            stakeholder=Stakeholder.INDIVIDUAL,
            clause_id=first.clause_id,
            parent_id=first.pk,
            server_token="demo-reply-0",
        ),
    )
    publish_revised_draft(page, draft.get("revised_clauses", {}))
    load_demo_town_hall(page)
    logger.info("Loaded demo consultation %s with %d clauses", page.slug, len(clauses))
    return page, True


def publish_revised_draft(page: ConsultationPage, revised: dict[str, str]) -> None:
    """Draft version 2: the ministry revises some clauses after the first comments, and the
    comments follow their words into the new text (or wait in the moderators' review list)."""
    if not revised:
        return
    draft = page.get_latest_revision_as_object()
    for clause in draft.clauses.all():
        if clause.identifier in revised:
            clause.text = revised[clause.identifier]
    draft.save_revision().publish()  # the page_published signal publishes version 2
    # Its comments move in a background task; the demo moves them now, so it is complete
    # at once (the task, when a worker runs it, finds nothing left to do).

    for version in page.versions.filter(anchoring=DraftVersion.Anchoring.PENDING):
        run_reanchoring(version.pk)


def load_demo_town_hall(page: ConsultationPage) -> None:
    """A live town hall with questions, votes, an answer and an open poll, so the live board is
    populated when a new user opens it."""
    from cms.demo.town_hall import make_town_hall
    from consult.live.services import polls, questions, session, votes
    from consult.live.services.checks import actor_for

    hall = make_town_hall(page, slug="live-town-hall")
    facilitator = actor_for(hall, "demo-facilitator", hall.facilitators.get())
    session.start_session(hall, facilitator)
    asked = [
        ("demo-p1", "Will the Authority publish its decisions in Urdu?"),
        ("demo-p2", "How will small start-ups afford an algorithmic impact assessment?"),
        ("demo-p3", "Can a farmer complain by phone if an AI system refuses a loan?"),
    ]
    posted = []
    for participant, text in asked:
        result = questions.post_question(hall, actor_for(hall, participant), text)
        posted.append(result["question_id"])
    for question_id in posted:
        questions.approve_question(hall, facilitator, question_id)
    for participant in ("demo-p1", "demo-p2", "demo-p4"):
        votes.vote(hall, actor_for(hall, participant), posted[2])
    questions.mark_answered(
        hall, facilitator, posted[0], "Yes: every decision will be published in both languages."
    )
    polls.open_poll(
        hall,
        facilitator,
        "Should the consultation period be extended to 90 days?",
        ["Yes", "No", "Not sure"],
    )
