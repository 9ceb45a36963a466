"""Partnership records in and out of spreadsheets (admin).

- `AssignmentResource` imports assignments (library TERC code → animator e-mail) in the current
  round as `services.assignment_create` makes them: the previous active assignment ends and stays
  in the history; a row whose animator is already assigned changes nothing.
- The other resources export the admin's changelists as filtered. Their columns also make the
  sheets of the round report (partnerships/report.py).
- `PartnershipListResource` exports `/libraries/` as filtered (libraries.views.library_export).
"""

from operator import attrgetter

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.fields import Field

from animators.models import Animator
from libraries.models import TERC, Library, terc_validator
from libraries.resources import TercWidget
from partnerships.models import (
    Agreement,
    Assignment,
    JointAction,
    Meeting,
    Milestone,
    Partner,
    Partnership,
    Round,
    Stage,
    Status,
)
from partnerships.services import AssignmentError, assignment_create
from prb_partnerships.importexport import (
    EmailWidget,
    FileProblem,
    LocalDateTimeWidget,
    ParsedField,
    SpreadsheetResource,
    TextWidget,
    add_error,
    choice_label,
    export_resource,
    label,
)


def _person(user) -> str:
    return (user.get_full_name() or user.email) if user else ""


def _names(related) -> str:
    """The names of prefetched related objects, in one cell."""
    return ", ".join(str(obj) for obj in related.all())


# Columns of records of a partnership: (header, value of an object).
LIBRARY = (gettext_lazy("Library"), lambda obj: obj.partnership.library.name)
LIBRARY_TERC = (gettext_lazy("TERC code"), lambda obj: obj.partnership.library.terc)
ROUND = (label(Partnership, "round"), lambda obj: obj.partnership.round.name)


def _field(model, name, value=None):
    return (label(model, name), value or attrgetter(name))


# The columns of `/libraries/export.*`: what the list shows. The stage, status, people and
# counts are the annotations of Partnership.objects.with_progress() and with_activity().
LIST_COLUMNS = [
    (gettext_lazy("Library"), lambda p: p.library.name),
    (gettext_lazy("TERC code"), lambda p: p.library.terc),
    (gettext_lazy("Voivodeship"), lambda p: p.library.voivodeship.name),
    (gettext_lazy("Powiat"), lambda p: p.library.powiat),
    (gettext_lazy("Gmina"), lambda p: p.library.gmina),
    (gettext_lazy("Gmina type"), lambda p: p.library.get_gmina_type_display()),
    (gettext_lazy("Town"), lambda p: p.library.town),
    (gettext_lazy("Animator"), lambda p: p.animator_name or ""),
    (gettext_lazy("CAL expert"), lambda p: p.expert_name or ""),
    (gettext_lazy("Stage (number)"), lambda p: p.stage_rank),
    (gettext_lazy("Stage"), lambda p: str(p.stage.label if p.stage else _("not started yet"))),
    (gettext_lazy("Status"), lambda p: str(Status(p.status).label)),
    # What partnerships/progress.py says of the day of the export (or of the report).
    (
        gettext_lazy("Next stage"),
        lambda p: str(p.progress.next_stage.label) if p.progress.next_stage else "",
    ),
    (gettext_lazy("Deadline of the next stage"), lambda p: p.progress.deadline or ""),
    (gettext_lazy("Overdue since"), lambda p: p.progress.overdue_since or ""),
    (
        gettext_lazy("Days without a meeting"),
        lambda p: p.progress.days_quiet if p.progress.under_way else "",
    ),
    (gettext_lazy("Last meeting"), lambda p: p.last_meeting_on or ""),
    (gettext_lazy("Next meeting"), lambda p: p.next_meeting_on or ""),
    (gettext_lazy("Meetings"), lambda p: p.meetings_count),
    (gettext_lazy("Partners"), lambda p: p.partners_count),
]
PARTNERSHIP_COLUMNS = [
    *LIST_COLUMNS,
    _field(Partnership, "withdrawn_on"),
]
MEETING_COLUMNS = [
    LIBRARY,
    LIBRARY_TERC,
    _field(Meeting, "date"),
    _field(Meeting, "kind", lambda m: choice_label(m, "kind")),
    _field(Meeting, "participants"),
    _field(Meeting, "partners_present", lambda m: _names(m.partners_present)),
    _field(Meeting, "guests"),
    _field(Meeting, "summary"),
    _field(Meeting, "decisions"),
    _field(Meeting, "support_declared"),
    _field(Meeting, "next_meeting_on"),
    _field(Meeting, "logged_by", lambda m: _person(m.logged_by)),
]
PARTNER_COLUMNS = [
    LIBRARY,
    LIBRARY_TERC,
    _field(Partner, "name"),
    _field(Partner, "sector", lambda p: choice_label(p, "sector")),
    _field(Partner, "contact_person"),
    _field(Partner, "email"),
    _field(Partner, "phone"),
    _field(Partner, "joined_on"),
    _field(Partner, "left_on"),
    _field(Partner, "notes"),
]
AGREEMENT_COLUMNS = [
    LIBRARY,
    LIBRARY_TERC,
    _field(Agreement, "kind", lambda a: choice_label(a, "kind")),
    _field(Agreement, "signed_on"),
    _field(Agreement, "signatories", lambda a: _names(a.signatories)),
    _field(Agreement, "signatories_note"),
]
JOINT_ACTION_COLUMNS = [
    LIBRARY,
    LIBRARY_TERC,
    _field(JointAction, "title"),
    _field(JointAction, "planned_on"),
    _field(JointAction, "done_on"),
    _field(JointAction, "status", lambda a: choice_label(a, "status")),
    _field(JointAction, "participants_reached"),
    _field(JointAction, "partners", lambda a: _names(a.partners)),
    _field(JointAction, "description"),
]
MILESTONE_COLUMNS = [
    LIBRARY,
    LIBRARY_TERC,
    _field(Milestone, "stage", lambda m: f"{Stage(m.stage).rank}. {m.get_stage_display()}"),
    _field(Milestone, "reached_on"),
    _field(Milestone, "meeting", lambda m: str(m.meeting) if m.meeting else ""),
    _field(Milestone, "agreement", lambda m: str(m.agreement) if m.agreement else ""),
    _field(Milestone, "note"),
    _field(Milestone, "recorded_by", lambda m: _person(m.recorded_by)),
]


