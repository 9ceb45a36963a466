import django_filters
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from animators.models import Animator
from libraries.models import Voivodeship
from partnerships.models import Assignment, Partner, Partnership, Round, Stage, Status
from prb_partnerships.roles import Role

NOT_STARTED = "not_started"


class PersonChoiceField(forms.ModelChoiceField):
    """People (users) named as every page names them: the full name, else the e-mail."""

    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email


class PersonChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = PersonChoiceField


class PartnershipFilterSet(django_filters.FilterSet):
    """The filters of `/libraries/`: `voivodeship` (TERYT code), `stage`, `status`, `animator`,
    `expert`, `q`, and the column order `o`. The queryset must come from `with_progress()` and
    `with_activity()`, and annotate `library_sort` and `gmina_sort` (Polish collation)."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        help_text=_("Library, gmina, town or partner name"),
    )
    voivodeship = django_filters.ModelChoiceFilter(
        label=_("Voivodeship"),
        field_name="library__voivodeship",
        to_field_name="code",
        queryset=Voivodeship.objects.all(),
        empty_label=_("all"),
    )
    stage = django_filters.ChoiceFilter(
        label=_("Stage"),
        choices=[(NOT_STARTED, _("not started yet")), *Stage.choices],
        method="filter_stage",
        empty_label=_("all"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, empty_label=_("all")
    )
    animator = django_filters.ModelChoiceFilter(
        label=_("Animator"),
        queryset=Animator.objects.select_related("user"),
        method="filter_animator",
        empty_label=_("all"),
    )
    expert = PersonChoiceFilter(
        label=_("CAL expert"),
        queryset=get_user_model().objects.filter(groups__name=Role.EXPERT).order_by(
            "last_name", "first_name"
        ),
        method="filter_expert",
        empty_label=_("all"),
    )
    o = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("library_sort", "library"),
            ("library__voivodeship__name", "voivodeship"),
            ("gmina_sort", "gmina"),
            ("stage_rank", "stage"),
            ("status", "status"),
            ("animator_name", "animator"),
            ("last_meeting_on", "last_meeting"),
            ("partners_count", "partners"),
        ),
        field_labels={
            "library_sort": _("library"),
            "library__voivodeship__name": _("voivodeship"),
            "gmina_sort": _("gmina"),
            "stage_rank": _("stage"),
            "status": _("status"),
            "animator_name": _("animator"),
            "last_meeting_on": _("last meeting"),
            "partners_count": _("partners"),
        },
    )

    class Meta:
        model = Partnership
        fields = ["q", "voivodeship", "stage", "status", "animator", "expert"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.filters["animator"].queryset = Animator.objects.visible_to(user).select_related(
                "user"
            )

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(library__name__icontains=value)
            | Q(library__gmina__icontains=value)
            | Q(library__town__icontains=value)
            | Q(library__terc=value)
            | Exists(Partner.objects.filter(partnership=OuterRef("pk"), name__icontains=value))
        )

    @staticmethod
    def filter_stage(queryset, name, value):
        rank = 0 if value == NOT_STARTED else Stage(value).rank
        return queryset.filter(stage_rank=rank)

    def filter_animator(self, queryset, name, value):
        return queryset.filter(Assignment.objects.active_exists(animator=value))

    def filter_expert(self, queryset, name, value):
        return queryset.filter(Assignment.objects.active_exists(animator__expert=value))


# ----- The same filters in the admin's lists (partnerships, libraries, assignments) -----


class StageListFilter(admin.SimpleListFilter):
    """By the stage reached (the `stage_rank` of `with_progress()`), as the list's `stage`."""

    title = _("stage")
    parameter_name = "stage"

    def lookups(self, request, model_admin):
        return PartnershipFilterSet.base_filters["stage"].extra["choices"]

    def queryset(self, request, queryset):
        if self.value() in {NOT_STARTED, *Stage.values}:
            return PartnershipFilterSet.filter_stage(queryset, "stage", self.value())
        return queryset


class StatusListFilter(admin.SimpleListFilter):
    """By the `status` of `with_progress()`."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        if self.value() in Status.values:
            return queryset.filter(status=self.value())
        return queryset


class AnimatorListFilter(admin.SimpleListFilter):
    """By the animator of the active assignment (ended ones are history); `assignment_to` is
    the path from an assignment to the listed rows."""

    title = _("animator")
    parameter_name = "animator"
    assignment_to = "partnership"

    def lookups(self, request, model_admin):
        return [(a.pk, str(a)) for a in Animator.objects.select_related("user")]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(
                Assignment.objects.active_exists(self.assignment_to, animator_id=int(self.value()))
            )
        return queryset


class ExpertListFilter(admin.SimpleListFilter):
    """By the expert who supervises the animator of the active assignment."""

    title = _("CAL expert")
    parameter_name = "expert"
    assignment_to = "partnership"

    def lookups(self, request, model_admin):
        experts = PartnershipFilterSet.base_filters["expert"].extra["queryset"].all()
        return [(u.pk, u.get_full_name() or u.email) for u in experts]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(
                Assignment.objects.active_exists(
                    self.assignment_to, animator__expert_id=int(self.value())
                )
            )
        return queryset


class RoundForm(forms.Form):
    """Which round, and the day in it ("as of") that a page shows; both optional.

    Without a round the current one is used; without a day, today, kept inside the round.
    """

    round = forms.ModelChoiceField(
        label=_("Round"), queryset=Round.objects.all(), required=False, empty_label=None
    )
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, data=None, *, today=None):
        self.today = today or timezone.localdate()
        super().__init__(data)

    def clean(self):
        cleaned = super().clean()
        round_ = cleaned.get("round") or Round.objects.current(self.today)
        cleaned["round"] = round_
        as_of = cleaned.get("as_of")
        if round_ is None:
            cleaned["as_of"] = self.today
        elif as_of is None:
            cleaned["as_of"] = round_.clamp(self.today)
        elif not round_.start <= as_of <= round_.end:
            self.add_error(
                "as_of",
                _("Choose a day of the round: from %(start)s to %(end)s.")
                % {
                    "start": date_format(round_.start, "j E Y"),
                    "end": date_format(round_.end, "j E Y"),
                },
            )
        return cleaned

    def selection(self):
        """(round, as_of) to show: the valid choice, or the defaults when the input is bad."""
        if self.is_valid():
            return self.cleaned_data["round"], self.cleaned_data["as_of"]
        round_ = Round.objects.current(self.today)
        return round_, round_.clamp(self.today) if round_ else self.today
