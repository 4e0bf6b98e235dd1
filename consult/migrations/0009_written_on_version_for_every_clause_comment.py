"""Every comment on a clause records the version it was written on (not only those quoting
words), so each version of the draft shows its own comments. Existing comments: the newest
version of their consultation published at or before they were sent."""

from django.db import migrations


def version_when_sent(apps, schema_editor):
    """One update per version (submit_date sits on the comments library's parent table,
    which an update cannot reference from a subquery)."""
    Submission = apps.get_model("consult", "Submission")
    DraftVersion = apps.get_model("drafts", "DraftVersion")
    pending = Submission.objects.filter(written_on_version__isnull=True, clause__isnull=False)
    pages = pending.values_list("consultation_id", flat=True).distinct().order_by()
    for page_id in list(pages):
        versions = list(
            DraftVersion.objects.filter(page_id=page_id)
            .order_by("number")
            .values_list("number", "created_at")
        )
        for i, (number, created_at) in enumerate(versions):
            rows = pending.filter(consultation_id=page_id)
            if i > 0:  # before the first version's time: the first version
                rows = rows.filter(submit_date__gte=created_at)
            if i + 1 < len(versions):
                rows = rows.filter(submit_date__lt=versions[i + 1][1])
            rows.update(written_on_version=number)


class Migration(migrations.Migration):
    dependencies = [
        ("consult", "0008_submission_written_on"),
        ("drafts", "0004_clauseversion_text_ur_behind"),
    ]

    operations = [migrations.RunPython(version_when_sent, migrations.RunPython.noop)]
