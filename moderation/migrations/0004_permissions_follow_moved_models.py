"""Content types follow the models that moved app (so their permissions, and the groups
holding them, follow too); the role groups get the permissions now declared where they
are checked (moderation.Decision, consult.Submission, analysis.AnalysisRun)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from moderation.role_groups import ensure_role_groups

MOVED = [
    ("moderation", "auditlog", "consult"),
    ("moderation", "screening", "consult"),
    ("cms", "draftversion", "drafts"),
    ("cms", "clauseversion", "drafts"),
]
# Declared on moderation.AuditLog before, now on the models whose services check them.
OLD_CUSTOM_PERMISSIONS = ["decide_submission", "view_analysis", "enter_submission"]


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for old_app, model, new_app in MOVED:
        old = ContentType.objects.filter(app_label=old_app, model=model).first()
        if old is None:
            continue
        if ContentType.objects.filter(app_label=new_app, model=model).exists():
            old.delete()
            continue
        old.app_label = new_app
        old.save(update_fields=["app_label"])
    # The custom permissions travelled with the audit log's content type: drop them there;
    # they are created again on their own models below.
    Permission.objects.filter(
        content_type__app_label="consult",
        content_type__model="auditlog",
        codename__in=OLD_CUSTOM_PERMISSIONS,
    ).delete()
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ensure_role_groups(
        apps.get_model("auth.Group"),
        Permission,
        apps.get_model("wagtailcore.Page"),
        apps.get_model("wagtailcore.GroupPagePermission"),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('analysis', '0004_analysis_permission'),
        ('cms', '0004_draft_record_moves_to_drafts'),
        ('consult', '0006_screening_and_audit_log'),
        ('drafts', '0001_initial'),
        ('moderation', '0003_screening_and_audit_log_move_to_consult'),
    ]

    operations = [migrations.RunPython(move_content_types, migrations.RunPython.noop)]