def _with_round(columns):
    """The admin's lists span rounds: the round after the library's TERC code."""
    return [*columns[:2], ROUND, *columns[2:]]


RECORD = ("partnership__library", "partnership__round")

RoundResource = export_resource(
    Round,
    [_field(Round, name) for name in ("name", "start", "end", *(f"deadline_{s}" for s in Stage))],
    name="RoundResource",
)
PartnershipListResource = export_resource(
    Partnership, LIST_COLUMNS, name="PartnershipListResource"
)
PartnershipResource = export_resource(
    Partnership,
    [*PARTNERSHIP_COLUMNS, (label(Partnership, "round"), lambda p: p.round.name)],
    name="PartnershipResource",
    select_related=("library__voivodeship", "round"),
)
MeetingResource = export_resource(
    Meeting,
    _with_round(MEETING_COLUMNS),
    name="MeetingResource",
    select_related=(*RECORD, "logged_by"),
    prefetch_related=("partners_present",),
)
PartnerResource = export_resource(
    Partner, _with_round(PARTNER_COLUMNS), name="PartnerResource", select_related=RECORD
)
AgreementResource = export_resource(
    Agreement,
    _with_round(AGREEMENT_COLUMNS),
    name="AgreementResource",
    select_related=RECORD,
    prefetch_related=("signatories",),
)
JointActionResource = export_resource(
    JointAction,
    _with_round(JOINT_ACTION_COLUMNS),
    name="JointActionResource",
    select_related=RECORD,
    prefetch_related=("partners",),
)
MilestoneResource = export_resource(
    Milestone,
    _with_round(MILESTONE_COLUMNS),
    name="MilestoneResource",
    select_related=(*RECORD, "recorded_by", "meeting", "agreement"),
)


