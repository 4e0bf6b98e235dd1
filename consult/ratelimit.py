"""Abuse limits: who is counted, how many they may, and the 429 that says so.

Counting is django-ratelimit's ``get_usage``: fixed windows in the Django cache (``add`` then
an atomic ``incr``), so a limit holds across processes and machines whenever the cache is
Redis (it is when ``REDIS_URL`` is set). This module decides *who* a request is (the client
address from the rightmost untrusted hop, the participant before the address) and *what*
the limits are (``DEFAULT_LIMITS``, overridden by ``settings.MODERATION_RATE_LIMITS``). The
library has no lockout that grows, so receipt guessing adds one here on the same cache.

Every limit counts the participant first (account, else the signed participant id in the
session) and the address second, much more loosely: carrier-grade NAT puts whole towns
behind one address, so the address limit only stops floods that hop sessions.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import ipaddress
import re
import time
import unicodedata

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

# action -> scope -> (how many, per how many seconds). Scopes: "participant" (account or
# session participant id), "address" (client address), or one named by the caller.
DEFAULT_LIMITS: dict[str, dict[str, tuple[int, int]]] = {
    "comment": {"participant": (10, 600), "address": (200, 600)},
    "upload": {"participant": (5, 3600), "address": (100, 3600)},
    "appeal": {"participant": (5, 3600), "address": (50, 3600)},
    # Town hall, per participant across reconnects (keyed by town hall too).
    "question": {"participant": (5, 60), "address": (100, 60)},
    "hand": {"participant": (5, 60), "address": (100, 60)},
    "vote": {"participant": (30, 10), "address": (600, 10)},
    # Public API reads (api/throttling.py): per address, or per API key when one is sent.
    "api": {"address": (300, 60), "api_key": (6000, 60)},
    # The same normalised text in one consultation: past this, new copies are held.
    "repeated_text": {"consultation": (5, 60)},
}


def limits() -> dict[str, dict[str, tuple[int, int]]]:
    """The limits in force; a setting may give ``(n, seconds)`` for every scope of an action."""
    merged = {action: dict(scopes) for action, scopes in DEFAULT_LIMITS.items()}
    for action, override in settings.MODERATION_RATE_LIMITS.items():
        if isinstance(override, (tuple, list)):
            override = dict.fromkeys(merged.get(action, {"participant": None}), override)
        merged.setdefault(action, {}).update(override)
    return merged


class RateLimited(ValidationError):
    """Over a limit; ``retry_after`` seconds until the window (or lockout) ends."""

    def __init__(self, message: str, retry_after: int):
        self.retry_after = max(1, int(retry_after))
        super().__init__(message, code="rate_limited")


def _limit_message(limit: int, window: int, retry_after: int) -> str:
    if window >= 120:
        return _(
            "You have sent this too often: the limit is %(limit)d every %(minutes)d minutes. "
            "Please try again in %(retry)d seconds."
        ) % {"limit": limit, "minutes": window // 60, "retry": retry_after}
    return _(
        "You have sent this too often: the limit is %(limit)d every %(seconds)d seconds. "
        "Please try again in %(retry)d seconds."
    ) % {"limit": limit, "seconds": window, "retry": retry_after}


def _count(group: str, value: str, limit: int, window: int, *, increment: bool = True) -> dict:
    usage = get_usage(
        None, group=group, key=lambda _group, _request: value, rate=(limit, window),
        increment=increment,
    )  # fmt: skip
    if usage is None:  # RATELIMIT_ENABLE = False
        return {"count": 0, "limit": limit, "should_limit": False, "time_left": window}
    return usage


def address_key(ip: str) -> str:
    """What an address is counted as: an IPv6 address by its /64 (one household or phone
    gets a whole /64, and could otherwise hop through it), IPv4 as is."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address) + "/64"
    return str(address)


def check(
    action: str, *, participant=None, ip=None, within="", increment: bool = True, **named
) -> None:
    """Count one ``action`` for each identity given; raise ``RateLimited`` if one is over.

    ``within`` keeps separate counts per place (a town hall); ``named`` are extra scopes
    (``consultation="12:..."``) limited the same way. ``increment=False`` only looks: would
    one more be over?
    """
    scopes = limits()[action]
    identities = [("participant", participant), ("address", ip and address_key(ip))]
    identities += named.items()
    for scope, value in identities:
        if not value or scope not in scopes:
            continue
        limit, window = scopes[scope]
        usage = _count(f"{action}:{scope}", f"{within}:{value}", limit, window, increment=increment)
        if usage["should_limit"] if increment else usage["count"] >= limit:
            retry = max(1, usage["time_left"] + 1)  # the window's last second counts too
            raise RateLimited(_limit_message(limit, window, retry), retry)


