"""API keys in Django's admin (/django-admin/): made there, the key shown once."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _

from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "created_at"]
    fields = ["name", "is_active", "prefix", "created_at"]

    def save_model(self, request, obj, form, change):
        key = None if change else obj.set_new_key()
        super().save_model(request, obj, form, change)
        if key:
            messages.warning(
                request,
                _(
                    "The new API key is %(key)s. Copy it now: it is not stored and cannot be "
                    "shown again."
                )
                % {"key": key},
            )
