"""Registers the moderation queue in the Wagtail admin, visible to moderators only."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from consult.roles import is_moderator


class ModeratorMenuItem(MenuItem):
    def is_shown(self, request):
        return is_moderator(request.user)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("moderation/", include("moderation.admin_urls", namespace="moderation_admin"))]


@hooks.register("register_admin_menu_item")
def register_menu_item():
    return ModeratorMenuItem(
        _("Moderation queue"), reverse("moderation_admin:queue"), icon_name="warning", order=250
    )


@hooks.register("register_admin_menu_item")
def register_submission_list_menu_item():
    return ModeratorMenuItem(
        _("All submissions"),
        reverse("moderation_admin:submissions"),
        icon_name="list-ul",
        order=251,
    )
