"""Write paths for participation. Every door (typed, voice, town hall, paper) ends here.

``submit`` validates, writes the submission durably, and only after commit tells the rest
of the system (moderation checks, live events, analysis) through ``on_commit`` hooks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consult import audit, receipts
from consult.models import (
    AnchorStatus,
    AuditLog,
    DisplayMode,
    Source,
    Stakeholder,
    Stance,
    Submission,
)
from consult.reading_cache import comments_changed
from consult.roles import is_facilitator, is_moderator
from consult.screening import record_screening, screen_new_submission
from drafts.consultations import Consultation, ModerationMode, consultation_model
from drafts.models import ClauseVersion

logger = logging.getLogger(__name__)

ANCHOR_CONTEXT_CHARS = 32


@dataclass
class SubmissionInput:
    """What a participant (or a facilitator on their behalf) sends, as plain values."""

    text: str
    stance: str
    stakeholder: str
    language: str = "en"
    clause_id: int | None = None
    proposed_wording: str = ""
    organisation: str = ""
    display_mode: str = DisplayMode.PSEUDONYMOUS
    name: str = ""
    email: str = ""
    source: str = Source.TYPED
    # An idempotency token the client made (scoped to the participant), or one the server
    # made for a record it owns ("townhall-question-6"); see consult.receipts.
    client_token: str | None = None
    server_token: str | None = None
    parent_id: int | None = None
    anchor: dict | None = field(default=None)
    ip_address: str | None = None


def check_can_submit(consultation: Consultation, at=None) -> None:
    if not consultation.is_open(at):
        raise ValidationError(
            _("This consultation is not open for comments (phase: %(phase)s, closes %(closes)s).")
            % {
                "phase": consultation.get_phase_display(),
                "closes": timezone.localtime(consultation.closes_at).strftime("%d %b %Y"),
            },
            code="closed",
        )


def _validate(consultation: Consultation, data: SubmissionInput) -> ClauseVersion | None:
    """Everything about a submission, its text included."""
    errors: dict[str, list[str]] = {}
    limit = settings.SUBMISSION_MAX_CHARS
    if not data.text.strip():
        errors.setdefault("text", []).append(_("Write your comment; it cannot be empty."))
    elif len(data.text) > limit:
        errors.setdefault("text", []).append(
            _("Your comment is %(length)d characters long; the limit is %(limit)d.")
            % {"length": len(data.text), "limit": limit}
        )
    clause = None
    try:
        clause = validate_details(consultation, data)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return clause


def validate_details(consultation: Consultation, data: SubmissionInput) -> ClauseVersion | None:
    """Everything but the text: stance, stakeholder, organisation, language, clause, anchor
    and parent. A voice note is checked with this when it arrives, before it has words."""
    errors: dict[str, list[str]] = {}
    limit = settings.SUBMISSION_MAX_CHARS
    if len(data.proposed_wording) > limit:
        errors.setdefault("proposed_wording", []).append(
            _("The proposed wording is longer than the limit of %(limit)d characters.")
            % {"limit": limit}
        )
    if data.stance not in Stance.values:
        errors.setdefault("stance", []).append(_("Choose a stance."))
    if data.stakeholder not in Stakeholder.values:
        errors.setdefault("stakeholder", []).append(_("Choose a stakeholder category."))
    if data.stakeholder in Stakeholder.organisations() and not data.organisation.strip():
        errors.setdefault("organisation", []).append(
            _("Organisations must give their name; it is shown publicly as a disclosure.")
        )
    if data.language not in consultation.language_codes():
        errors.setdefault("language", []).append(_("Choose one of this consultation's languages."))
    if data.source not in Source.values:
        errors.setdefault("source", []).append(_("Unknown source."))

    clause = None
    if data.clause_id is not None:
        clause = (
            ClauseVersion.objects.filter(pk=data.clause_id, version__page_id=consultation.pk)
            .select_related("version")
            .first()
        )
        if clause is None:
            errors.setdefault("clause", []).append(_("That clause is not part of this draft."))
    if data.anchor:
        if clause is None:
            errors.setdefault("anchor", []).append(_("A highlighted passage needs a clause."))
        elif anchor_language(data.anchor) not in ANCHOR_LANGUAGES:
            errors.setdefault("anchor", []).append(_("The highlighted words' language is unknown."))
        elif not clause.text_in(anchor_language(data.anchor)):
            errors.setdefault("anchor", []).append(_("This clause has no text in that language."))
        else:
            anchor_error = _anchor_error(clause.text_in(anchor_language(data.anchor)), data.anchor)
            if anchor_error:
                errors.setdefault("anchor", []).append(anchor_error)
    if data.parent_id:
        parent_error = _parent_error(consultation, data.parent_id, clause)
        if parent_error:
            errors.setdefault("parent", []).append(parent_error)
    if errors:
        raise ValidationError(errors)
    return clause


def _anchor_error(clause_text: str, anchor: dict) -> str | None:
    exact = anchor.get("exact") or ""
    try:
        start, end = int(anchor["start"]), int(anchor["end"])
    except (KeyError, TypeError, ValueError):
        return _("The highlighted passage has no valid position.")
    # Python slices quietly with negative, reversed or past-the-end positions, and the
    # database columns hold neither negative nor huge numbers: check the bounds first.
    if not 0 <= start < end <= len(clause_text):
        return _("Pick words inside the clause (0 to %(n)d).") % {"n": len(clause_text)}
    if not exact or clause_text[start:end] != exact:
        return _("The highlighted words are not in this clause's text.")
    return None


# The comments library stores ``parent_id`` in a 32-bit integer column.
_LARGEST_PARENT_ID = 2**31 - 1


def _parent_error(
    consultation: Consultation, parent_id: int, clause: ClauseVersion | None
) -> str | None:
    """A reply answers a published comment of this consultation, on the same clause, not
    deeper than the thread limit.

    A parent that does not exist, is held or removed, or belongs to another consultation
    gets one and the same message, so replying cannot tell anyone a hidden submission is
    there.
    """
    from django_comments_xtd.models import max_thread_level_for_content_type

    no_parent = _("There is no published comment to reply to here.")
    try:
        parent_id = int(parent_id)
    except (TypeError, ValueError):
        return no_parent
    if not 0 < parent_id <= _LARGEST_PARENT_ID:
        return no_parent
    parent = (
        Submission.objects.published()
        .filter(pk=parent_id, consultation=consultation)
        .values("level", "clause_id")
        .first()
    )
    if parent is None:
        return no_parent
    if parent["clause_id"] != (clause.pk if clause else None):
        return _("A reply belongs to the clause of the comment it answers.")
    levels = max_thread_level_for_content_type(
        ContentType.objects.get_for_model(consultation_model())
    )
    if parent["level"] >= levels:
        return _("Replies can go %(levels)d levels deep; reply to an earlier comment instead.") % {
            "levels": levels
        }
    return None


# The languages a clause's text is published in (drafts.models.ClauseVersion.text_in).
ANCHOR_LANGUAGES = ("en", "ur")


def anchor_language(anchor: dict) -> str:
    """Which of the clause's texts an anchor's offsets count in: English unless it says."""
    return str(anchor.get("language") or "en")


def complete_anchor(clause_text: str, start: int, end: int) -> dict:
    """A full W3C quote + position selector for clause_text[start:end]."""
    return {
        "exact": clause_text[start:end],
        "prefix": clause_text[max(0, start - ANCHOR_CONTEXT_CHARS) : start],
        "suffix": clause_text[end : end + ANCHOR_CONTEXT_CHARS],
        "start": start,
        "end": end,
    }


class TokenConflict(ValidationError):
    """The same idempotency token came with different content: not a resend (HTTP 409)."""

    def __init__(self):
        super().__init__(
            {
                "client_token": [
                    _(
                        "This form was already sent with different words. Reload the page "
                        "to write a new comment."
                    )
                ]
            },
            code="token_conflict",
        )


def _stored_token(consultation, data: SubmissionInput, participant_key: str) -> str | None:
    if data.server_token:
        return receipts.scoped_token(consultation.pk, "", data.server_token, receipts.SERVER)
    if data.client_token:
        return receipts.scoped_token(
            consultation.pk, participant_key, data.client_token, receipts.CLIENT
        )
    return None


def _resend(existing: Submission, data: SubmissionInput, clause_id) -> Submission:
    """The earlier submission for a resent form, with a fresh second secret: the first
    answer may never have reached the participant, who is the only one holding the token."""
    # The comments library stores a top-level comment as its own parent.
    existing_parent = 0 if existing.parent_id in (0, existing.pk) else existing.parent_id
    if data.client_token and (
        existing.original_text != data.text
        or existing.stance != data.stance
        or existing.stakeholder != data.stakeholder
        or existing.clause_id != clause_id
        or existing_parent != (data.parent_id or 0)
    ):
        raise TokenConflict()
    existing.receipt_secret = receipts.issue_secret(existing)
    existing.save(update_fields=["receipt_secret_hash"])
    return existing


def participant_key_for(user, session_participant: str = "") -> str:
    """Who the participant is, for scoping tokens: their account, else their session's id."""
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    return session_participant


