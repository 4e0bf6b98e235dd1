"""Personal data in what staff write for the public: refused, not redacted.

Participants' words are redacted on the way in (``text.checks``); text that editors,
ministries and facilitators type (a closing-date reason, who attended a meeting, the
ministry's answer to a theme) is published exactly as written, so the same checks refuse it
in the form instead, and the editor sees what was found and takes it out. A record that
names a citizen's CNIC would expose exactly the people a consultation must protect.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from text.checks import find_personal_data

KIND_NAMES = {
    "cnic": _("a CNIC number"),
    "phone": _("a phone number"),
    "email": _("an e-mail address"),
    "iban": _("a bank account number"),
    "address": _("a home address"),
}
# An office's own contact details are meant to be public; identity numbers never are.
CONTACT_DETAILS = ("phone", "email", "address")


def personal_data_error(value: str, allow: tuple[str, ...] = ()) -> str | None:
    """The message for ``value``, or None when it holds no personal data (but ``allow``)."""
    kinds = []
    for finding in find_personal_data(value or ""):
        if finding["kind"] not in allow and finding["kind"] not in kinds:
            kinds.append(finding["kind"])
    if not kinds:
        return None
    found = ", ".join(str(KIND_NAMES[kind]) for kind in kinds)
    return str(
        format_lazy(
            _(
                "This text is public, and it seems to contain personal data ({found}). "
                "Take it out: the platform never publishes a person's identity number, "
                "phone, e-mail or address."
            ),
            found=found,
        )
    )


def personal_data_errors(instance, fields, allow: dict[str, tuple[str, ...]] | None = None):
    """``{field: message}`` for each public field of ``instance`` that holds personal data;
    ``allow`` maps a field to the kinds it may carry."""
    allow = allow or {}
    errors = {}
    for field in fields:
        message = personal_data_error(getattr(instance, field, "") or "", allow.get(field, ()))
        if message:
            errors[field] = [message]
    return errors


def refuse_personal_data(instance, fields, allow=None) -> None:
    """For a model's ``clean``: a ``ValidationError`` naming every field at fault."""
    errors = personal_data_errors(instance, fields, allow)
    if errors:
        raise ValidationError(errors)
