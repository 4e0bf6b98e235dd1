"""Run from cron (daily): delete old audio; re-queue notes whose task result is gone.

A dead worker's task needs nothing from here: the workers requeue it when its lease runs
out (workers/)."""

import json

from django.core.management.base import BaseCommand

from consult.voice import services


class Command(BaseCommand):
    help = "Delete audio past retention; re-queue 'transcribing' notes whose task is gone."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stuck-after",
            type=int,
            default=None,
            help="Seconds after which a 'transcribing' note counts as stuck "
            "(default: VOICE_STUCK_AFTER_SECONDS).",
        )
        parser.add_argument(
            "--retention-days", type=int, default=None, help="Default: VOICE_RETENTION_DAYS."
        )

    def handle(self, *args, stuck_after=None, retention_days=None, **options):
        report = {
            "requeued": services.recover_stuck_notes(stuck_after=stuck_after),
            "audio_deleted": services.purge_expired_audio(days=retention_days),
        }
        self.stdout.write(json.dumps(report))
