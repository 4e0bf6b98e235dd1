"""Background tasks of consult (thin adapters: the work is in consult.services)."""

from django_tasks import task

from consult import services


@task(queue_name="default")
def reanchor_new_version(version_id: int) -> dict:
    """Move a newly published version's comments onto it (see services.run_reanchoring)."""
    return services.run_reanchoring(version_id)
