"""Forms of the partnership card: they validate; services write."""

import difflib
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from animators.models import Animator
from partnerships import next_round, proposal
from partnerships.models import (
    MAX_PARTICIPANTS,
    AgreementKind,
    JointAction,
    Meeting,
    MeetingKind,
    Partner,
    Sector,
    Stage,
)
from partnerships.progress import QUIET_DAYS, StageOrderError, check_hand_stage, next_hand_stage
from partnerships.uploads import (
    MAX_FILES,
    DocumentsField,
    PendingFileInput,
    validate_document,
)
from prb_partnerships.text import fold

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PARTICIPANTS_RANGE = _("Give a number between 0 and 2000.")
# One line under each kind of meeting, so that the choice is not a guess.
KIND_HINTS = {
    MeetingKind.VISIT: _("You meet the librarian to plan and support the work."),
    MeetingKind.PARTNERSHIP: _("The partners meet together; the first one is a stage."),
    MeetingKind.WORKSHOP: _("A working session: diagnosis, vision or the action plan."),
    MeetingKind.REMOTE: _("A phone call or a video meeting."),
}


def today_in_round(round_):
    """Today, when it falls in `round_` (a sensible default date); else None (left empty)."""
    today = timezone.localdate()
    return today if round_.start <= today <= round_.end else None


def _normalise(name: str) -> str:
    """Lower case, no Polish diacritics, no punctuation: for the similar-name check."""
    return " ".join("".join(c if c.isalnum() else " " for c in fold(name).lower()).split())


def similar_partner(name: str, partners) -> Partner | None:
    """An existing partner whose name is (nearly) the same as `name`."""
    wanted = _normalise(name)
    for partner in partners:
        existing = _normalise(partner.name)
        if existing == wanted or difflib.SequenceMatcher(None, existing, wanted).ratio() >= 0.85:
            return partner
    return None


