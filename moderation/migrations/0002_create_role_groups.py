"""Data migration: the role groups named in consult/roles.py, with their permissions.

Permissions normally appear only after migrate (post_migrate), so they are created here
first for the apps we need.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Group name -> list of "app_label.codename". Page editing for ministry editors is a Wagtail
# page permission on the site root (below), not a model permission.
ROLE_PERMISSIONS = {
    "Ministry editor": [
        "wagtailadmin.access_admin",
        "consult.view_submission",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
    ],
    "Moderator": [
        "wagtailadmin.access_admin",
        "consult.view_submission",
        "consult.change_submission",
        "moderation.decide_submission",
        "moderation.view_auditlog",
        "moderation.view_appeal",
        "moderation.view_decision",
        "moderation.view_screening",
    ],
    "Analyst": [
        "wagtailadmin.access_admin",
        "consult.view_submission",
        "moderation.view_analysis",
    ],
    "Facilitator": [
        "consult.add_submission",
        "moderation.enter_submission",
    ],
    "Participant": [],
}
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page"]


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    for name, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                group.permissions.add(permission)
    Page = apps.get_model("wagtailcore.Page")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    editor = Group.objects.get(name="Ministry editor")
    root = Page.objects.filter(depth=1).first()
    if root is not None:
        for codename in EDITOR_PAGE_PERMISSIONS:
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            )
            GroupPagePermission.objects.get_or_create(
                group=editor, page=root, permission=permission
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
