"""Roles are Django groups with permissions. The names are the contract between apps; the
groups and their permissions are created by migrations in ``moderation``."""

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


def _has_permission(user, permission: str) -> bool:
    return user is not None and user.is_authenticated and user.has_perm(permission)


# A role is checked by the permission its group grants (moderation/role_groups.py), so a
# permission given to one user in the admin works the same as membership of the group.
def is_facilitator(user) -> bool:
    return _has_permission(user, "consult.enter_submission")


def is_moderator(user) -> bool:
    return _has_permission(user, "moderation.decide_submission")


def is_analyst(user) -> bool:
    return _has_permission(user, "analysis.view_analysis")


def is_ministry_editor(user) -> bool:
    return has_role(user, MINISTRY_EDITOR)
