"""Shared pieces of the admin panel."""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy


class CountedChangeList(ChangeList):
    """A list whose numbers are said with the model's noun in the form the number takes
    (Polish has three: 1 biblioteka, 2 biblioteki, 5 bibliotek), where Django's admin puts the
    model's one plural name after any number ("131 biblioteki"). The admin's templates
    pagination.html and actions.html read these."""

    @property
    def result_count_text(self):
        return self.model_admin.counted(self.result_count)

    @property
    def select_all_text(self):
        return _("Select on every page: %(counted)s") % {
            "counted": self.model_admin.counted(self.result_count)
        }

    @property
    def all_selected_text(self):
        return _("Selected: %(counted)s") % {
            "counted": self.model_admin.counted(self.result_count)
        }


class CountedAdmin(admin.ModelAdmin):
    """A model's admin whose list counts its records with `count_label`, a plural message
    that takes the number as `count`."""

    count_label = ngettext_lazy("%(count)d record", "%(count)d records", "count")

    def get_changelist(self, request, **kwargs):
        return CountedChangeList

    def counted(self, number):
        return self.count_label % {"count": number}


class RecordAdmin(CountedAdmin):
    """A record the application writes (reminders and digests sent, account events): the
    admin shows it, nobody adds, changes or deletes it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
