import datetime

from django.conf import settings
from django.db import models
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partnerships import uploads
from prb_partnerships.roles import Role, roles_of, sees_everything


class Stage(models.TextChoices):
    """The seven stages of a partnership, in order."""

    DIAGNOSIS = "diagnosis", _("local diagnosis and map of potential partners")
    INVITATIONS = "invitations", _("partners invited")
    FIRST_MEETING = "first_meeting", _("first partnership meeting")
    PLANNING = "planning", _("planning: vision, areas of work, action plan")
    AGREEMENT = "agreement", _("partnership formalised")
    JOINT_ACTION = "joint_action", _("first joint action carried out")
    EVALUATION = "evaluation", _("summary and plan to continue")

    @property
    def rank(self) -> int:
        return STAGE_ORDER.index(self) + 1

    @classmethod
    def from_rank(cls, rank: int | None):
        return STAGE_ORDER[rank - 1] if rank else None


STAGE_ORDER = list(Stage)


class Status(models.TextChoices):
    ON_TRACK = "on_track", _("on track")
    LATE = "late", _("late")
    DONE = "done", _("done")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Sector(models.TextChoices):
    LOCAL_GOVERNMENT = "local_government", _("local government / gmina office")
    SCHOOL = "school", _("school or kindergarten")
    CULTURE = "culture", _("cultural centre, community room, museum")
    LIBRARY = "library", _("another library")
    NGO = "ngo", _("association or foundation")
    VOLUNTEER_FIRE = "volunteer_fire", _("volunteer fire brigade")
    RURAL_WOMEN = "rural_women", _("rural women's circle")
    SENIORS = "seniors", _("seniors' club, university of the third age")
    YOUTH = "youth", _("youth group, scouts")
    SOCIAL_CARE = "social_care", _("social welfare centre, health care")
    PARISH = "parish", _("parish")
    BUSINESS = "business", _("business, entrepreneur")
    MEDIA = "media", _("local media")
    RESIDENT = "resident", _("active resident")
    OTHER = "other", _("other")


def sector_mix(sectors) -> dict:
    """The sector-mix check of a partnership: local government and at least three sectors.

    Returns {"ok": bool, "count": number of sectors, "problems": [messages]}."""
    present = set(sectors)
    problems = []
    if Sector.LOCAL_GOVERNMENT not in present:
        problems.append(_("No gmina office or other local government partner yet."))
    if len(present) < 3:
        problems.append(
            _("Partners from at least three sectors are needed; so far: %(count)d.")
            % {"count": len(present)}
        )
    return {"ok": not problems, "count": len(present), "problems": problems}


class MeetingKind(models.TextChoices):
    VISIT = "visit", _("animator's visit")
    PARTNERSHIP = "partnership", _("partnership meeting")
    WORKSHOP = "workshop", _("workshop")
    REMOTE = "remote", _("phone / online consultation")


class AgreementKind(models.TextChoices):
    AGREEMENT = "agreement", _("agreement")
    DECLARATION = "declaration", _("declaration")
    REGULATION = "regulation", _("partnership regulation")
    LETTER = "letter", _("letter of intent")


class JointActionStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


# Where each stage's default deadline falls, as (month of the round counted from 1, day or
# None for the month's last day). For the default round starting 1 March: 31 March, 15 April,
# 30 April, 15 June, 30 June, 31 August, 30 September.
DEFAULT_DEADLINES = {
    Stage.DIAGNOSIS: (1, None),
    Stage.INVITATIONS: (2, 15),
    Stage.FIRST_MEETING: (2, None),
    Stage.PLANNING: (4, 15),
    Stage.AGREEMENT: (4, None),
    Stage.JOINT_ACTION: (6, None),
    Stage.EVALUATION: (7, None),
}
ROUND_MONTHS = 7