def submit(
    consultation: Consultation,
    data: SubmissionInput,
    user=None,
    *,
    check_open: bool = True,
    received_at=None,
    participant_key: str = "",
) -> Submission:
    """Record a submission. Idempotent on the token: the same participant resending the
    same form gets the original back (with a new second secret); the same token with other
    words is a ``TokenConflict``.

    ``participant_key`` says who sent a client token (``participant_key_for``); a client
    token without one is scoped to the consultation only. The returned submission carries
    ``receipt_secret``, shown to the participant once and never stored. ``check_open=False``
    is for the town-hall door only: a session that ends after the consultation closed
    still records what was asked in it. ``received_at`` is when the participant spoke, if
    that was earlier than now: a voice note recorded before the deadline and confirmed
    after it is on time.
    """
    participant_key = participant_key or participant_key_for(user)
    stored_token = _stored_token(consultation, data, participant_key)
    if stored_token:
        # Almost always a new token: ask for the id alone (one narrow index lookup; the
        # whole row through the comments library's three tables costs 4x as much) and load
        # the submission only for a resend.
        existing_id = (
            Submission.objects.filter(client_token=stored_token)
            .order_by()
            .values_list("pk", flat=True)
            .first()
        )
        if existing_id is not None:
            return _resend(Submission.objects.get(pk=existing_id), data, data.clause_id)
    if check_open:
        check_can_submit(consultation, at=received_at)
    clause = _validate(consultation, data)
    anchor = (
        complete_anchor(
            clause.text_in(anchor_language(data.anchor)),
            int(data.anchor["start"]),
            int(data.anchor["end"]),
        )
        if data.anchor and clause
        else None
    )
    is_user = user is not None and user.is_authenticated
    submission = Submission(
        content_type=ContentType.objects.get_for_model(consultation_model()),
        object_pk=str(consultation.pk),
        site=Site.objects.get_current(),
        user=user if is_user else None,
        # Cut to the column after screening (consult.screening.screen_new_submission).
        user_name=data.name or (user.get_full_name() if is_user else ""),
        user_email=data.email or (user.email if is_user else ""),
        comment=data.text,
        original_text=data.text,
        submit_date=timezone.now(),
        ip_address=data.ip_address,
        is_public=consultation.moderation_mode == ModerationMode.POST,
        consultation=consultation,
        clause=clause,
        clause_key=clause.key if clause else "",
        stance=data.stance,
        stakeholder=data.stakeholder,
        organisation=data.organisation.strip(),
        language=data.language,
        display_mode=data.display_mode,
        proposed_wording=data.proposed_wording,
        source=data.source,
        client_token=stored_token,
        parent_id=data.parent_id or 0,
    )
    secret = receipts.issue_secret(submission)
    if anchor and clause is not None:  # an anchor is only ever read from a clause's text
        submission.anchor_language = anchor_language(data.anchor or {})
        submission.anchor_exact = anchor["exact"]
        submission.anchor_prefix = anchor["prefix"]
        submission.anchor_suffix = anchor["suffix"]
        submission.anchor_start = anchor["start"]
        submission.anchor_end = anchor["end"]
        submission.anchor_status = "exact"
        submission.anchor_confidence = 1.0
        submission.written_on_exact = anchor["exact"]
    if clause is not None:  # which version's words it answered: that version shows it
        submission.written_on_version = clause.version.number
    # Redacted and screened before the insert: one write, never a moment with raw text.
    screening = screen_new_submission(submission)
    try:
        with transaction.atomic():
            submission.save()
            record_screening(submission, screening)
    except IntegrityError:
        # Two requests with the same token raced; the first one won.
        if stored_token:
            existing = Submission.objects.get(client_token=stored_token)
            return _resend(existing, data, data.clause_id)
        raise
    submission.receipt_secret = secret
    return submission


