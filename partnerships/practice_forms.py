"""The form that marks a good practice and the filters of `/practices/`
(partnerships/practices.py holds the rules)."""

import django_filters
from django import forms
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from libraries.models import Voivodeship
from partnerships import practices
from partnerships.filters import NOT_STARTED, PartnershipFilterSet
from partnerships.models import GoodPractice, Meeting, MeetingAttachment, Sector, Stage


class PhotoChoiceField(forms.ModelChoiceField):
    """A photo of the meetings, shown small beside its file name (and its meeting's day)."""

    def label_from_instance(self, obj):
        return format_html(
            '<img class="photo-choice__img" src="{}" alt="" loading="lazy"> '
            '<span>{}<span class="choice-hint">{}</span></span>',
            reverse("partnerships:attachment_download", args=[obj.pk]),
            obj.original_name,
            date_format(obj.meeting.date, "j E Y"),
        )


class PracticeForm(forms.Form):
    """Why it worked, and a photo of the record's meetings (`practices.photo_choices`): any
    other photo is refused as a choice not offered."""

    why = forms.CharField(
        label=_("Why it worked"),
        help_text=_(
            "A few lines for other libraries: what you did, with whom, and what made it work."
        ),
        max_length=practices.WHY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    photo = PhotoChoiceField(
        label=_("Photo"),
        queryset=MeetingAttachment.objects.none(),
        required=False,
        blank=True,
        empty_label=_("no photo"),
        widget=forms.RadioSelect(attrs={"class": "photo-choices"}),
    )

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        photos = practices.photo_choices(record)
        self.fields["photo"].queryset = photos
        self.fields["photo"].help_text = (
            _("A photo of this meeting, if one was attached to it.")
            if isinstance(record, Meeting)
            else _("A photo from one of the partnership's meetings, if one was attached.")
        )
        self.has_photos = photos.exists()
        if not self.has_photos:
            # Nothing to choose, but a photo sent anyway is still refused.
            self.fields["photo"].widget = forms.HiddenInput()


class PracticeFilterSet(django_filters.FilterSet):
    """The filters of `/practices/`: `q`, `sector` (of the partners present or involved),
    `voivodeship` (TERYT code), `kind` (a meeting kind or a joint action), `stage` (the
    partnership's stage on the record's day) and `featured`. The queryset must come from
    `practices.for_list()`."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        help_text=_("Why it worked, summary, title, library or gmina"),
    )
    sector = django_filters.ChoiceFilter(
        label=_("Sector of the partners"),
        choices=Sector.choices,
        method="filter_sector",
        empty_label=_("all"),
    )
    voivodeship = django_filters.ModelChoiceFilter(
        label=_("Voivodeship"),
        field_name="partnership__library__voivodeship",
        to_field_name="code",
        queryset=Voivodeship.objects.all(),
        empty_label=_("all"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"),
        choices=practices.KIND_CHOICES,
        method="filter_kind",
        empty_label=_("all"),
    )
    stage = django_filters.ChoiceFilter(
        label=_("Stage reached then"),
        choices=[(NOT_STARTED, _("not started yet")), *Stage.choices],
        method="filter_stage",
        empty_label=_("all"),
        help_text=_("The partnership's stage on the day of the meeting or action."),
    )
    featured = django_filters.ChoiceFilter(
        label=_("Featured by the CAL experts"),
        choices=[("yes", _("featured only"))],
        method="filter_featured",
        empty_label=_("all"),
    )

    class Meta:
        model = GoodPractice
        fields = ["q", "sector", "voivodeship", "kind", "stage", "featured"]

    SUMMARY_LABELS = {
        "featured": _("show"),
        "kind": _("kind"),
        "sector": _("sector"),
        "stage": _("stage then"),
        "voivodeship": _("voivodeship"),
        "q": _("search"),
    }
    # The summary of the filters in use, said as the list of libraries says it.
    in_use = PartnershipFilterSet.in_use

    def filter_q(self, queryset, name, value):
        return practices.search(queryset, value)

    def filter_sector(self, queryset, name, value):
        return practices.with_sector(queryset, value)

    def filter_kind(self, queryset, name, value):
        if value == practices.JOINT_ACTION:
            return queryset.filter(joint_action__isnull=False)
        return queryset.filter(meeting__kind=value)

    def filter_stage(self, queryset, name, value):
        return PartnershipFilterSet.filter_stage(queryset, name, value)

    def filter_featured(self, queryset, name, value):
        return queryset.filter(featured=True) if value == "yes" else queryset
