"""Submissions written before every public field was screened: their organisation, name and
proposed wording get the same redaction as new ones (the comment itself already had it)."""

from django.db import migrations

from text.checks import redact_personal_data

PUBLIC_FIELDS = ("organisation", "user_name", "proposed_wording")


def forwards(apps, schema_editor):
    Submission = apps.get_model("consult", "Submission")
    for submission in Submission.objects.iterator(chunk_size=2000):
        changed = []
        for field in PUBLIC_FIELDS:
            value = getattr(submission, field) or ""
            redacted = redact_personal_data(value)
            if redacted != value:
                limit = Submission._meta.get_field(field).max_length
                setattr(submission, field, redacted[:limit] if limit else redacted)
                changed.append(field)
        if changed:
            submission.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("consult", "0003_receipt_secret_and_alias")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