ENTERED_FOR_PARTICIPANT = "entered_for_participant"


def enter_for_participant(consultation: Consultation, data: SubmissionInput, facilitator):
    """A facilitator types in a paper or phone submission on a participant's behalf.

    The participant is the author (no account); who entered it is kept in the audit log,
    once: a resend of the same form (same token, scoped to this facilitator) is the same
    entry and adds nothing."""
    if not is_facilitator(facilitator):
        raise PermissionDenied(_("Only facilitators can enter paper and phone submissions."))
    with transaction.atomic():
        submission = submit(
            consultation, data, user=None, participant_key=f"facilitator:{facilitator.pk}"
        )
        already = AuditLog.objects.filter(
            action=ENTERED_FOR_PARTICIPANT, submission=submission
        ).exists()
        if not already:
            audit.record(
                ENTERED_FOR_PARTICIPANT,
                actor=facilitator,
                submission=submission,
                explanation=submission.source,
            )
    return submission


def entered_by(submission: Submission):
    """The facilitator who entered a paper or phone submission, or None."""
    entry = (
        AuditLog.objects.filter(action=ENTERED_FOR_PARTICIPANT, submission=submission)
        .select_related("actor")
        .order_by("created_at", "pk")
        .first()
    )
    return entry.actor if entry else None


