"""Shared pieces of the admin panel."""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.templatetags.static import static
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from prb_partnerships.freshness import Fragment


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
    def active_filter_count(self):
        """How many of the filter panel's filters are in use (shown on its toggle)."""
        params = self.get_filters_params()
        return sum(
            any(name in params for name in spec.expected_parameters())
            for spec in self.filter_specs
        )

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


class KeptListMixin:
    """A busy list whose date hierarchy, rows and filters are kept rendered under the data
    version (prb_partnerships/freshness.py), as the application's pages are: drawing each
    cell and each filter link costs the admin far more than its queries
    (templates/admin/change_list.html)."""

    def changelist_view(self, request, extra_context=None):
        kept = Fragment(request, f"admin-{self.opts.label_lower}", keep=request.method == "GET")
        return super().changelist_view(request, {**(extra_context or {}), "kept_list": kept})


class RecordAdmin(CountedAdmin):
    """A record the application writes (reminders and digests sent, account events): the
    admin shows it, nobody adds, changes or deletes it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def yes_no_icon(value):
    """A yes/no column's icon, as Django's admin draws it but with its text in the reader's
    language (Django's says "True" or "False" in every language)."""
    icon, text = {True: ("yes", _("yes")), False: ("no", _("no"))}.get(
        value, ("unknown", _("unknown"))
    )
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), text)


def yes_no_column(field_name, label):
    """A list column showing the boolean `field_name` with `yes_no_icon`."""

    @admin.display(description=label, ordering=field_name)
    def column(self, obj):
        return yes_no_icon(getattr(obj, field_name))

    column.__name__ = f"{field_name}_icon"
    return column


def person_name(user):
    """A person as the admin names them: the full name, the e-mail only when there is none
    (None for nobody)."""
    if user is None:
        return None
    return user.get_full_name() or user.email


def person_column(field_name, label):
    """A read-only column or field naming the person in the foreign key `field_name`
    (`person_name`) where Django would show the account's e-mail."""

    @admin.display(description=label, ordering=f"{field_name}__last_name")
    def column(self, obj):
        return person_name(getattr(obj, field_name)) or self.get_empty_value_display()

    column.__name__ = f"{field_name}_name"
    return column


def record_of_day(record, day):
    """A link to a dated record's admin page (a meeting, an agreement), named with its day in
    the reader's language, "spotkanie partnerstwa z 25 sierpnia 2026", where its own name says
    2026-08-25."""
    text = _("%(record)s of %(day)s") % {
        "record": record.get_kind_display(),
        "day": date_format(day, "j E Y"),
    }
    opts = record._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
    return format_html('<a href="{}">{}</a>', url, text)


# The built-in permissions, named when shown (Django stores "Can add meeting" in English).
PERMISSION_ACTIONS = {
    "add": gettext_lazy("can add"),
    "change": gettext_lazy("can change"),
    "delete": gettext_lazy("can delete"),
    "view": gettext_lazy("can view"),
}


def permission_label(permission):
    """"partnerships | meeting | can add" in the reader's language (the content type is
    named from the model's translated names)."""
    action, _sep, model = permission.codename.partition("_")
    if action in PERMISSION_ACTIONS and model == permission.content_type.model:
        return f"{permission.content_type} | {PERMISSION_ACTIONS[action]}"
    return str(permission)
