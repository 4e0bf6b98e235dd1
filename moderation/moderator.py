"""django-comments-xtd moderator: replies posted through the library's own comment views get
the same checks as ``consult.services.submit``."""

from __future__ import annotations

from django_comments.moderation import CommentModerator, moderator
from django_comments.signals import comment_was_posted


class ConsultationModerator(CommentModerator):
    """Runs ``screen_new_submission`` before save; returns True (hold) when it held."""

    email_notification = False
    enable_field = None

    def allow(self, comment, content_object, request):
        return bool(content_object.is_open())

    def moderate(self, comment, content_object, request):
        from moderation.services import screen_new_submission

        if getattr(comment, "consultation_id", None) is None:
            comment.consultation = content_object
        screen_new_submission(comment)
        return not comment.is_public


def _record_after_save(sender, comment, request, **kwargs):
    result = getattr(comment, "_moderation_screening", None)
    if result is not None and comment.pk:
        from moderation.services import record_screening

        record_screening(comment, result)
        del comment._moderation_screening


def register() -> None:
    from cms.models import ConsultationPage

    if ConsultationPage not in moderator._registry:
        moderator.register(ConsultationPage, ConsultationModerator)
    comment_was_posted.connect(_record_after_save, dispatch_uid="moderation-record-screening")