def _apply_anchor(submission: Submission, clause: ClauseVersion, start: int, end: int) -> None:
    """The anchor on ``clause``'s words in the submission's ``anchor_language``."""
    anchor = complete_anchor(clause.text_in(submission.anchor_language), start, end)
    submission.anchor_exact = anchor["exact"]
    submission.anchor_prefix = anchor["prefix"]
    submission.anchor_suffix = anchor["suffix"]
    submission.anchor_start = anchor["start"]
    submission.anchor_end = anchor["end"]


ANCHOR_FIELDS = [
    "clause",
    "clause_key",
    "anchor_exact",
    "anchor_prefix",
    "anchor_suffix",
    "anchor_start",
    "anchor_end",
    "anchor_status",
    "anchor_confidence",
]


def _plan_anchor(submission: Submission, new_clauses: dict) -> str:
    """Set ``submission``'s anchor fields for the new version (unsaved); its status key."""
    from drafts.anchoring import reanchor

    target = new_clauses.get(submission.clause.key)
    selector = submission.selector()
    if selector is None:  # a comment on the whole clause
        status = "" if target else AnchorStatus.ORPHANED
        if target:
            submission.clause = target
            submission.clause_key = target.key
        submission.anchor_status = status
    elif target is None:
        submission.anchor_status = AnchorStatus.ORPHANED
        submission.anchor_confidence = 0.0
    else:
        # The same language's words only: an Urdu quote is looked for in the Urdu text (and
        # is orphaned when the new version has none), never in the English.
        result = reanchor(selector, target.text_in(submission.anchor_language))
        submission.anchor_status = result["status"]
        submission.anchor_confidence = result["confidence"]
        if result["status"] != AnchorStatus.ORPHANED:
            submission.clause = target
            submission.clause_key = target.key
            _apply_anchor(submission, target, result["start"], result["end"])
    return submission.anchor_status or "clause"


def _open_comments(version):
    return (
        Submission.objects.filter(clause__version=version, is_removed=False)
        .select_related(None)
        .select_related("clause")
        .only("pk", "clause__key", "anchor_language", *ANCHOR_FIELDS)
        .order_by("pk")
    )


def reanchor_version(old_version, new_version) -> dict[str, int]:
    """Move every open comment on ``old_version`` onto the clause with the same key in
    ``new_version``, re-finding its quoted words with ``reanchor``, in one transaction.

    Comments whose words cannot be found with confidence stay on the old clause, labelled
    ``orphaned``, for a moderator to re-attach or keep. Returns counts by status. A
    published version runs this in the background instead (``run_reanchoring``).
    """
    new_clauses = {c.key: c for c in new_version.clauses.all()}
    counts: dict[str, int] = {}
    changed = list(_open_comments(old_version))
    for submission in changed:
        status = _plan_anchor(submission, new_clauses)
        counts[status] = counts.get(status, 0) + 1
    with transaction.atomic():
        Submission.objects.bulk_update(changed, ANCHOR_FIELDS, batch_size=500)
    # bulk_update sends no signals: the reading pages of both versions change.
    comments_changed(old_version.page_id)
    return counts


REANCHOR_BATCH = 2000


def enqueue_reanchoring(version_id: int) -> None:
    from consult.tasks import reanchor_new_version

    reanchor_new_version.enqueue(version_id)


