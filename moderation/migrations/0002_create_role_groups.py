"""Data migration: the role groups named in consult/roles.py, with their permissions.

Permissions normally appear only after migrate (post_migrate), so they are created here
first for the apps we need.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from moderation.role_groups import ROLE_PERMISSIONS, ensure_role_groups


def create_groups(apps, schema_editor):
    # Permissions normally appear only after migrate (post_migrate): create them first.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ensure_role_groups(
        apps.get_model("auth.Group"),
        apps.get_model("auth.Permission"),
        apps.get_model("wagtailcore.Page"),
        apps.get_model("wagtailcore.GroupPagePermission"),
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth.Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("cms", "0002_create_homepage"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0005_editingsession_is_editing"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
