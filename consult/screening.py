"""Screening on arrival: personal data redacted into every public field and a decision to
publish or hold, made on the unsaved submission inside the one submit path, so a submission
is written once, already redacted, and its screening and audit entries commit with it.

The checks themselves are pure (``text.checks``); this module applies them to a submission.
"""

from __future__ import annotations

from consult import audit
from consult.models import Reason, Screening, Submission
from consult.ratelimit import text_repeated_too_often
from drafts.consultations import ModerationMode
from text.checks import assess_texts, redact

# Besides the comment, what anyone else may see of a submission: the organisation (shown as a
# lobbying disclosure), the name (shown when the author chose to be named) and the proposed
# wording. Each is screened like the comment and redacted in place, once, on the way in.
SCREENED_FIELDS = ("organisation", "user_name", "proposed_wording")


def screen_new_submission(submission) -> dict:
    """Redact personal data into the public fields and decide visibility, before the insert.

    ``consult.services.submit`` calls it on the unsaved submission, so a submission is
    written once, already redacted; it then records the returned result with
    ``record_screening`` once the row exists. Pre-moderation holds everything;
    post-moderation publishes unless a check holds it (in any public field). Nothing is
    deleted. Only the comment keeps its original, in ``original_text``, for moderators: it
    is what they judge and may need to re-redact by hand. The other fields are short, and
    their personal data is no use to anyone: contact details have their own private field
    (``user_email``), so keeping a second copy would only be more to leak.
    """
    original = submission.original_text or submission.comment
    submission.original_text = original
    others = [(name, getattr(submission, name) or "") for name in SCREENED_FIELDS]
    others = [(name, value) for name, value in others if value.strip()]
    results = assess_texts([original, *(value for _name, value in others)])
    if results[0]["findings"]:
        submission.comment = redact(original, results[0]["findings"])
    for (name, value), result in zip(others, results[1:], strict=True):
        # Redacted before it is cut to the column, so a cut never splits a phone number
        # into something the patterns no longer see.
        redacted = redact(value, result["findings"]) if result["findings"] else value
        setattr(submission, name, redacted[: Submission._meta.get_field(name).max_length])
    result = _combined(["comment", *(name for name, _value in others)], results)
    if text_repeated_too_often(submission.consultation_id, original):
        # A pasted campaign arriving faster than people type: held for a moderator, not
        # refused, so every copy still counts as a supporter once reviewed.
        result["hold_reasons"] = [*result["hold_reasons"], Reason.DUPLICATE.value]
        result["flags"] = [*result["flags"], "same_text_flood"]
    pre = submission.consultation.moderation_mode == ModerationMode.PRE
    submission.is_public = not (pre or bool(result["hold_reasons"]))
    return result


def _combined(fields: list[str], results: list[dict]) -> dict:
    """One screening for the whole submission: what any field found, the highest scores,
    every reason to hold; ``fields`` names where personal data was found."""
    named = list(zip(fields, results, strict=True))
    return {
        "findings": [f | {"field": name} for name, r in named for f in r["findings"]],
        "fields": [name for name, r in named if r["findings"]],
        "flags": list(dict.fromkeys(flag for r in results for flag in r["flags"])),
        "spam_score": max(r["spam_score"] for r in results),
        "abuse_score": max(r["abuse_score"] for r in results),
        "hold_reasons": list(dict.fromkeys(code for r in results for code in r["hold_reasons"])),
    }


def record_screening(submission, result: dict) -> Screening:
    pre = submission.consultation.moderation_mode == ModerationMode.PRE
    # The submission was inserted just now, in this transaction: it has no screening yet.
    screening = Screening.objects.create(
        submission=submission,
        pii_kinds=sorted({f["kind"] for f in result["findings"]}),
        flags=result["flags"],
        spam_score=result["spam_score"],
        abuse_score=result["abuse_score"],
        hold_reasons=result["hold_reasons"],
        held=not submission.is_public,
        pre_moderated=pre,
    )
    if result["findings"]:
        audit.record(
            "auto_redact",
            submission=submission,
            reason=Reason.PERSONAL_DATA,
            before_text="",  # the original stays in Submission.original_text, moderators only
            after_text=submission.comment,
            explanation=", ".join(screening.pii_kinds)
            + (f" ({', '.join(result['fields'])})" if result.get("fields") else ""),
        )
    if screening.held:
        audit.record(
            "auto_hold",
            submission=submission,
            reason=(result["hold_reasons"] or ["pre_moderation"])[0],
            explanation=", ".join(result["flags"]),
        )
    return screening