# --- who is asking ------------------------------------------------------------------------


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def address_from(peer: str, forwarded_for: str) -> str:
    """The rightmost untrusted hop of ``X-Forwarded-For`` + the TCP peer.

    With ``TRUSTED_PROXY_COUNT`` = n, the last n addresses of the chain (the peer included)
    are our own proxies; the one before them is the client as the outermost proxy saw it.
    Everything further left was written by the client and may be forged. With n = 0 the
    header is ignored. Never further left than the chain reaches, never an invalid entry.
    """
    trusted = int(settings.TRUSTED_PROXY_COUNT)
    chain = [hop.strip() for hop in forwarded_for.split(",")] if forwarded_for else []
    chain.append(peer or "")
    if trusted <= 0:
        return _valid_ip(peer or "") or ""
    index = max(0, len(chain) - 1 - trusted)
    for hop in chain[index:]:  # the chosen hop, else the nearest valid one to its right
        if _valid_ip(hop):
            return _valid_ip(hop)
    return ""


def client_ip(request) -> str:
    return address_from(
        request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", "")
    )


def client_ip_from_scope(scope) -> str:
    """The same rule for an ASGI (WebSocket) scope."""
    peer = (scope.get("client") or ("",))[0] or ""
    forwarded = b",".join(
        value for name, value in scope.get("headers", []) if name.lower() == b"x-forwarded-for"
    )
    return address_from(peer, forwarded.decode("latin-1"))


def request_participant(request) -> str:
    """The account, else the session's signed participant id (created on first use)."""
    from consult.live.identity import participant_for_request

    return participant_for_request(request)