class SubmissionTokenField(forms.UUIDField):
    """A one-time token made when the form is rendered, kept in the browser's draft with what
    was typed: the create views store it with the record, so the same form sent twice (a
    double tap, a retry, a restored draft) saves once. A guard, not a requirement: a form sent
    without it, or with something that is not a UUID, saves as before."""

    widget = forms.HiddenInput(attrs={"data-draft-keep": True})

    def __init__(self, **kwargs):
        super().__init__(required=False, initial=uuid.uuid4, **kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            return None

    def bound_data(self, data, initial):
        """A form sent back with errors keeps its token, or gets a new one if it had none."""
        return data if self.to_python(data) else initial


def submission_token(form) -> uuid.UUID | None:
    """The one-time token `form` was sent with, read before validation (None if none)."""
    if not form.is_bound or "submission_token" not in form.fields:
        return None
    bound = form["submission_token"]
    return bound.field.to_python(bound.data)


class KeepsUploadsMixin:
    """A form whose chosen files survive a refusal (uploads.py, "Pending uploads"): the view
    gives it the files kept from the previous try (`set_pending`), which its file input lists
    and which count towards the limit of files."""

    upload_field = "attachments"
    pending = ()
    # The file input's label once a file is kept from the previous try (None: unchanged).
    label_with_pending = None

    def pending_token(self):
        """The token the pending uploads are kept under: the one sent, or — for a form sent
        without one — the new one it is shown again with."""
        bound = self["submission_token"]
        return bound.field.to_python(bound.value())

    def set_pending(self, pending):
        self.pending = list(pending)
        self.fields[self.upload_field].widget.pending = self.pending
        if self.pending and self.label_with_pending:
            self.fields[self.upload_field].label = self.label_with_pending
            self[self.upload_field].label = self.label_with_pending  # a bound field made before

    def chosen_files(self) -> list:
        """The files chosen in this try that passed their checks (none if their field failed)."""
        if not hasattr(self, "cleaned_data") or self.upload_field in self.errors:
            return []
        files = self.cleaned_data.get(self.upload_field)
        return files if isinstance(files, list) else [files] if files else []


class RoundDateMixin:
    """Dates checked against the partnership's round: inside it and not in the future."""

    def check_day(self, field, day, *, allow_future=False):
        round_ = self.partnership.round
        if day is None:
            return day
        if not round_.start <= day <= round_.end:
            raise ValidationError(
                _("The date must fall within the round: %(start)s – %(end)s."),
                params={
                    "start": date_format(round_.start, "j E Y"),
                    "end": date_format(round_.end, "j E Y"),
                },
            )
        if not allow_future and day > timezone.localdate():
            raise ValidationError(_("This date is in the future."))
        return day


class MeetingForm(KeepsUploadsMixin, RoundDateMixin, forms.ModelForm):
    """Log a meeting in two minutes: what happened, who came, what was decided."""

    label_with_pending = _("Add another photo")
    submission_token = SubmissionTokenField()
    attachments = DocumentsField(
        label=_("Photos or scans"),
        help_text=_("Attendance list, signed document: JPEG, PNG or PDF, up to 10 MB each."),
    )

    class Meta:
        model = Meeting
        fields = [
            "date",
            "kind",
            "partners_present",
            "guests",
            "participants",
            "summary",
            "decisions",
            "support_declared",
            "next_meeting_on",
        ]
        widgets = {
            "date": DATE_INPUT,
            "next_meeting_on": DATE_INPUT,
            "kind": forms.RadioSelect,
            "partners_present": forms.CheckboxSelectMultiple,
            "participants": forms.NumberInput(attrs={"min": 0, "max": MAX_PARTICIPANTS}),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "decisions": forms.Textarea(attrs={"rows": 3}),
            "support_declared": forms.Textarea(attrs={"rows": 2}),
            "guests": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "support_declared": _("Who offered what: a room, transport, money, volunteers …"),
            "guests": _(
                "Institutions or people who came but are not (yet) partners, e.g. the forest "
                "district or a councillor. They are not added as partners."
            ),
            "participants": _("Everyone present, you included."),
        }
        error_messages = {
            "participants": {
                "required": _("Give the number of people present."),
                "min_value": PARTICIPANTS_RANGE,
                "max_value": PARTICIPANTS_RANGE,
            },
        }

    def __init__(self, *args, partnership, **kwargs):
        self.partnership = partnership
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (kind.value, format_html(
                '<span>{}<span class="choice-hint">{}</span></span>', kind.label, KIND_HINTS[kind]
            ))
            for kind in MeetingKind
        ]
        self.fields["participants"].validators.append(MaxValueValidator(MAX_PARTICIPANTS))
        self.fields["partners_present"].queryset = partnership.partners.filter(
            left_on__isnull=True
        ).order_by("name")
        self.fields["partners_present"].required = False
        if not self.instance.pk:
            # Today if it is in the round; the number of participants is asked, never assumed.
            self.initial.setdefault("date", today_in_round(partnership.round))
            self.fields["participants"].initial = None

    def clean_date(self):
        return self.check_day("date", self.cleaned_data["date"])


    def clean(self):
        cleaned = super().clean()
        day, next_day = cleaned.get("date"), cleaned.get("next_meeting_on")
        if day and next_day and next_day < day:
            self.add_error(
                "next_meeting_on", _("The next meeting cannot be before this one.")
            )
        if len(cleaned.get("attachments") or ()) + len(self.pending) > MAX_FILES:
            self.add_error("attachments", ValidationError(
                ngettext(
                    "Attach at most %(count)d file.", "Attach at most %(count)d files.", MAX_FILES
                ),
                params={"count": MAX_FILES},
            ))
        return cleaned


class NewPartnerForm(forms.Form):
    """Quick-add of a partner met at the meeting."""

    name = forms.CharField(label=_("Name of the new partner"), max_length=200, required=False)
    sector = forms.ChoiceField(
        label=_("Sector"), choices=[("", "—"), *Sector.choices], required=False
    )
    # Shown only next to a name like an existing partner's (see `clean`): hidden otherwise.
    confirm = forms.BooleanField(
        label=_("Yes, this is another partner"), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, existing=(), **kwargs):
        self.existing = existing
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        name, sector = (cleaned.get("name") or "").strip(), cleaned.get("sector")
        if not name and not sector:
            return cleaned
        if not name:
            self.add_error("name", _("Give the partner's name."))
        if not sector:
            self.add_error("sector", _("Choose the partner's sector."))
        twin = similar_partner(name, self.existing) if name else None
        if twin is not None:
            self.fields["confirm"].widget = forms.CheckboxInput()
            if not cleaned.get("confirm"):
                self.add_error(
                    "name",
                    _(
                        "%(name)s is already a partner of this library. Tick them among the "
                        "partners present, or confirm that this is another partner."
                    )
                    % {"name": twin.name},
                )
        cleaned["name"] = name
        return cleaned

    def partner_data(self):
        if self.cleaned_data.get("name"):
            return {"name": self.cleaned_data["name"], "sector": self.cleaned_data["sector"]}
        return None


