"""The role groups named in consult/roles.py and their permissions.

Shared by the data migration (with historical models) and the test suite (which must
restore them after a transactional test flushes the database).
"""

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
        "consult.view_auditlog",
        "moderation.view_appeal",
        "moderation.view_decision",
        "consult.view_screening",
    ],
    "Analyst": [
        "wagtailadmin.access_admin",
        "consult.view_submission",
        "analysis.view_analysis",
        "analysis.run_analysis",
    ],
    "Facilitator": [
        "consult.add_submission",
        "consult.enter_submission",
    ],
    "Participant": [],
}
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page"]


def ensure_role_groups(Group, Permission, Page, GroupPagePermission) -> None:
    """Create the groups with their permissions; safe to call again."""
    for name, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                group.permissions.add(permission)
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
