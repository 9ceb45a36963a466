from allauth.account.admin import EmailAddressAdmin as BaseEmailAddressAdmin
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from animators.models import AccountEvent, Animator
from animators.resources import AnimatorResource
from partnerships.history_admin import HistoryAdmin
from prb_partnerships.admin import (
    CountedAdmin,
    RecordAdmin,
    permission_label,
    person_column,
    yes_no_column,
)
from prb_partnerships.importexport import SpreadsheetImportExportMixin


@admin.register(Animator)
class AnimatorAdmin(SpreadsheetImportExportMixin, HistoryAdmin):
    resource_classes = [AnimatorResource]
    count_label = ngettext_lazy("%(count)d animator", "%(count)d animators", "count")
    list_display = ["__str__", "email", "phone", "expert", "load", "capacity", "is_active_icon"]
    list_filter = ["is_active", "expert", "voivodeships"]
    list_select_related = ["user", "expert"]
    search_fields = ["user__first_name", "user__last_name", "user__email", "phone"]
    autocomplete_fields = ["user", "expert"]
    filter_horizontal = ["voivodeships"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_load=Count("assignments", filter=Q(assignments__ended_at__isnull=True))
            )
        )

    @admin.display(description=_("e-mail"), ordering="user__email")
    def email(self, obj):
        return obj.user.email

    @admin.display(description=_("libraries now"), ordering="active_load")
    def load(self, obj):
        return obj.active_load

    is_active_icon = yes_no_column("is_active", Animator._meta.get_field("is_active").verbose_name)


@admin.register(AccountEvent)
class AccountEventAdmin(RecordAdmin):
    """Who invited, deactivated or reactivated whom: a record, read-only (the people pages
    write it, animators/services.py)."""

    count_label = ngettext_lazy("%(count)d account event", "%(count)d account events", "count")
    list_display = ["at", "user_name", "kind", "by_name"]
    list_filter = ["kind", "at"]
    list_select_related = ["user", "by"]
    search_fields = ["user__email", "user__last_name", "by__email", "by__last_name"]
    date_hierarchy = "at"
    user_name = person_column("user", AccountEvent._meta.get_field("user").verbose_name)
    by_name = person_column("by", AccountEvent._meta.get_field("by").verbose_name)


# The accounts' pages of Django and allauth, with the lists counted as ours, their yes/no columns
# and permissions named in the reader's language, and the dates an account records read-only
# (nobody sets a last sign-in by hand).
admin.site.unregister(User)
admin.site.unregister(Group)
admin.site.unregister(EmailAddress)


class PermissionsNamedMixin:
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions"):
            field.label_from_instance = permission_label
        return field


@admin.register(User)
class UserAdmin(PermissionsNamedMixin, CountedAdmin, BaseUserAdmin):
    count_label = ngettext_lazy("%(count)d user", "%(count)d users", "count")
    list_display = ["username", "email", "first_name", "last_name", "is_staff_icon"]
    readonly_fields = ["last_login", "date_joined"]

    is_staff_icon = yes_no_column("is_staff", User._meta.get_field("is_staff").verbose_name)


@admin.register(Group)
class GroupAdmin(PermissionsNamedMixin, CountedAdmin, BaseGroupAdmin):
    count_label = ngettext_lazy("%(count)d group", "%(count)d groups", "count")


@admin.register(EmailAddress)
class EmailAddressAdmin(CountedAdmin, BaseEmailAddressAdmin):
    count_label = ngettext_lazy("%(count)d e-mail address", "%(count)d e-mail addresses", "count")
    list_display = ["email", "user_name", "primary_icon", "verified_icon"]
    list_select_related = ["user"]
    user_name = person_column("user", EmailAddress._meta.get_field("user").verbose_name)

    primary_icon = yes_no_column("primary", EmailAddress._meta.get_field("primary").verbose_name)
    verified_icon = yes_no_column(
        "verified", EmailAddress._meta.get_field("verified").verbose_name
    )
