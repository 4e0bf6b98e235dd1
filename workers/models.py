from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult


class TaskLease(models.Model):
    """The lease of a task result: who runs it, until when, and how many times it started.

    Kept after the task finishes (``lease_expires_at`` empty) so the attempts stay visible.
    """

    task_result = models.OneToOneField(
        DBTaskResult,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="lease",
        verbose_name=_("task result"),
    )
    worker_id = models.CharField(_("worker"), max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("task lease")
        verbose_name_plural = _("task leases")

    def __str__(self):
        return f"{self.task_result_id} ({self.attempts})"