def _month_start(start: datetime.date, months_ahead: int) -> datetime.date:
    month_index = start.month - 1 + months_ahead
    return datetime.date(start.year + month_index // 12, month_index % 12 + 1, 1)


def _month_end(start: datetime.date, months_ahead: int) -> datetime.date:
    return _month_start(start, months_ahead + 1) - datetime.timedelta(days=1)


def default_round_dates(start: datetime.date) -> dict:
    """Start, end and stage deadlines of a seven-month round beginning on the 1st of `start`'s
    month, laid out as the programme's default March–September round."""
    start = start.replace(day=1)
    dates = {"start": start, "end": _month_end(start, ROUND_MONTHS - 1)}
    for stage, (month, day) in DEFAULT_DEADLINES.items():
        dates[f"deadline_{stage.value}"] = (
            _month_end(start, month - 1)
            if day is None
            else _month_start(start, month - 1).replace(day=day)
        )
    return dates


class RoundQuerySet(models.QuerySet):
    def current(self, today: datetime.date | None = None):
        """The latest round that has started by `today` (the one under way, as rounds do not
        overlap); before the first round starts, the first one."""
        today = today or timezone.localdate()
        return (
            self.filter(start__lte=today).order_by("-start").first()
            or self.order_by("start").first()
        )


class Round(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    deadline_diagnosis = models.DateField(_("deadline: diagnosis"))
    deadline_invitations = models.DateField(_("deadline: invitations"))
    deadline_first_meeting = models.DateField(_("deadline: first meeting"))
    deadline_planning = models.DateField(_("deadline: planning"))
    deadline_agreement = models.DateField(_("deadline: agreement"))
    deadline_joint_action = models.DateField(_("deadline: joint action"))
    deadline_evaluation = models.DateField(_("deadline: evaluation"))

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-start"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="round_start_before_end"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"deadline_{s.value}__gte": F("start")})
                    & Q(**{f"deadline_{s.value}__lte": F("end")}),
                    name=f"round_deadline_{s.value}_inside_round",
                )
                for s in Stage
            ],
            *[
                models.CheckConstraint(
                    condition=Q(**{f"deadline_{b.value}__gte": F(f"deadline_{a.value}")}),
                    name=f"round_deadline_{b.value}_not_before_{a.value}",
                )
                for a, b in zip(STAGE_ORDER, STAGE_ORDER[1:], strict=False)
            ],
        ]

    def __str__(self):
        return self.name

    @property
    def deadlines(self) -> dict:
        """Stage → deadline, in stage order."""
        return {stage: getattr(self, f"deadline_{stage.value}") for stage in Stage}

    def clamp(self, day: datetime.date) -> datetime.date:
        return min(max(day, self.start), self.end)


def _count(queryset):
    """A correlated COUNT(*) subquery of `queryset` (which filters on OuterRef)."""
    return Coalesce(
        Subquery(
            queryset.order_by()
            .annotate(group=Value(1))
            .values("group")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


class PartnershipQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Partnerships `user` may see: all for the coordinator and experts; for an animator those
        actively assigned to them; for a librarian those of their own library."""
        user_roles = roles_of(user)
        if sees_everything(user):
            return self.all()
        scope = Q(pk__in=[])
        if Role.ANIMATOR in user_roles:
            scope |= Q(
                Exists(
                    Assignment.objects.filter(
                        partnership=OuterRef("pk"), animator__user=user, ended_at__isnull=True
                    )
                )
            )
        if Role.LIBRARIAN in user_roles:
            scope |= Q(library__librarians=user)
        return self.filter(scope)

    def with_progress(self, as_of: datetime.date | None = None):
        """Annotate what the state of each partnership on `as_of` (default today) needs:
        `stage_rank`, `status`, the last and next meeting … — see `partnerships.progress`, the
        one home of these rules; `partnership.progress` then gives the whole state."""
        from partnerships import progress

        return progress.annotate(self, as_of)

    def with_activity(self, as_of: datetime.date | None = None):
        """Annotate what the lists show about each partnership on `as_of` (default today)
        beside its progress: `meetings_count`, `partners_count` (partners who had joined and not
        left), and the active animator's `animator_name` and `expert_name`, all as subqueries
        (no extra query per row)."""
        as_of = as_of or timezone.localdate()
        meetings = Meeting.objects.filter(partnership=OuterRef("pk"), date__lte=as_of)
        partners = Partner.objects.filter(partnership=OuterRef("pk")).filter(
            Q(joined_on__isnull=True) | Q(joined_on__lte=as_of),
            Q(left_on__isnull=True) | Q(left_on__gt=as_of),
        )
        active = Assignment.objects.filter(partnership=OuterRef("pk"), ended_at__isnull=True)
        return self.with_animator_name().annotate(
            meetings_count=_count(meetings),
            partners_count=_count(partners),
            expert_name=Subquery(
                active.annotate(
                    full=Concat(
                        "animator__expert__last_name", Value(" "), "animator__expert__first_name"
                    )
                ).values("full")[:1]
            ),
        )

    def with_animator_name(self):
        """Annotate the active animator's `animator_name` ("Last First"), a subquery."""
        active = Assignment.objects.filter(partnership=OuterRef("pk"), ended_at__isnull=True)
        return self.annotate(
            animator_name=Subquery(
                active.annotate(
                    full=Concat(
                        "animator__user__last_name", Value(" "), "animator__user__first_name"
                    )
                ).values("full")[:1]
            )
        )

    def with_active_assignment(self):
        """Prefetch the active assignment (with its animator, and the animator it temporarily
        replaces) into `active_assignments`."""
        return self.prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(ended_at__isnull=True).select_related(
                    "animator__user", "animator__expert", "replaces__animator__user"
                ),
                to_attr="active_assignments",
            )
        )


