"""Every town hall page gets its runtime row now; new pages get theirs when published.

Until now the row was made on first read (a page GET or a connection); readers no longer
write, so pages that were never opened get theirs here.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    TownHallPage = apps.get_model("cms", "TownHallPage")
    TownHall = apps.get_model("live", "TownHall")
    have = set(TownHall.objects.values_list("page_id", flat=True))
    TownHall.objects.bulk_create(
        TownHall(page_id=pk)
        for pk in TownHallPage.objects.values_list("pk", flat=True)
        if pk not in have
    )


class Migration(migrations.Migration):
    dependencies = [
        ("live", "0002_payloads_name_people_by_handle"),
        ("cms", "0003_reportpage_townhallpage"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
