"""Run from cron (e.g. every 10 minutes): re-queue notes of dead workers, delete old audio."""

import json

from django.core.management.base import BaseCommand

from consult.voice import services


class Command(BaseCommand):
    help = "Re-queue voice notes stuck in 'transcribing' and delete audio past retention."

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