class Partnership(models.Model):
    """The local partnership of one library in one round."""

    library = models.ForeignKey(
        "libraries.Library",
        verbose_name=_("library"),
        on_delete=models.PROTECT,
        related_name="partnerships",
    )
    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.PROTECT, related_name="partnerships"
    )
    name = models.CharField(
        _("partnership name"),
        max_length=200,
        blank=True,
        help_text=_("The name the partners chose, if any."),
    )
    withdrawn_on = models.DateField(
        _("withdrawn on"),
        null=True,
        blank=True,
        help_text=_("The library left the programme; the partnership is kept, never deleted."),
    )
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    # The same library's partnership in the round this one's round was built on: its partners
    # are offered as "known partners", its animator proposed first.
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous round's partnership"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_partnerships",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PartnershipQuerySet.as_manager()

    # Every create, change and delete, with who and when (partnerships/history.py).
    history = HistoricalRecords()

    class Meta:
        ordering = ["library__name", "pk"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.UniqueConstraint(
                fields=["library", "round"], name="one_partnership_per_library_and_round"
            ),
        ]

    def __str__(self):
        return f"{self.library.name} — {self.round.name}"

    @property
    def stage(self):
        """The stage reached (needs `with_progress()`); None before the first milestone."""
        return Stage.from_rank(self.stage_rank)

    @cached_property
    def progress(self):
        """The partnership's state on the day given to `with_progress()`: stage, status, next
        deadline or overdue stage, quiet days, missed meeting (`partnerships.progress`)."""
        from partnerships.progress import Progress

        return Progress.of(self)

    @property
    def planned_joint_actions(self):
        """The joint actions still to be carried out (planned or under way), soonest first;
        from the prefetched `joint_actions` where the card prefetched them."""
        waiting = (JointActionStatus.PLANNED, JointActionStatus.IN_PROGRESS)
        return sorted(
            (action for action in self.joint_actions.all() if action.status in waiting),
            key=lambda action: (action.planned_on or datetime.date.max, action.pk),
        )

    @property
    def active_assignment(self):
        """The active assignment (needs `with_active_assignment()`), or None."""
        return self.active_assignments[0] if self.active_assignments else None


class AssignmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)

    def active_exists(self, path="partnership", **lookups):
        """Exists: an active assignment of the outer row matching `lookups` — `path` leads
        from an assignment to that row (`partnership`, `partnership__library` …). What the
        list's filters, the admin's filters and the pages ask "whose animator is X"."""
        return Exists(self.active().filter(**{path: OuterRef("pk")}, **lookups))