class BaseNewPartnerFormSet(forms.BaseFormSet):
    def __init__(self, *args, existing=(), **kwargs):
        self.existing = existing  # a queryset: read once, and only when a name is given
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"existing": self.existing}

    def clean(self):
        names = [
            _normalise(form.cleaned_data["name"])
            for form in self.forms
            if form.cleaned_data.get("name")
        ]
        if len(names) != len(set(names)):
            raise ValidationError(_("The same new partner is given twice."))

    def partners(self):
        return [data for form in self.forms if (data := form.partner_data())]

    def with_blank(self, data):
        """This formset shown again with one more blank partner when every block sent is
        filled in (and there is room): "add another partner" without JavaScript."""
        if not self.is_bound or len(self.forms) >= self.max_num:
            return self
        if not all(form.has_changed() for form in self.forms):
            return self
        data = data.copy()
        data[f"{self.prefix}-TOTAL_FORMS"] = str(len(self.forms) + 1)
        again = type(self)(data, prefix=self.prefix, existing=self.existing)
        again.is_valid()
        return again


NewPartnerFormSet = forms.formset_factory(
    NewPartnerForm, formset=BaseNewPartnerFormSet, extra=1, max_num=5, validate_max=True
)


class PartnerForm(RoundDateMixin, forms.ModelForm):
    submission_token = SubmissionTokenField()

    class Meta:
        model = Partner
        fields = ["name", "sector", "contact_person", "email", "phone", "joined_on", "left_on",
                  "notes"]
        widgets = {"joined_on": DATE_INPUT, "left_on": DATE_INPUT,
                   "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, partnership, **kwargs):
        self.partnership = partnership
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = self.partnership.partners.exclude(pk=self.instance.pk)
        if others.filter(name__iexact=name).exists():
            raise ValidationError(_("This library already has a partner of this name."))
        return name

    def clean_joined_on(self):
        return self.check_day("joined_on", self.cleaned_data["joined_on"])

    def clean_left_on(self):
        return self.check_day("left_on", self.cleaned_data["left_on"])

    def clean(self):
        cleaned = super().clean()
        joined, left = cleaned.get("joined_on"), cleaned.get("left_on")
        if joined and left and left < joined:
            self.add_error("left_on", _("A partner cannot leave before joining."))
        return cleaned

    def save(self, commit=True):
        self.instance.partnership = self.partnership
        return super().save(commit)


class MilestoneForm(forms.Form):
    """The next stage reached, recorded by hand; only the stage that may come next is offered
    (`progress.check_hand_stage` holds the rule; the stages that facts prove are recorded
    through those facts)."""

    stage = forms.ChoiceField(label=_("Stage"), widget=forms.RadioSelect)
    reached_on = forms.DateField(label=_("Reached on"), widget=DATE_INPUT)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, partnership, planned, **kwargs):
        self.partnership = partnership
        self.planned = planned
        super().__init__(*args, **kwargs)
        stage = next_hand_stage(planned)
        self.fields["stage"].choices = [(stage.value, stage.label)] if stage else []
        self.fields["stage"].error_messages["invalid_choice"] = gettext(
            "Stages are reached only in order: only the next stage can be recorded, and the "
            "partnership is at stage %(rank)d of 7."
        ) % {"rank": len(planned)}
        if stage:
            self.initial.setdefault("stage", stage.value)
        self.initial.setdefault("reached_on", today_in_round(partnership.round))

    def clean(self):
        cleaned = super().clean()
        stage, day = cleaned.get("stage"), cleaned.get("reached_on")
        if stage and day:
            try:
                check_hand_stage(
                    planned=self.planned, stage=Stage(stage), day=day,
                    round_=self.partnership.round,
                )
            except StageOrderError as error:
                self.add_error("reached_on", str(error))
        return cleaned


