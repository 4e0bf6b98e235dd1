"""Background tasks of the analysis queue: thin adapters around services."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="analysis")
def run_analysis(run_id: int) -> None:
    from analysis.services import execute_run

    execute_run(run_id)