def run_reanchoring(version_id: int) -> dict[str, int]:
    """Move the comments of a newly published version's predecessor onto it (the task).

    The matching runs batch by batch outside any transaction, counting progress on the
    version (``anchoring_done`` of ``anchoring_total``) for the editors; nothing readers
    see changes meanwhile (they read the previous version). One short transaction then
    writes every comment's new anchor, takes in comments posted during the job, and makes
    the version live: readers switch at once. Safe to run again (a killed worker's lease
    runs it again from the start: nothing was written before the last step)."""
    from drafts.models import DraftVersion

    Anchoring = DraftVersion.Anchoring
    version = DraftVersion.objects.filter(pk=version_id).first()
    if version is None or version.anchoring != Anchoring.PENDING:
        return {}
    source = version.anchoring_source
    new_clauses = {c.key: c for c in version.clauses.all()}
    counts: dict[str, int] = {}
    planned: list[Submission] = []

    def plan(submissions) -> None:
        for submission in submissions:
            status = _plan_anchor(submission, new_clauses)
            counts[status] = counts.get(status, 0) + 1
            planned.append(submission)

    if source is not None:
        ids = list(_open_comments(source).values_list("pk", flat=True))
        DraftVersion.objects.filter(pk=version_id).update(
            anchoring_total=len(ids), anchoring_done=0
        )
        for at in range(0, len(ids), REANCHOR_BATCH):
            batch = ids[at : at + REANCHOR_BATCH]
            plan(_open_comments(source).filter(pk__gte=batch[0], pk__lte=batch[-1]))
            still = DraftVersion.objects.filter(pk=version_id, anchoring=Anchoring.PENDING)
            if not still.update(anchoring_done=len(planned)):
                return counts  # a newer version superseded this one: its job moves them
    with transaction.atomic():
        version = DraftVersion.objects.select_for_update().get(pk=version_id)
        if version.anchoring != Anchoring.PENDING:
            return counts
        if source is not None:
            # Comments posted on the previous version while the job ran.
            last = planned[-1].pk if planned else 0
            plan(_open_comments(source).filter(pk__gt=last))
            Submission.objects.bulk_update(planned, ANCHOR_FIELDS, batch_size=500)
        version.anchoring = Anchoring.DONE
        version.anchoring_done = version.anchoring_total = len(planned)
        version.save(update_fields=["anchoring", "anchoring_done", "anchoring_total"])
        # bulk_update sends no signals: the reading pages of both versions change.
        transaction.on_commit(lambda: comments_changed(version.page_id))
    logger.info("version %s live; comments moved: %s", version_id, counts)
    return counts


def _check_moderator(user) -> None:
    if not is_moderator(user):
        raise PermissionDenied(_("Only moderators can re-attach comments."))


@transaction.atomic
def reattach_submission(
    submission: Submission, clause_id: int, start: int, end: int, user, language: str = ""
):
    """A moderator picks the words an orphaned comment now refers to, in the clause's text
    in ``language`` (by default the language its old words were in)."""
    _check_moderator(user)
    submission = Submission.objects.select_related(None).select_for_update().get(pk=submission.pk)
    clause = ClauseVersion.objects.filter(
        pk=clause_id, version__page_id=submission.consultation_id
    ).first()
    if clause is None:
        raise ValidationError({"clause": _("That clause is not part of this consultation.")})
    language = language or submission.anchor_language
    if language not in ANCHOR_LANGUAGES:
        raise ValidationError({"anchor": _("The highlighted words' language is unknown.")})
    text = clause.text_in(language)
    if not (0 <= start < end <= len(text)):
        raise ValidationError(
            {"anchor": _("Pick words inside the clause (0 to %(n)d).") % {"n": len(text)}}
        )
    submission.clause = clause
    submission.clause_key = clause.key
    submission.anchor_language = language
    _apply_anchor(submission, clause, start, end)
    submission.anchor_status = AnchorStatus.EXACT
    submission.anchor_confidence = 1.0
    submission.save(update_fields=[*ANCHOR_FIELDS, "anchor_language"])
    # It may leave one clause for another: both clauses' readers must see it move.
    comments_changed(submission.consultation_id)
    audit.record(
        "reattach",
        actor=user,
        submission=submission,
        explanation=f"{clause.identifier}: {submission.anchor_exact}",
    )
    return submission


@transaction.atomic
def keep_on_old_version(submission: Submission, user) -> Submission:
    """A moderator decides an orphaned comment belongs to the version it was written on."""
    _check_moderator(user)
    submission = Submission.objects.select_related(None).select_for_update().get(pk=submission.pk)
    submission.anchor_status = AnchorStatus.KEPT
    submission.save(update_fields=["anchor_status"])
    audit.record("keep_on_old_version", actor=user, submission=submission)
    return submission
