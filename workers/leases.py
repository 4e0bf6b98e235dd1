"""Leases on running task results: take, renew, release, and requeue the expired ones.

django_tasks_db marks a task RUNNING when a worker claims it and never looks at it again,
so a task whose worker died (SIGKILL, OOM, a lost machine) stayed RUNNING for ever. Here
the claiming worker takes a lease of ``TASK_LEASE_SECONDS`` and renews it while it runs;
any worker requeues a RUNNING task whose lease ran out, until ``TASK_MAX_ATTEMPTS`` starts,
after which the task fails (``task_finished`` is sent so its owner can record why).
Tasks must therefore be safe to run again (ours are: they carry ids and check state).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus, task_finished
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from workers.models import TaskLease

logger = logging.getLogger("workers")


class LeaseExpired(Exception):
    """The worker running the task stopped renewing its lease (it died) too many times."""


def lease_seconds() -> float:
    return float(settings.TASK_LEASE_SECONDS)


def start(result_id, worker_id: str, seconds: float | None = None) -> int:
    """Take the lease of a task this worker just claimed; the number of this attempt."""
    expires = timezone.now() + timedelta(seconds=seconds or lease_seconds())
    with transaction.atomic():
        updated = TaskLease.objects.filter(task_result_id=result_id).update(
            worker_id=worker_id, lease_expires_at=expires, attempts=F("attempts") + 1
        )
        if not updated:
            TaskLease.objects.create(
                task_result_id=result_id, worker_id=worker_id, lease_expires_at=expires, attempts=1
            )
    return TaskLease.objects.values_list("attempts", flat=True).get(task_result_id=result_id)


def renew(result_id, worker_id: str, seconds: float | None = None) -> bool:
    """Extend this worker's lease; False when the task was taken away (lease ran out)."""
    expires = timezone.now() + timedelta(seconds=seconds or lease_seconds())
    return bool(
        TaskLease.objects.filter(task_result_id=result_id, worker_id=worker_id).update(
            lease_expires_at=expires
        )
    )


def release(result_id, worker_id: str) -> None:
    """The task finished (either way): the lease ends, the attempts stay."""
    TaskLease.objects.filter(task_result_id=result_id, worker_id=worker_id).update(
        lease_expires_at=None, worker_id=""
    )


def requeue_expired(
    backend_name: str = "default",
    *,
    now=None,
    seconds: float | None = None,
    max_attempts: int | None = None,
) -> list[str]:
    """Put RUNNING tasks whose lease ran out back in the queue (or fail them after too many
    attempts). A task claimed but never leased (its worker died in between) counts as
    expired one lease length after it started. Rows locked by another worker are skipped
    (SKIP LOCKED on PostgreSQL; SQLite serialises the whole transaction)."""
    now = now or timezone.now()
    seconds = seconds or lease_seconds()
    max_attempts = max_attempts or settings.TASK_MAX_ATTEMPTS
    expired = (
        DBTaskResult.objects.running()
        .filter(backend_name=backend_name)
        .filter(
            Q(lease__lease_expires_at__lt=now)
            | Q(
                lease__lease_expires_at__isnull=True,
                started_at__lt=now - timedelta(seconds=seconds),
            )
        )
    )
    requeued, failed = [], []
    try:
        with exclusive_transaction(expired.db):
            for result in expired.select_for_update(skip_locked=True, of=("self",)):
                attempts = (
                    TaskLease.objects.filter(task_result=result)
                    .values_list("attempts", flat=True)
                    .first()
                    or 0
                )
                TaskLease.objects.filter(task_result=result).update(
                    worker_id="", lease_expires_at=None
                )
                if attempts >= max_attempts:
                    result.set_failed(
                        LeaseExpired(
                            f"The worker running this task stopped after {attempts} attempts."
                        )
                    )
                    failed.append(result)
                else:
                    result.status = TaskResultStatus.READY
                    result.save(update_fields=["status"])
                    requeued.append(str(result.id))
    except OperationalError as error:
        if not is_locked_database_exception(error):
            raise
        return []  # another worker holds the database; the next beat tries again
    if requeued:
        logger.warning("Requeued tasks whose worker died: %s", ", ".join(requeued))
    for result in failed:
        logger.error("Task %s failed: its worker died %s times", result.id, max_attempts)
        try:
            task_result = result.task_result
        except Exception:
            logger.exception("Task %s can no longer be loaded", result.id)
            continue
        task_finished.send(sender=type(result.task.get_backend()), task_result=task_result)
    return requeued
