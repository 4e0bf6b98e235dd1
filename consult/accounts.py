"""Participants' accounts through django-allauth: an e-mail address and a one-time code.

allauth has no Urdu catalogue, so what a participant reads from it is worded here (the error
messages) and in frontend/templates/account/ (pages, mails, notices), all translated in our
own catalogue.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.utils.translation import gettext_lazy as _


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "incorrect_code": _("That code is not right. Check the e-mail and type it again."),
        "too_many_login_attempts": _(
            "Too many tries with this address. Please wait a few minutes and try again."
        ),
        "rate_limited": _("Too many requests. Please wait a few minutes and try again."),
        "email_taken": _("An account already uses this e-mail address. Sign in instead."),
        "unknown_email": _("No account uses this e-mail address."),
        "account_inactive": _("This account is switched off."),
    }


def ensure_sign_in_address(user) -> None:
    """Give an account made outside allauth (in the Wagtail admin) allauth's record of its
    e-mail address, unverified: signing in with a code sent there then verifies it, instead
    of asking the person to confirm the address they have just proved with that code."""
    from allauth.account.models import EmailAddress

    if not user.email:
        return
    has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
    EmailAddress.objects.get_or_create(
        user=user,
        email__iexact=user.email,
        defaults={"email": user.email.lower(), "primary": not has_primary, "verified": False},
    )