class AssignmentResource(SpreadsheetResource):
    terc = ParsedField(
        attribute="partnership__library__terc", column_name="Kod TERC", widget=TercWidget()
    )
    animator_email = ParsedField(
        attribute="animator__user__email", column_name="E-mail animatora", widget=EmailWidget()
    )
    # Exported, and ignored on import.
    library = Field(
        attribute="partnership__library__name", column_name="Biblioteka", readonly=True,
        widget=TextWidget(),
    )
    round = Field(
        attribute="partnership__round__name", column_name="Runda", readonly=True,
        widget=TextWidget(),
    )
    animator = Field(attribute="animator", column_name="Animator", readonly=True,
                     widget=TextWidget())
    assigned_at = Field(
        attribute="assigned_at", column_name="Od", readonly=True, widget=LocalDateTimeWidget()
    )
    ended_at = Field(
        attribute="ended_at", column_name="Do", readonly=True, widget=LocalDateTimeWidget()
    )
    reason = Field(attribute="reason", column_name="Powód", readonly=True, widget=TextWidget())

    required_columns = ("Kod TERC", "E-mail animatora")
    aliases = {
        "Kod TERC": ("TERC", "Kod TERC gminy", "TERC code"),
        "E-mail animatora": (
            "E-mail animatorki",
            "Animator (e-mail)",
            "Animatorka (e-mail)",
            "E-mail",
            "Animator email",
        ),
    }
    error_columns = {"partnership": "Kod TERC", "animator": "E-mail animatora"}
    unvalidated_fields = ("partnership", "animator")
    column_help = [
        (
            "Kod TERC",
            True,
            gettext_lazy("the TERC code of a library with a partnership in the current round"),
            "1201013",
        ),
        ("E-mail animatora", True, gettext_lazy("the e-mail of an active animator"),
         "animator12@example.org"),
    ]
    match_help = gettext_lazy(
        "Each row makes the animator the active animator of the library's partnership in the "
        "current round: the previous assignment ends and stays in the history; a row whose "
        "animator is already assigned changes nothing."
    )

    class Meta:
        model = Assignment
        fields = (
            "terc", "animator_email", "library", "round", "animator", "assigned_at", "ended_at",
            "reason",
        )
        import_order = export_order = fields

    export_select_related = (*RECORD, "animator__user", "assigned_by")

    def prepare(self, dataset, **kwargs):
        self.round = Round.objects.current()
        if self.round is None:
            raise FileProblem(
                _("There is no round yet: add the round first, then import the assignments.")
            )
        self.reason = _("import")

    def get_or_init_instance(self, instance_loader, row):
        return self.init_instance(row), True

    def check_row(self, instance, row, errors, *, number):
        terc = self.pending(instance, "partnership__library__terc")
        email = self.pending(instance, "animator__user__email")
        if "partnership__library__terc" not in errors:
            self._check_partnership(instance, terc, errors, number)
        if "animator__user__email" not in errors:
            if not email:
                add_error(errors, "animator", _("This field is required."))
                return
            animator = (
                Animator.objects.select_related("user").filter(user__email__iexact=email).first()
            )
            if animator is None:
                add_error(
                    errors,
                    "animator",
                    _("No animator has the e-mail %(email)s.") % {"email": email},
                )
            elif not animator.is_active:
                add_error(
                    errors,
                    "animator",
                    _("%(animator)s is not active and cannot be assigned.")
                    % {"animator": animator},
                )
            else:
                instance.animator = animator
        partnership = getattr(instance, "partnership", None) if instance.partnership_id else None
        if partnership and partnership.withdrawn_on and not self._unchanged(instance):
            add_error(
                errors,
                "partnership",
                _("%(library)s has withdrawn from the programme.")
                % {"library": partnership.library.name},
            )

    def _unchanged(self, instance):
        """The row's animator is already the active one of the row's partnership."""
        return (
            instance.animator_id is not None
            and Assignment.objects.active()
            .filter(partnership=instance.partnership, animator=instance.animator)
            .exists()
        )

    def _check_partnership(self, instance, terc, errors, number):
        if not terc:
            add_error(errors, "partnership", _("This field is required."))
            return
        if not TERC.match(terc):
            add_error(errors, "partnership", terc_validator.message)
            return
        self.check_unique_in_file(errors, "partnership", terc, number=number, kind="terc")
        partnership = (
            Partnership.objects.select_related("library", "round")
            .filter(round=self.round, library__terc=terc)
            .first()
        )
        if partnership is None:
            if Library.objects.filter(terc=terc).exists():
                message = _(
                    "The library with the TERC code %(terc)s has no partnership in the round "
                    "%(round)s."
                )
            else:
                message = _("No library has the TERC code %(terc)s.")
            add_error(errors, "partnership", message % {"terc": terc, "round": self.round})
        else:
            instance.partnership = partnership  # withdrawn: see check_row

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """A row whose animator is already the active one changes nothing."""
        return not import_validation_errors and self._unchanged(instance)

    def save_row(self, instance, is_create, row, **kwargs):
        try:
            assignment = assignment_create(
                partnership=instance.partnership,
                animator=instance.animator,
                by=kwargs.get("user"),
                reason=self.reason,
            )
        except AssignmentError as error:
            raise ValidationError(str(error)) from None
        instance.pk = assignment.pk
        instance.assigned_at, instance.assigned_by = assignment.assigned_at, assignment.assigned_by
        instance.reason = assignment.reason
        instance._state.adding = False