class Assignment(models.Model):
    """An animator supporting a partnership; ended (not deleted) when reassigned."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    animator = models.ForeignKey(
        "animators.Animator",
        verbose_name=_("animator"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A temporary replacement: on `until` the animator of `replaces` supports the partnership
    # again (services.assignments_end_temporary, run daily).
    until = models.DateField(
        _("temporary until"),
        null=True,
        blank=True,
        help_text=_("On this day the previous animator supports the library again."),
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AssignmentQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["-assigned_at", "-pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership"],
                condition=Q(ended_at__isnull=True),
                name="one_active_assignment_per_partnership",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("assigned_at")),
                name="assignment_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.animator} → {self.partnership.library.name}"

    @property
    def is_active(self):
        return self.ended_at is None

    @property
    def is_temporary(self):
        return self.until is not None


class Partner(models.Model):
    """An organisation or a person taking part in the partnership."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="partners",
    )
    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    contact_person = models.CharField(_("contact person"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    submission_token = models.UUIDField(
        _("submission token"), null=True, blank=True, unique=True, editable=False
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(left_on__gte=F("joined_on")),
                name="partner_leaves_after_joining",
            ),
        ]

    def __str__(self):
        return self.name


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(partnership__in=Partnership.objects.visible_to(user))


MAX_PARTICIPANTS = 2000


class Meeting(models.Model):
    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=MeetingKind.choices)
    partners_present = models.ManyToManyField(
        Partner, verbose_name=_("partners present"), related_name="meetings", blank=True
    )
    # Institutions or people who came without being (yet) partners: noted, not made partners.
    guests = models.TextField(_("guests from outside the partnership"), blank=True)
    participants = models.PositiveIntegerField(_("number of participants"), default=0)
    summary = models.TextField(_("summary"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    support_declared = models.TextField(_("support declared"), blank=True)
    next_meeting_on = models.DateField(_("next meeting on"), null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submission_token = models.UUIDField(
        _("submission token"), null=True, blank=True, unique=True, editable=False
    )

    objects = MeetingQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=["partners_present"])

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [
            models.Index(fields=["partnership", "-date"], name="meeting_partnership_date"),
            # The admin's list of every meeting, newest first, one page at a time.
            models.Index(fields=["-date", "-id"], name="meeting_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(participants__gte=0) & Q(participants__lte=MAX_PARTICIPANTS),
                name="meeting_participants_range",
            ),
            models.CheckConstraint(
                condition=Q(next_meeting_on__isnull=True) | Q(next_meeting_on__gte=F("date")),
                name="meeting_next_not_before_date",
            ),
            # "A meeting date inside its round" is held by a database trigger
            # (migration partnerships 0002_dates_inside_round).
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}"


class MeetingAttachment(models.Model):
    """A photo of the attendance list, a scan of a signed document … of one meeting.

    Stored outside static and public media; served only by a view that checks access."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(
        _("file"), upload_to=uploads.meeting_file_name, storage=uploads.private_storage
    )
    content_type = models.CharField(_("content type"), max_length=40)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name


class PendingUpload(models.Model):
    """A photo or scan chosen in a form that was sent back with errors: kept (checked as any
    upload, in the private storage) under the form's one-time token for the person who chose
    it, so that the corrected form saves it. Used once, or removed after a day
    (`uploads.pending_cleanup`, the daily command
    `remove_pending_uploads`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="+",
    )
    token = models.UUIDField(_("form token"))
    file = models.FileField(
        _("file"), upload_to=uploads.pending_file_name, storage=uploads.private_storage
    )
    content_type = models.CharField(_("content type"), max_length=40)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("chosen at"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("pending upload")
        verbose_name_plural = _("pending uploads")
        indexes = [models.Index(fields=["user", "token"], name="pending_upload_user_token")]

    def __str__(self):
        return self.original_name


class Agreement(models.Model):
    """The document that formalises the partnership."""

    partnership = models.OneToOneField(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="agreement",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=AgreementKind.choices)
    signed_on = models.DateField(_("signed on"))
    signatories = models.ManyToManyField(
        Partner, verbose_name=_("signatories"), related_name="agreements_signed", blank=True
    )
    signatories_note = models.TextField(
        _("other signatories"), blank=True, help_text=_("Signatories who are not partners.")
    )
    document = models.FileField(
        _("scanned document"),
        upload_to=uploads.agreement_file_name,
        storage=uploads.private_storage,
        blank=True,
    )
    document_type = models.CharField(_("content type"), max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(m2m_fields=["signatories"])

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self):
        return f"{self.get_kind_display()} ({self.signed_on:%Y-%m-%d})"


class Milestone(models.Model):
    """A stage reached, when, and the evidence for it."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    reached_on = models.DateField(_("reached on"))
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("evidence: meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones",
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("evidence: agreement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones",
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "reached_on", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "stage"], name="one_milestone_per_stage"
            ),
        ]

    def __str__(self):
        return f"{self.get_stage_display()} ({self.reached_on:%Y-%m-%d})"

    @property
    def rank(self) -> int:
        return Stage(self.stage).rank


class JointAction(models.Model):
    """An action in the partnership's plan."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="joint_actions",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    planned_on = models.DateField(_("planned on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=JointActionStatus.choices,
        default=JointActionStatus.PLANNED,
    )
    participants_reached = models.PositiveIntegerField(
        _("participants reached"), null=True, blank=True
    )
    partners = models.ManyToManyField(
        Partner, verbose_name=_("partners involved"), related_name="joint_actions", blank=True
    )
    submission_token = models.UUIDField(
        _("submission token"), null=True, blank=True, unique=True, editable=False
    )

    history = HistoricalRecords(m2m_fields=["partners"])

    class Meta:
        ordering = ["planned_on", "pk"]
        verbose_name = _("joint action")
        verbose_name_plural = _("joint actions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=JointActionStatus.DONE) | Q(done_on__isnull=False),
                name="joint_action_done_has_date",
            ),
            models.CheckConstraint(
                condition=Q(participants_reached__isnull=True)
                | Q(participants_reached__lte=100_000),
                name="joint_action_participants_range",
            ),
        ]

    def __str__(self):
        return self.title


# ----- Reminders and the weekly digest (partnerships/notifications.py sends them) -----


class NotificationPreferenceQuerySet(models.QuerySet):
    def for_user(self, user):
        """The user's preference, or an unsaved one with the defaults (everything on): the
        row is created only when the person first changes something."""
        return self.filter(user=user).first() or self.model(user=user)


class NotificationPreference(models.Model):
    """What e-mails a person wants; without a row, everything is on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    reminders = models.BooleanField(_("reminders"), default=True)
    digest = models.BooleanField(_("weekly digest"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = NotificationPreferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.user)


class ReminderKind(models.TextChoices):
    QUIET = "quiet", _("quiet: no meeting for too long")  # QUIET_DAYS, partnerships/progress.py
    DEADLINE = "deadline", _("stage deadline within 7 days")
    MISSED_MEETING = "missed_meeting", _("planned meeting passed, nothing logged")


class SentReminder(models.Model):
    """One situation an animator was reminded of, so that it is never reminded twice.

    `key` is the date that identifies the situation: for `quiet` the day the silence is counted
    from (the last meeting, or the assignment or round start), for `deadline` the deadline (with
    its `stage`), for `missed_meeting` the planned date of the next meeting. A new meeting or a
    new plan makes a new situation."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="sent_reminders",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    key = models.DateField(_("date of the situation"))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "partnership", "kind", "key", "stage"],
                name="one_reminder_per_situation",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.key:%Y-%m-%d})"


