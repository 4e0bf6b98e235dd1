"""Points for finished runs saved before points existed, built once here instead of on the
first reading of their report (a page read that wrote). Uses today's point builder: the
backfill is for a database that already has this code's models."""

from django.db import migrations


def build_missing_points(apps, schema_editor):
    Run = apps.get_model("analysis", "AnalysisRun")
    pending = list(
        Run.objects.filter(status="done", points__isnull=True).values_list("pk", flat=True).distinct()
    )
    if not pending:
        return
    from analysis.models import AnalysisRun
    from analysis.points import build_points

    for run in AnalysisRun.objects.filter(pk__in=pending):
        build_points(run)


class Migration(migrations.Migration):
    dependencies = [("analysis", "0009_theme_decisions")]

    operations = [migrations.RunPython(build_missing_points, migrations.RunPython.noop)]
