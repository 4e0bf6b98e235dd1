"""Background tasks of the API: thin adapters around ``api.bulk``."""

from __future__ import annotations

from django_tasks import task


@task()
def build_bulk_files(consultation_id: int) -> None:
    from . import bulk, selectors

    consultation = selectors.public_consultations().filter(pk=consultation_id).first()
    if consultation is not None:
        bulk.build(consultation)
