"""One adapter from a service's ValidationError to what a form or a JSON client shows.

Services raise ``ValidationError`` with a dict (field -> messages) or plain messages; a
field the form does not have becomes a message for the whole form, so nothing is lost.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


def error_messages(error: ValidationError) -> dict[str, list[str]]:
    """``{"field": ["message", ...]}``; messages without a field under ``"__all__"``."""
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form, each message on its field where it has one."""
    for field, messages in error_messages(error).items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
