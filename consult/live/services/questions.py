"""Questions from participants: asked, approved or rejected by a facilitator, answered."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors
from ..events import append_event, lock_townhall
from ..models import LiveEvent, Question, TownHall
from .checks import (
    Actor,
    LiveActionError,
    clean_text,
    public_text,
    require_facilitator,
    require_live,
    require_participant,
)

QUESTION_MAX_CHARS = getattr(settings, "LIVE_QUESTION_MAX_CHARS", 500)
ANSWER_MAX_CHARS = getattr(settings, "LIVE_ANSWER_MAX_CHARS", 2000)


def _question(townhall: TownHall, question_id) -> Question:
    try:
        return Question.objects.get(townhall=townhall, pk=int(question_id))
    except (Question.DoesNotExist, TypeError, ValueError):
        raise LiveActionError("not_found", _("There is no such question.")) from None


def _question_event(townhall: TownHall, question: Question) -> LiveEvent:
    return append_event(townhall, "question", {"question": selectors.question_dict(question)})


@transaction.atomic
def post_question(page, actor: Actor, text, clause_key="") -> dict:
    participant = require_participant(actor)
    text = public_text(clean_text(text, _("Your question"), QUESTION_MAX_CHARS))
    clause_key = (clause_key or "").strip() if isinstance(clause_key, str) else ""
    if clause_key and clause_key not in page.agenda_keys():
        valid = set(page.consultation.clauses.values_list("key", flat=True))
        if clause_key not in valid:
            raise LiveActionError("invalid", _("That clause is not part of this consultation."))
    townhall = lock_townhall(page)
    require_live(townhall)
    question = Question.objects.create(
        townhall=townhall, text=text, clause_key=clause_key, author=participant
    )
    event = _question_event(townhall, question)
    return {"seq": event.seq, "question_id": question.pk}


@transaction.atomic
def approve_question(page, actor: Actor, question_id) -> dict:
    require_facilitator(actor)
    townhall = lock_townhall(page)
    question = _question(townhall, question_id)
    if question.status != Question.Status.PENDING:
        raise LiveActionError("invalid_state", _("Only a waiting question can be approved."))
    question.status = Question.Status.APPROVED
    question.save(update_fields=["status"])
    return {"seq": _question_event(townhall, question).seq}


@transaction.atomic
def reject_question(page, actor: Actor, question_id, reason) -> dict:
    require_facilitator(actor)
    if reason not in Question.RejectReason.values:
        raise LiveActionError(
            "invalid",
            _("Choose a reason code: %(codes)s.")
            % {"codes": ", ".join(Question.RejectReason.values)},
        )
    townhall = lock_townhall(page)
    question = _question(townhall, question_id)
    if question.status not in (Question.Status.PENDING, Question.Status.APPROVED):
        raise LiveActionError("invalid_state", _("This question can no longer be rejected."))
    question.status = Question.Status.REJECTED
    question.reject_reason = reason
    question.save(update_fields=["status", "reject_reason"])
    return {"seq": _question_event(townhall, question).seq}


@transaction.atomic
def mark_answered(page, actor: Actor, question_id, answer="") -> dict:
    require_facilitator(actor)
    answer = public_text(clean_text(answer, _("The answer"), ANSWER_MAX_CHARS, required=False))
    townhall = lock_townhall(page)
    question = _question(townhall, question_id)
    if question.status not in (Question.Status.APPROVED, Question.Status.ANSWERED):
        raise LiveActionError("invalid_state", _("Only an approved question can be answered."))
    question.status = Question.Status.ANSWERED
    question.answer = answer
    question.answered_at = timezone.now()
    question.save(update_fields=["status", "answer", "answered_at"])
    return {"seq": _question_event(townhall, question).seq}
