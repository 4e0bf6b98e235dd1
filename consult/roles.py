"""Roles are Django groups. These names are the contract between apps; the groups and their
permissions are created by a migration in ``moderation``."""

from __future__ import annotations

MINISTRY_EDITOR = "Ministry editor"
MODERATOR = "Moderator"
ANALYST = "Analyst"
FACILITATOR = "Facilitator"
PARTICIPANT = "Participant"

ALL_ROLES = [MINISTRY_EDITOR, MODERATOR, ANALYST, FACILITATOR, PARTICIPANT]


def has_role(user, role: str) -> bool:
    """Superusers hold every role; anonymous visitors hold none."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=role).exists()


def is_facilitator(user) -> bool:
    return has_role(user, FACILITATOR)


def is_moderator(user) -> bool:
    return has_role(user, MODERATOR)


def is_analyst(user) -> bool:
    return has_role(user, ANALYST)


def is_ministry_editor(user) -> bool:
    return has_role(user, MINISTRY_EDITOR)
