import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prb_partnerships.roles import Role

User = get_user_model()
UNUSABLE_PASSWORD_PREFIX = "!"  # Django marks a password never set this way


class PersonFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    role = django_filters.ChoiceFilter(
        label=_("Role"),
        field_name="groups__name",
        choices=[
            (Role.COORDINATOR.value, _("coordinator")),
            (Role.EXPERT.value, _("CAL expert")),
            (Role.ANIMATOR.value, _("animator")),
            (Role.LIBRARIAN.value, _("librarian")),
        ],
        empty_label=_("all"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        method="filter_status",
        choices=[
            ("invited", _("invited, password not set yet")),
            ("active", _("account active")),
            ("deactivated", _("account deactivated")),
        ],
        empty_label=_("all"),
    )

    class Meta:
        model = User
        fields = ["q", "role", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(email__icontains=value)
            | Q(libraries__name__icontains=value)
        ).distinct()

    def filter_status(self, queryset, name, value):
        invited = Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        if value == "invited":
            return queryset.filter(invited, is_active=True)
        if value == "active":
            return queryset.filter(is_active=True).exclude(invited)
        return queryset.filter(is_active=False)
