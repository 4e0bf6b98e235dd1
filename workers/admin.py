from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from workers.models import TaskLease


@admin.register(TaskLease)
class TaskLeaseAdmin(admin.ModelAdmin):
    list_display = ["task_result", "task_status", "attempts", "worker_id", "lease_expires_at"]
    list_select_related = ["task_result"]
    readonly_fields = ["task_result", "attempts", "worker_id", "lease_expires_at"]

    @admin.display(description=_("status"))
    def task_status(self, lease):
        return lease.task_result.get_status_display()

    def has_add_permission(self, request):
        return False
