"""Data migration: the Urdu content locale, so Wagtail editors can keep an Urdu translation
(Locale + translation_key) next to the English source. English is created by Wagtail."""

from django.db import migrations


def add_urdu_locale(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    Locale.objects.get_or_create(language_code="ur")


class Migration(migrations.Migration):
    dependencies = [("wagtailcore", "0094_alter_page_locale")]

    operations = [migrations.RunPython(add_urdu_locale, migrations.RunPython.noop)]
