"""django-comments-xtd moderator: replies posted through the library's own comment views get
the same checks (and the same rate limit) as ``consult.services.submit``.

The library hands moderators a ``TmpXtdComment`` (a dict) before it creates the real
``Submission`` from it, so ``moderate`` may only set model fields on it; the screening
record is written in ``email``, the library's post-save hook, once the row exists.
"""

from __future__ import annotations

from django_comments_xtd.moderation import XtdCommentModerator, moderator

from moderation.ratelimit import RateLimited, check, client_ip, request_participant


class ConsultationModerator(XtdCommentModerator):
    """Holds (returns True from ``moderate``) whenever the checks or the mode hold."""

    email_notification = False
    enable_field = None

    def allow(self, comment, content_object, request):
        if not content_object.is_open():
            return False
        try:
            check("comment", participant=request_participant(request), ip=client_ip(request))
        except RateLimited:
            return False
        return True

    def moderate(self, comment, content_object, request):
        from moderation.services import screen_new_submission

        if getattr(comment, "consultation_id", None) is None:
            comment.consultation = content_object
        screen_new_submission(comment)
        return not comment.is_public

    def email(self, comment, content_object, request):
        """Post-save hook: record the screening for the row the library just created."""
        from moderation.checks import assess
        from moderation.services import record_screening

        saved = getattr(comment, "xtd_comment", None) or (comment if comment.pk else None)
        if saved is not None and saved.pk:
            record_screening(saved, assess(saved.original_text or saved.comment))


def register() -> None:
    from cms.models import ConsultationPage

    if ConsultationPage not in moderator._registry:
        moderator.register(ConsultationPage, ConsultationModerator)
