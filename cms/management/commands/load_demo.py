"""Load the demo consultation and an admin account. Safe to run again."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from cms.demo import load_demo


class Command(BaseCommand):
    help = "Create the demo consultation (once) and a local admin account; print credentials."

    def add_arguments(self, parser):
        parser.add_argument("--no-admin", action="store_true", help="Do not create an admin.")

    def handle(self, *args, no_admin=False, **options):
        page, created = load_demo()
        self.stdout.write(
            f"Demo consultation {'created' if created else 'already present'}: {page.url_path}"
        )
        if created:
            # A first analysis, so the draft report (admin, under the consultation) is populated.
            from analysis.services import execute_run, start_analysis

            run = execute_run(start_analysis(page, enqueue=False).pk)
            self.stdout.write(f"Demo analysis {run.pk}: {run.status}; report drafted for review.")
        if no_admin:
            return
        credentials_file = settings.VAR_DIR / "admin-credentials.txt"
        User = get_user_model()
        user = User.objects.filter(username="admin").first()
        if user is None or not credentials_file.exists():
            password = secrets.token_urlsafe(12)
            if user is None:
                user = User.objects.create_superuser("admin", "admin@localhost", password)
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
            settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
            credentials_file.write_text(f"admin {password}\n")
            credentials_file.chmod(0o600)
        username, password = credentials_file.read_text().split()
        self.stdout.write(f"Admin account: username={username} password={password}")