class AgreementForm(KeepsUploadsMixin, RoundDateMixin, forms.Form):
    upload_field = "document"
    label_with_pending = _("Replace it with another scan")

    submission_token = SubmissionTokenField()
    kind = forms.ChoiceField(label=_("Kind"), choices=AgreementKind.choices)
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE_INPUT)
    signatories = forms.ModelMultipleChoiceField(
        label=_("Signatories"),
        queryset=Partner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    signatories_note = forms.CharField(
        label=_("Other signatories"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    document = forms.FileField(
        label=_("Scan of the signed document"),
        required=False,
        validators=[validate_document],
        help_text=_("JPEG, PNG or PDF, up to 10 MB."),
        widget=PendingFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )

    def __init__(self, *args, partnership, **kwargs):
        self.partnership = partnership
        super().__init__(*args, **kwargs)
        self.fields["signatories"].queryset = partnership.partners.order_by("name")

    def clean_signed_on(self):
        return self.check_day("signed_on", self.cleaned_data["signed_on"])


class JointActionForm(RoundDateMixin, forms.ModelForm):
    submission_token = SubmissionTokenField()

    class Meta:
        model = JointAction
        fields = ["title", "description", "planned_on", "status", "done_on",
                  "participants_reached", "partners"]
        widgets = {
            "planned_on": DATE_INPUT,
            "done_on": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 3}),
            "partners": forms.CheckboxSelectMultiple,
            "participants_reached": forms.NumberInput(attrs={"min": 0, "max": 100000}),
        }

    def __init__(self, *args, partnership, **kwargs):
        self.partnership = partnership
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = partnership.partners.order_by("name")
        self.fields["partners"].required = False

    def clean_planned_on(self):
        day = self.cleaned_data["planned_on"]
        round_ = self.partnership.round
        if day and day < round_.start:
            raise ValidationError(_("An action of this round cannot be planned before it starts."))
        return day

    def clean_done_on(self):
        return self.check_day("done_on", self.cleaned_data["done_on"])

    def clean_participants_reached(self):
        value = self.cleaned_data["participants_reached"]
        if value is not None and value > 100_000:
            raise ValidationError(_("Give a number up to 100,000."))
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == "done" and not cleaned.get("done_on"):
            self.add_error("done_on", _("Give the day the action was carried out."))
        return cleaned

    def save(self, commit=True):
        self.instance.partnership = self.partnership
        return super().save(commit=False)


class AnimatorChoices(forms.RadioSelect):
    """The animators offered for one library as radio buttons in groups (`proposal.Fit`), each
    with their load and capacity, voivodeships and supervising expert
    (templates/partnerships/_animator_choices.html)."""

    def __init__(self, groups=(), attrs=None):
        super().__init__(attrs)
        self.groups = groups

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**self.attrs, **(attrs or {})}
        value = "" if value in (None, "") else str(value)
        groups = [
            {
                **group,
                "open": any(str(o["candidate"].animator.pk) == value for o in group["options"]),
            }
            for group in self.groups
        ]
        return render_to_string(
            "partnerships/_animator_choices.html",
            {"name": name, "value": value, "id": attrs.get("id", f"id_{name}"), "groups": groups},
        )


