from django.apps import AppConfig


class ConsultConfig(AppConfig):
    """The participation domain: submissions, participants, receipts, live sessions."""

    name = "consult"
    verbose_name = "Participation"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from django_comments.models import Comment
        from django_comments_xtd.models import XtdComment

        from consult.models import Submission
        from consult.reading_cache import on_comment_saved_or_deleted

        # A comment saved as any class of the hierarchy changes the cached reading page.
        for model in (Comment, XtdComment, Submission):
            post_save.connect(on_comment_saved_or_deleted, sender=model, dispatch_uid=f"rc-{model}")
            post_delete.connect(
                on_comment_saved_or_deleted, sender=model, dispatch_uid=f"rc-del-{model}"
            )
