"""Shared pieces of the admin panel."""

from django.contrib import admin


class RecordAdmin(admin.ModelAdmin):
    """A record the application writes (reminders and digests sent, account events): the
    admin shows it, nobody adds, changes or deletes it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