class AssignmentForm(forms.Form):
    """Choose the animator of a partnership, with the reason (kept in the history).

    With `partnership` (the reassignment page): the active animators in `candidates`
    (`proposal.Candidate`, with their load in its round) are offered in the proposal's order,
    the current one (`current`, the active assignment) left out and refused if sent, and the
    replacement may be temporary (`until`). Without it (the admin's action for many
    partnerships): any active animator, for good."""

    animator = forms.ModelChoiceField(
        label=_("Animator"),
        queryset=Animator.objects.filter(is_active=True, user__is_active=True).select_related(
            "user"
        ),
        error_messages={
            "required": _("Choose the animator."),
            "invalid_choice": _("Choose one of the active animators listed."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why this animator, e.g. new library, long sick leave."),
        error_messages={"required": _("Give the reason; it stays in the assignment history.")},
    )
    until = forms.DateField(
        label=_("Temporary replacement until"),
        required=False,
        widget=DATE_INPUT,
    )
    current = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, partnership=None, current=None, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.current_assignment = current
        if partnership is None:
            del self.fields["until"]
            return
        self.fields["animator"].widget = AnimatorChoices(groups=self._groups(candidates))
        if not self.has_returning_animator:
            del self.fields["until"]  # nobody to come back: see clean()
        else:
            # Shown with |safe by the field partial: the name is escaped here.
            self.fields["until"].help_text = format_html(
                gettext(
                    "Leave empty for a lasting change. With a date, on that day {animator} "
                    "supports the library again (at the latest {end}, the end of the round)."
                ),
                animator=str(current.animator),
                end=date_format(partnership.round.end, "j E Y"),
            )

    @property
    def has_returning_animator(self) -> bool:
        """Someone to come back after a temporary replacement: an active current animator."""
        current = self.current_assignment
        return (
            current is not None and current.animator.is_active and current.animator.user.is_active
        )

    def _groups(self, candidates):
        current_pk = self.current_assignment.animator_id if self.current_assignment else None
        code = self.partnership.library.voivodeship_id
        titles = {
            proposal.Fit.LOCAL: format_lazy(
                _("Work in {voivodeship} and have room"),
                voivodeship=self.partnership.library.voivodeship.name,
            ),
            proposal.Fit.ELSEWHERE: _("Have room, work in other voivodeships"),
            proposal.Fit.FULL: _("No room: choosing one of them goes over their capacity"),
        }
        groups, index = {}, 0
        previous_id = (
            next_round.previous_animator_id(self.partnership)
            if self.partnership.previous_id
            else None
        )
        for candidate, fit in proposal.ranked(code, candidates, previous_id):
            if candidate.animator.pk == current_pk:
                continue
            group = groups.setdefault(fit, {"title": titles[fit], "options": []})
            group["options"].append(
                {
                    "index": index,
                    "candidate": candidate,
                    "proposed": index == 0 and fit != proposal.Fit.FULL,
                }
            )
            index += 1
        return list(groups.values())

    def clean_animator(self):
        animator = self.cleaned_data["animator"]
        current = self.current_assignment
        if current is not None and current.animator_id == animator.pk:
            raise ValidationError(
                _("%(animator)s already supports this library; choose someone else."),
                params={"animator": animator},
            )
        return animator

    def clean(self):
        cleaned = super().clean()
        if "until" not in self.fields and self.partnership and self.data.get("until"):
            raise ValidationError(
                _(
                    "A temporary replacement needs an active animator who comes back; there is "
                    "none now. Assign without an end date."
                )
            )
        return cleaned

    def clean_until(self):
        until = self.cleaned_data.get("until")
        if until is None:
            return until
        if until <= timezone.localdate():
            raise ValidationError(_("The end of the replacement must be after today."))
        if until > self.partnership.round.end:
            raise ValidationError(
                _("The end of the replacement must be within the round, by %(end)s."),
                params={"end": date_format(self.partnership.round.end, "j E Y")},
            )
        return until


ON_OFF = [("on", _("On")), ("off", _("Off"))]


class NotificationPreferenceForm(forms.Form):
    """Switch one's own reminders and weekly digest on or off (each must be chosen). Only the
    e-mails of the person's roles are offered (`notifications.notification_options`): the
    choices of other roles are not in the form, so they are ignored when sent."""

    reminders = forms.TypedChoiceField(
        label=_("Reminders"),
        choices=ON_OFF,
        coerce=lambda value: value == "on",
        widget=forms.RadioSelect,
        help_text=format_lazy(
            _(
                "An e-mail when one of your partnerships has had no meeting for {days} "
                "days, a stage deadline is a week away or a planned meeting has passed with "
                "nothing logged."
            ),
            days=QUIET_DAYS,
        ),
    )
    digest = forms.TypedChoiceField(
        label=_("Weekly digest"),
        choices=ON_OFF,
        coerce=lambda value: value == "on",
        widget=forms.RadioSelect,
        help_text=_(
            "Every week, your animators' partnerships that are late or quiet and what changed "
            "in the week."
        ),
    )

    def __init__(self, *args, preference, options, **kwargs):
        initial = {name: "on" if getattr(preference, name) else "off" for name in self.base_fields}
        super().__init__(*args, initial=initial, **kwargs)
        for name in list(self.fields):
            if name not in options:
                del self.fields[name]