# --- identical text -----------------------------------------------------------------------

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalised_text(text: str) -> str:
    """Case, width, spacing and punctuation folded: the copies of a pasted campaign meet."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(_NOT_WORD.sub(" ", folded).split())


def text_repeated_too_often(consultation_id, text: str) -> bool:
    """Count this text in its consultation; True once it arrives faster than the limit.

    The caller holds such a submission for review (not refused: it still counts as one
    more supporter of the campaign once reviewed).
    """
    normalised = normalised_text(text)
    if not normalised:
        return False
    digest = hashlib.sha256(normalised.encode()).hexdigest()
    try:
        check("repeated_text", consultation=f"{consultation_id}:{digest}")
    except RateLimited:
        return True
    return False


# --- town hall votes ------------------------------------------------------------------------


def allow_anonymous_vote(townhall_id, question_id, participant: str, ip: str) -> bool:
    """At most ``LIVE_ANONYMOUS_VOTES_PER_QUESTION_PER_ADDRESS`` distinct anonymous
    participants from one address vote on one question.

    Fresh sessions are free to make, so without this one person gets a vote per session.
    The cap is per question (not per session created) so that a crowd behind one NAT
    address can still join, ask and vote on everything else; a participant counts once,
    however often they vote and unvote. Accounts are not capped here.
    """
    cap = int(settings.LIVE_ANONYMOUS_VOTES_PER_QUESTION_PER_ADDRESS)
    try:
        question_id = int(question_id)
    except (TypeError, ValueError):
        return True  # no such question: the service says so
    if not ip or participant.startswith("u:"):
        return True
    ip = address_key(ip)
    day = 24 * 3600
    group = f"vote-question:{townhall_id}:{question_id}"
    first_time = cache.add(f"{group}:seen:{ip}:{participant}", 1, day)
    usage = _count(group, ip, cap, day, increment=first_time)
    return not usage["should_limit"] if first_time else usage["count"] <= cap


# --- receipt guessing --------------------------------------------------------------------------


def _now() -> float:
    return time.time()


def _receipt_settings() -> tuple[int, int, int, int]:
    return (
        int(settings.RECEIPT_WRONG_GUESSES_PER_ADDRESS),
        int(settings.RECEIPT_LOCKOUT_SECONDS),
        int(settings.RECEIPT_WRONG_GUESSES_SITE_WIDE),
        int(settings.RECEIPT_WINDOW_SECONDS),
    )


def receipt_retry_after(ip: str) -> int:
    """Seconds until this address (or the whole site) may look up receipts again; 0 now."""
    _per_address, _lockout, site_wide, window = _receipt_settings()
    waits = [0]
    until = cache.get(f"receipt:locked:{ip}")
    if until:
        waits.append(int(until - _now()) + 1)
    site = _count("receipt:site", "all", site_wide, window, increment=False)
    if site["count"] >= site_wide:
        waits.append(max(1, site["time_left"] + 1))
    return max(waits)


def record_wrong_receipt_guess(ip: str) -> None:
    """One more wrong code from ``ip``. After the stated number in the window, lookups pause
    for ``RECEIPT_LOCKOUT_SECONDS``, doubled at every further lockout that day."""
    per_address, lockout, site_wide, window = _receipt_settings()
    _count("receipt:site", "all", site_wide, window)
    if _count("receipt:wrong", ip, per_address, window)["count"] < per_address:
        return
    level_key = f"receipt:level:{ip}"
    cache.add(level_key, 0, 24 * 3600)
    level = cache.incr(level_key) - 1
    pause = min(lockout * 2**level, 24 * 3600)
    cache.set(f"receipt:locked:{ip}", _now() + pause, pause + 5)


def _receipt_refusal(request, retry_after: int):
    message = _(
        "Too many receipt codes were tried from your network. For everyone's safety, "
        "lookups pause after %(count)d wrong codes. Please try again in %(retry)d seconds."
    ) % {"count": _receipt_settings()[0], "retry": retry_after}
    return too_many_requests(request, message, retry_after, as_json=request.path.endswith(".json"))


def limit_receipt_guesses(view):
    """Receipt lookups: refused while the address or the site is paused; an answer of 404
    (no submission has that code) counts as a wrong guess."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        ip = address_key(client_ip(request))
        wait = receipt_retry_after(ip)
        if wait > 0:
            return _receipt_refusal(request, wait)
        response = view(request, *args, **kwargs)
        if response.status_code == 404:
            record_wrong_receipt_guess(ip)
        return response

    return wrapped


# --- answering -----------------------------------------------------------------------------------


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back_url(request, fallback: str = "/") -> str:
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return fallback


def too_many_requests(request, message: str, retry_after: int, *, as_json=None, back="/"):
    """429 with ``Retry-After``: JSON for scripts, else a page in the page's language with
    the message and a way back."""
    if as_json is None:
        as_json = _wants_json(request)
    if as_json:
        response = JsonResponse({"error": message, "retry_after": retry_after}, status=429)
    else:
        response = render(
            request,
            "moderation/rate_limited.html",
            {"message": message, "retry_after": retry_after, "back": _back_url(request, back)},
            status=429,
        )
    response["Retry-After"] = str(retry_after)
    return response


def rate_limited(action: str, back=None, refuse=None, counts=None):
    """View decorator: a POST over the participant's or the address's limit gets a 429.

    ``back(request, **kwargs)`` gives the page to go back to (default: the referring page).
    ``refuse(request, message, retry_after, **kwargs)`` may answer the 429 itself (the form
    again, with what was typed); None falls back to the plain page. With
    ``counts(response)``, only a POST whose answer it accepts is counted (a failed upload
    costs nothing); the limit is looked at before, counted after, so parallel requests may
    pass it by a few.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method != "POST":
                return view(request, *args, **kwargs)
            who = {"participant": request_participant(request), "ip": client_ip(request)}
            try:
                check(action, increment=counts is None, **who)
            except RateLimited as exc:
                message, retry_after = exc.messages[0], exc.retry_after
                response = refuse(request, message, retry_after, **kwargs) if refuse else None
                if response is None:
                    fallback = back(request, **kwargs) if back else "/"
                    return too_many_requests(request, message, retry_after, back=fallback)
                response.status_code = 429
                response["Retry-After"] = str(retry_after)
                return response
            response = view(request, *args, **kwargs)
            if counts is not None and counts(response):
                with contextlib.suppress(RateLimited):  # this one passed; the next is refused
                    check(action, **who)
            return response

        return wrapped

    return decorator
