import datetime

import django_filters
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from animators.models import Animator
from libraries.models import Voivodeship
from partnerships import progress
from partnerships.models import Assignment, Partner, Partnership, Round, Stage, Status
from prb_partnerships.importexport import filename_slug
from prb_partnerships.roles import Role

NOT_STARTED = "not_started"


def person_name(user) -> str:
    """A person as the lists name them, surname first ("Nowak Anna", as the list's animator
    column and the filters' order); the e-mail only for an account without any name."""
    return f"{user.last_name} {user.first_name}".strip() or user.email


class PersonChoiceField(forms.ModelChoiceField):
    """People (users) named by `person_name`."""

    def label_from_instance(self, obj):
        return person_name(obj)


class PersonChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = PersonChoiceField


class AnimatorChoiceField(forms.ModelChoiceField):
    """Animators named by `person_name` (the queryset selects their users)."""

    def label_from_instance(self, obj):
        return person_name(obj.user)


class AnimatorChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = AnimatorChoiceField


def _quiet_label():
    return ngettext(
        "no meeting for %(counter)s day or more",
        "no meeting for %(counter)s days or more",
        progress.QUIET_DAYS,
    ) % {"counter": progress.QUIET_DAYS}


# What the dashboard lists under "Needs attention", by the rules of partnerships/progress.py.
ATTENTION_CHOICES = [
    ("late", _("late")),
    ("quiet", lazy(_quiet_label, str)()),
    ("missed_meeting", _("planned meeting passed, nothing logged")),
]


def _sort(field, param, ascending, descending):
    """OrderingFilter labels of one column in both directions: django-filter looks up the
    ascending one by the field, the descending one by "-" and the parameter (else it builds
    "%s (descending)" once, in the language of the first request)."""
    return {field: ascending, f"-{param}": descending}


class PartnershipFilterSet(django_filters.FilterSet):
    """The filters of `/libraries/`: `voivodeship` (TERYT code), `stage`, `status`, `animator`,
    `expert`, `attention` (late, quiet, missed meeting: the dashboard's "Needs attention"), `q`,
    and the column order `o`. The queryset must come from `with_progress(as_of)` and
    `with_activity(as_of)` with the `as_of` given here (default today), and annotate
    `library_sort` and `gmina_sort` (Polish collation)."""

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
    attention = django_filters.ChoiceFilter(
        label=_("Needs attention"),
        choices=ATTENTION_CHOICES,
        method="filter_attention",
        empty_label=_("all"),
    )
    animator = AnimatorChoiceFilter(
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
            **_sort("library_sort", "library", _("library A–Z"), _("library Z–A")),
            **_sort(
                "library__voivodeship__name",
                "voivodeship",
                _("voivodeship A–Z"),
                _("voivodeship Z–A"),
            ),
            **_sort("gmina_sort", "gmina", _("gmina A–Z"), _("gmina Z–A")),
            **_sort(
                "stage_rank", "stage", _("stage, earliest first"), _("stage, furthest first")
            ),
            **_sort("status", "status", _("status (ascending)"), _("status (descending)")),
            **_sort("animator_name", "animator", _("animator A–Z"), _("animator Z–A")),
            **_sort(
                "last_meeting_on",
                "last_meeting",
                _("last meeting, oldest first"),
                _("last meeting, newest first"),
            ),
            **_sort(
                "partners_count", "partners", _("partners, fewest first"), _("partners, most first")
            ),
        },
        empty_label=_("default (library A–Z)"),
    )

    class Meta:
        model = Partnership
        fields = ["q", "voivodeship", "stage", "status", "attention", "animator", "expert"]

    # How the summary of the filters in use names each filter ("status late · voivodeship …").
    SUMMARY_LABELS = {
        "status": _("status"),
        "attention": _("needs attention:"),
        "stage": _("stage"),
        "voivodeship": _("voivodeship"),
        "animator": _("animator"),
        "expert": pgettext_lazy("filters in use", "CAL expert"),
        "q": _("search"),
    }

    def __init__(self, *args, user=None, as_of: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.as_of = as_of or timezone.localdate()
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

    def filter_attention(self, queryset, name, value):
        condition = {
            "late": progress.late_q,
            "quiet": lambda: progress.quiet_q(self.as_of),
            "missed_meeting": lambda: progress.missed_meeting_q(self.as_of),
        }[value]
        return queryset.filter(condition())

    def filter_animator(self, queryset, name, value):
        return queryset.filter(Assignment.objects.active_exists(animator=value))

    def filter_expert(self, queryset, name, value):
        return queryset.filter(Assignment.objects.active_exists(animator__expert=value))

    def in_use(self) -> list[tuple[str, str, str]]:
        """[(name, label, value)] of the filters in use, in the order of `SUMMARY_LABELS`
        (what partnerships, then where and whose), each value as the form shows it (needs a
        valid form)."""
        used = []
        for name, label in self.SUMMARY_LABELS.items():
            value = self.form.cleaned_data.get(name)
            if value in (None, ""):
                continue
            field = self.form.fields[name]
            if isinstance(field, forms.ModelChoiceField):
                text = field.label_from_instance(value)
            elif isinstance(field, forms.ChoiceField):
                text = str(dict(field.choices)[value])
            else:
                text = f"„{value.strip()}”"
            used.append((name, str(label), text))
        return used


def filters_in_use(round_form, filterset) -> list[tuple[str, str, str]]:
    """[(name, label, value)]: the day asked for in the URL (not the default), then the
    filters of `filterset` — what a list's summary and an export's name and title say. (The
    round is not a filter: the page and the file name it anyway.)"""
    used = []
    if round_form.is_valid() and round_form.data.get("as_of"):
        day = date_format(round_form.cleaned_data["as_of"], "j E Y")
        used.append(("as_of", gettext("as of"), day))
    if filterset.is_valid():
        used.extend(filterset.in_use())
    return used


def file_name(used, day: datetime.date, prefix: str) -> str:
    """`prefix` and the values of the filters in use, then `day`, as a file name in ASCII:
    "partnerstwa-opoznione-mazowieckie-2026-05-20" (the day is said once, at the end)."""
    words = [prefix, *(value for name, _label, value in used if name != "as_of")]
    slug = "-".join(filter(None, map(filename_slug, words)))
    return f"{slug[:120].rstrip('-')}-{day:%Y-%m-%d}"


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
        # Named as `str(animator)` does, read as plain values: hundreds of animators at scale.
        rows = Animator.objects.values_list(
            "pk", "user__first_name", "user__last_name", "user__email"
        )
        return [(pk, f"{first} {last}".strip() or email) for pk, first, last, email in rows]

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
