from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the database and the media and voice files, with a "
        "manifest of sizes and SHA-256 hashes, into var/backups/<timestamp>/."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", help="folder to write backups into (default var/backups)")

    def handle(self, *args, **options):
        try:
            folder = backup(options["to"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(folder))
