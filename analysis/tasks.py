"""Background tasks of the analysis queue: thin adapters around services."""

from __future__ import annotations

from django_tasks import task

# The exception workers.leases records when a task's worker died too many times.
LEASE_EXPIRED = "workers.leases.LeaseExpired"


@task(queue_name="analysis")
def run_analysis(run_id: int) -> None:
    from analysis.services import execute_run

    execute_run(run_id)


def record_abandoned_run(sender, task_result, **kwargs) -> None:
    """task_finished receiver: a run whose workers all died is failed, never left running."""
    if task_result.task.module_path != run_analysis.module_path or not task_result.errors:
        return
    if task_result.errors[-1].exception_class_path == LEASE_EXPIRED:
        from analysis.services import abandon_run

        abandon_run(task_result.args[0], len(task_result.worker_ids))