class SentDigest(models.Model):
    """The weekly digest sent to an expert: at most one per ISO week (`week` is its Monday)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    week = models.DateField(_("week (Monday)"))
    partnerships = models.PositiveIntegerField(_("partnerships"), default=0)
    late = models.PositiveIntegerField(_("late"), default=0)
    quiet = models.PositiveIntegerField(_("quiet"), default=0)
    changes = models.PositiveIntegerField(_("changes"), default=0)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-week", "-pk"]
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "week"], name="one_digest_per_week"),
        ]

    def __str__(self):
        return f"{self.recipient} {self.week:%G-W%V}"


# ----- Beyond the tracker: calendar feeds and good practices -----


class CalendarFeed(models.Model):
    """A person's private calendar address, `/calendar/<token>.ics`. A new address replaces the
    token, so the old one answers 404 from then on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.user)


class GoodPracticeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Every practice, for everyone signed in: they are there for the whole programme to
        learn from. What a practice's page shows of another library is only the practice
        itself, and the link to its card follows `Partnership.objects.visible_to`
        (partnerships/practice_views.py)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.all()


class GoodPractice(models.Model):
    """A meeting or a joint action that worked, marked by an animator or an expert with a few
    lines on why, for everyone to learn from (`/practices/`)."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="practices",
    )
    meeting = models.OneToOneField(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="practice",
    )
    joint_action = models.OneToOneField(
        JointAction,
        verbose_name=_("joint action"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="practice",
    )
    why = models.TextField(_("why it worked"))
    photo = models.ForeignKey(
        MeetingAttachment,
        verbose_name=_("photo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    featured = models.BooleanField(_("featured"), default=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("marked at"), auto_now_add=True)

    objects = GoodPracticeQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=True) ^ Q(joint_action__isnull=True),
                name="practice_of_a_meeting_or_a_joint_action",
            ),
        ]

    def __str__(self):
        return str(self.meeting or self.joint_action)

