from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from libraries.models import Library, Voivodeship
from libraries.resources import LibraryResource, VoivodeshipResource
from partnerships.filters import AnimatorListFilter, ExpertListFilter
from partnerships.history_admin import HistoryAdmin
from prb_partnerships.admin import CountedAdmin
from prb_partnerships.importexport import SpreadsheetExportMixin, SpreadsheetImportExportMixin


class LibraryAnimatorFilter(AnimatorListFilter):
    assignment_to = "partnership__library"


class LibraryExpertFilter(ExpertListFilter):
    assignment_to = "partnership__library"


@admin.register(Voivodeship)
class VoivodeshipAdmin(SpreadsheetExportMixin, CountedAdmin):
    resource_classes = [VoivodeshipResource]
    count_label = ngettext_lazy("%(count)d voivodeship", "%(count)d voivodeships", "count")
    list_display = ["code", "name", "capital", "library_count"]
    search_fields = ["name", "code"]
    ordering = ["code"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(library_count=Count("libraries"))

    @admin.display(description=_("libraries"), ordering="library_count")
    def library_count(self, obj):
        return obj.library_count

    def has_add_permission(self, request):
        return False  # the 16 voivodeships come from the TERYT register (a data migration)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Library)
class LibraryAdmin(SpreadsheetImportExportMixin, HistoryAdmin):
    resource_classes = [LibraryResource]
    count_label = ngettext_lazy("%(count)d library", "%(count)d libraries", "count")
    list_display = ["name", "town", "gmina", "gmina_type", "powiat", "voivodeship", "terc", "kind"]
    list_filter = [
        "voivodeship",
        LibraryAnimatorFilter,
        LibraryExpertFilter,
        "kind",
        "gmina_type",
    ]
    list_select_related = ["voivodeship"]
    search_fields = ["name", "gmina", "town", "powiat", "terc", "email"]
    autocomplete_fields = ["librarians"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "kind"]}),
        (_("Gmina"), {"fields": ["voivodeship", "terc", "gmina", "gmina_type", "powiat"]}),
        (_("Contact"), {"fields": ["town", "address", "postal_code", "email", "phone", "website"]}),
        (_("Librarians"), {"fields": ["librarians"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        return False  # a library that leaves the programme is kept: its partnership is withdrawn
