from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder made by `manage.py backup`: checks every hash, refuses a "
        "database that is not empty unless --force, then loads the database and the files."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="a backup folder, e.g. var/backups/20261202T...Z")
        parser.add_argument(
            "--force", action="store_true", help="replace the contents of a non-empty database"
        )

    def handle(self, *args, **options):
        try:
            manifest = restore(options["folder"], force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored {manifest['database']['engine']} database and "
            f"{len(manifest['files'])} files from {manifest['created_at']}"
        )
