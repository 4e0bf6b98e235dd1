"""Start an analysis of a consultation's published submissions (queued, or --now)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from analysis.services import execute_run, start_analysis
from drafts.consultations import consultation_model


class Command(BaseCommand):
    help = "Analyse a consultation (by slug) and draft its report page."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument(
            "--now", action="store_true", help="run here instead of queueing for db_worker"
        )
        parser.add_argument(
            "--dask",
            metavar="tcp://HOST:8786",
            help="run the stages on this Dask scheduler's workers (implies --now; default: "
            "DASK_SCHEDULER_ADDRESS, if set, for --now)",
        )

    def handle(self, *args, slug, now, dask=None, **options):
        now = now or bool(dask)
        consultation = consultation_model().objects.filter(slug=slug).first()
        if consultation is None:
            raise CommandError(f"No consultation with slug {slug!r}.")
        try:
            run = start_analysis(consultation, enqueue=not now)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if now:
            run = execute_run(run.pk, dask=dask)
            self.stdout.write(
                f"Analysis {run.pk}: {run.status}; the draft of {consultation.url}report/ is "
                "updated (publish it in the admin)."
            )
        else:
            self.stdout.write(
                f"Analysis {run.pk} queued; run `manage.py db_worker --queue-name analysis`."
            )
