from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from animators.models import Animator
from animators.resources import AnimatorResource
from prb_partnerships.importexport import SpreadsheetImportExportMixin


@admin.register(Animator)
class AnimatorAdmin(SpreadsheetImportExportMixin, admin.ModelAdmin):
    resource_classes = [AnimatorResource]
    list_display = ["__str__", "email", "phone", "expert", "load", "capacity", "is_active"]
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
