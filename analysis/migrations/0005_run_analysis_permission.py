"""The analysts' permission to run an analysis, given to the Analyst group."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    # Permissions normally appear only after migrate (post_migrate): create this one first.
    app_config = apps.get_app_config("analysis")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth.Permission")
    Group = apps.get_model("auth.Group")
    permission = Permission.objects.get(content_type__app_label="analysis", codename="run_analysis")
    for group in Group.objects.filter(name="Analyst"):
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0004_analysis_permission"),
        ("moderation", "0004_permissions_follow_moved_models"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="analysisrun",
            options={
                "ordering": ["-created_at"],
                "permissions": [
                    ("view_analysis", "Can view analysis dashboards"),
                    ("run_analysis", "Can run an analysis and draft the report"),
                ],
                "verbose_name": "analysis run",
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
