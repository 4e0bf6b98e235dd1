"""Receipts and idempotency tokens: what proves that a submission is someone's own.

A receipt code lets anyone who holds it follow a submission (status, decisions, the public
text). The participant's full export (the original text, their name and e-mail) also needs
the second secret shown once on the confirmation page, or their account. Only a keyed
digest of the secret is stored.

Idempotency tokens are stored as a digest of the token with its consultation, the
participant and a namespace, so one person's resend finds their own submission and nobody
else's: a client cannot name a token the server made ("townhall-question-6") or another
participant's.
"""

from __future__ import annotations

from django.utils.crypto import constant_time_compare, salted_hmac

from consult.models import Submission, new_receipt_secret, normalise_receipt

CLIENT, SERVER = "client", "server"


def scoped_token(consultation_id: int, participant_key: str, token: str, namespace: str) -> str:
    """The stored form of an idempotency token (64 hex characters)."""
    value = f"{namespace}|{consultation_id}|{participant_key}|{token}"
    return salted_hmac("consult.client_token", value, algorithm="sha256").hexdigest()


def _secret_digest(secret: str) -> str:
    return salted_hmac("consult.receipt_secret", secret, algorithm="sha256").hexdigest()


def issue_secret(submission) -> str:
    """A new second secret for ``submission`` (its digest set, not saved); returns it."""
    secret = new_receipt_secret()
    submission.receipt_secret_hash = _secret_digest(secret)
    return secret


def secret_matches(submission, secret: str) -> bool:
    normalised = normalise_receipt(secret or "")
    if not normalised or not submission.receipt_secret_hash:
        return False
    return constant_time_compare(_secret_digest(normalised), submission.receipt_secret_hash)


# Where the confirmation (receipt code and second secret) waits, in the participant's own
# session, for the page the post redirects to: never in a URL, where proxies, histories and
# Referer headers would keep it.
CONFIRMATION_SESSION_KEY = "consult.confirmation"


def remember_confirmation(request, submission: Submission) -> None:
    """Keep the receipt code and the second secret for the next page this person sees."""
    request.session[CONFIRMATION_SESSION_KEY] = {
        "code": submission.receipt_code,
        "secret": getattr(submission, "receipt_secret", ""),
        "status": submission.status,
    }


def pop_confirmation(request) -> dict | None:
    """The confirmation waiting in this session, once (a reload does not show it again)."""
    if not hasattr(request, "session") or CONFIRMATION_SESSION_KEY not in request.session:
        return None
    if request.headers.get("X-Offline-Queue"):
        # The offline queue's fetch() follows the redirect, then navigates to the page
        # itself (frontend/static/js/offline-queue.js): that second load shows it.
        return None
    return request.session.pop(CONFIRMATION_SESSION_KEY)
