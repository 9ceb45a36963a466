"""The one home of the rules of a partnership's state, as of a day.

Every page, e-mail, export and report asks this module; no other file computes these facts:

- **stage reached** — the highest milestone reached on or before the day (`annotate`);
- **status** — `withdrawn` from the withdrawal day; `done` at stage 7 (reached only in order, so
  with all six before it); `late` when the deadline of the stage after the one reached has passed
  (deadlines never go down, so that is the first deadline missed); else `on_track`;
- **next deadline / overdue** — the stage to reach next and its deadline; when that deadline has
  passed, the stage is *overdue since* it ("po terminie od 31 października: …");
- **quiet** — no meeting for `QUIET_DAYS` days, counted from the latest of the last meeting, the
  day the active animator was assigned and the round's start (day 21 is quiet, day 20 is not);
  only for a partnership still under way (on track or late) on a day of its round;
- **missed meeting** — the next meeting planned at the latest meeting is before the day, with
  nothing logged since (planned for today is not missed yet);
- **stage order** — a stage is reached only when every earlier stage is, on a day not before the
  previous stage's; the first partnership meeting, the agreement and the first joint action done
  reach their stages by those facts alone (`plan_milestones`);
- **will it last?** (the sustainability check, `Lasting`) — from `lasting_from(round)`, the first
  day of the month the round ends in (1 September for a March–September round; the round's start
  if that is later), a partnership not withdrawn is judged on four conditions, each as of the
  day: (1) an agreement signed on or before it; (2) at least one joint action carried out (done,
  with its day on or before it); (3) the sector mix of `partnerships.models.sector_mix` — at
  least three sectors among the active partners (joined on or before the day, or undated, and
  not left by it), the gmina office among them; (4) a meeting planned after the round: the next
  meeting planned at the latest meeting is later than the round's last day (planned for the
  last day itself is still within the round; a meeting cannot be dated after the round).
  `sustainable`: all four hold; `missing_one`: exactly one does not. The facts come as
  annotations (`lasting_annotations(as_of)`, or `annotate(..., lasting=True)`), read by
  `progress.lasting`; the check's day and wording live here.

The SQL side (`annotate`, used by `Partnership.objects.with_progress()`; `late_q`, `quiet_q` and
`missed_meeting_q`, which filter lists on its annotations) and the Python side (`Progress`) sit
together here and are tested against each other at the edges of each rule and on every day of a
round.

The sustainability check has no SQL twin: the pages that count it (the dashboard, the round
report) sum it in Python over the partnerships they read anyway, so its sector rule stays the
one of `sector_mix`.
"""

import datetime
import re
from dataclasses import dataclass
from functools import cached_property

from django.db import models
from django.db.models import (
    Aggregate,
    CharField,
    DateField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from partnerships.models import (
    STAGE_ORDER,
    Agreement,
    Assignment,
    JointAction,
    JointActionStatus,
    Meeting,
    Milestone,
    Partner,
    Round,
    Sector,
    Stage,
    Status,
    sector_mix,
)

QUIET_DAYS = 21

# Stages that only a fact proves: the first partnership meeting, the agreement, the first
# joint action carried out. The others are recorded by hand, in order.
FACT_STAGES = (Stage.FIRST_MEETING, Stage.AGREEMENT, Stage.JOINT_ACTION)
HAND_STAGES = tuple(stage for stage in STAGE_ORDER if stage not in FACT_STAGES)
# The form that records the fact of each fact stage (the card's "next step" links there).
FACT_FORMS = {
    Stage.FIRST_MEETING: "first_meeting",
    Stage.AGREEMENT: "agreement",
    Stage.JOINT_ACTION: "joint_action",
}


# ----- SQL: what lists filter and sort on -----


class _StateSQL(Func):
    """A partnership's stage rank or status as of a day, written once as SQL and compiled from
    three columns of the row (`pk`, `withdrawn_on`, `round_id`) and the day: the ORM's
    expression tree for the same rules cost more to build, on every request, than PostgreSQL
    needs to run it (tested against `Progress` on every day of a round, tests/partnerships/
    test_state_rules.py and test_progress.py)."""

    arity = 4
    output_field = IntegerField()

    def __init__(self, as_of: datetime.date):
        super().__init__(
            F("pk"), F("withdrawn_on"), F("round_id"), Value(as_of, output_field=DateField())
        )

    @staticmethod
    def rank_sql(pk: str, day: str) -> str:
        milestone = Milestone._meta
        stage = milestone.get_field("stage").column
        whens = " ".join(f"WHEN '{s.value}' THEN {s.rank}" for s in STAGE_ORDER)
        return (
            f"COALESCE((SELECT MAX(CASE m.{stage} {whens} ELSE 0 END) "
            f"FROM {milestone.db_table} m "
            f"WHERE m.{milestone.get_field('partnership').column} = {pk} "
            f"AND m.{milestone.get_field('reached_on').column} <= {day}), 0)"
        )

    def sql(self, pk, withdrawn_on, round_id, day) -> str:
        return self.rank_sql(pk, day)

    def as_sql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, more = compiler.compile(expression)
            parts.append(sql)
            params.append(more)
        # Each column may appear several times in the SQL: its parameters as often.
        pk, withdrawn_on, round_id, day = parts
        template = self.sql("{0}", "{1}", "{2}", "{3}")
        order = [int(i) for i in _PLACES.findall(template)]
        return (
            template.format(*parts),
            [param for i in order for param in params[i]],
        )


class _StageRank(_StateSQL):
    """The rank (0 … 7) of the highest stage reached on or before the day."""


class _Status(_StateSQL):
    """`withdrawn` from the withdrawal day; `done` at stage 7; `late` when the deadline of the
    stage after the one reached has passed; else `on_track`."""

    output_field = models.CharField()

    def sql(self, pk, withdrawn_on, round_id, day) -> str:
        rank = self.rank_sql(pk, day)
        round_ = Round._meta
        deadlines = " ".join(
            f"WHEN {index} THEN r.{round_.get_field(f'deadline_{stage.value}').column}"
            for index, stage in enumerate(STAGE_ORDER)
        )
        return (
            f"CASE WHEN {withdrawn_on} <= {day} THEN '{Status.WITHDRAWN.value}' "
            f"WHEN {rank} >= {len(STAGE_ORDER)} THEN '{Status.DONE.value}' "
            f"WHEN (SELECT CASE {rank} {deadlines} END FROM {round_.db_table} r "
            f"WHERE r.{round_.pk.column} = {round_id}) < {day} THEN '{Status.LATE.value}' "
            f"ELSE '{Status.ON_TRACK.value}' END"
        )


_PLACES = re.compile(r"\{(\d)\}")


class _Sectors(Aggregate):
    """The distinct values of a column as one comma-separated text (PostgreSQL's string_agg,
    SQLite's group_concat)."""

    function = "STRING_AGG"
    template = "%(function)s(%(distinct)s%(expressions)s, ',')"
    allow_distinct = True
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="GROUP_CONCAT",
            template="%(function)s(%(distinct)s%(expressions)s)",
            **extra_context,
        )


def lasting_annotations(as_of: datetime.date) -> dict:
    """The facts of the sustainability check as of `as_of` (see `Lasting`), for
    `.annotate(**lasting_annotations(as_of))` beside `with_progress(as_of)` (the same day): the
    day the agreement was signed, the day of the first joint action carried out, and the
    sectors of the partners active that day. Three subqueries, no query of their own."""
    agreement = Agreement.objects.filter(partnership=OuterRef("pk"), signed_on__lte=as_of)
    done = JointAction.objects.filter(
        partnership=OuterRef("pk"), status=JointActionStatus.DONE, done_on__lte=as_of
    ).order_by("done_on")
    active = Partner.objects.filter(partnership=OuterRef("pk")).filter(
        Q(joined_on__isnull=True) | Q(joined_on__lte=as_of),
        Q(left_on__isnull=True) | Q(left_on__gt=as_of),
    )
    return {
        "lasting_as_of": Value(as_of, output_field=DateField()),
        "lasting_agreement_on": Subquery(agreement.values("signed_on")[:1]),
        "lasting_action_on": Subquery(done.values("done_on")[:1]),
        "lasting_sectors": Subquery(
            active.order_by()
            .values("partnership")
            .annotate(sectors=_Sectors("sector", distinct=True))
            .values("sectors")
        ),
    }


def annotate(queryset, as_of: datetime.date | None = None, *, lasting: bool = False):
    """Annotate partnerships with what their state needs as of `as_of` (default today):
    `stage_rank` (0 … 7), `status`, `last_meeting_on`, `next_meeting_on` (planned at the latest
    meeting), `assigned_at` (of the assignment of that day) and `progress_as_of`, so that
    `partnership.progress` gives the whole `Progress` without another query. With `lasting`,
    also the facts of the sustainability check (`progress.lasting`), as of the same day."""
    as_of = as_of or timezone.localdate()
    latest = Meeting.objects.filter(partnership=OuterRef("pk"), date__lte=as_of).order_by(
        "-date", "-pk"
    )
    # The animator who supported the partnership on `as_of` (today: the active one).
    end_of_day = timezone.make_aware(
        datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min)
    )
    on_the_day = (
        Assignment.objects.filter(partnership=OuterRef("pk"), assigned_at__lt=end_of_day)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=end_of_day))
        .order_by("-assigned_at", "-pk")
    )
    # The round comes along: its deadlines are part of every partnership's state.
    return queryset.select_related("round").annotate(
        stage_rank=_StageRank(as_of),
        status=_Status(as_of),
        last_meeting_on=Subquery(latest.values("date")[:1]),
        next_meeting_on=Subquery(latest.values("next_meeting_on")[:1]),
        assigned_at=Subquery(on_the_day.values("assigned_at")[:1]),
        progress_as_of=Value(as_of, output_field=models.DateField()),
        **(lasting_annotations(as_of) if lasting else {}),
    )


def _under_way():
    """`Progress.under_way` over `annotate`'s `status`."""
    return Q(status__in=[Status.ON_TRACK.value, Status.LATE.value])


def late_q() -> Q:
    """The `late` status (a withdrawn or finished partnership is never late)."""
    return Q(status=Status.LATE.value)


def quiet_q(as_of: datetime.date) -> Q:
    """`Progress.quiet` as a filter over the annotations of `annotate(queryset, as_of)` (the
    same `as_of`): under way, on a day of the round, and the latest of the round's start, the
    last meeting and the day of the assignment — those on or before `as_of` — is at least
    `QUIET_DAYS` days before `as_of`. Written without NOT, since the annotations may be NULL."""
    cutoff = as_of - datetime.timedelta(days=QUIET_DAYS)
    # An assignment made on `cutoff` or earlier (local days, as `timezone.localdate`).
    after_cutoff = timezone.make_aware(
        datetime.datetime.combine(cutoff + datetime.timedelta(days=1), datetime.time.min)
    )
    # No day counted from is later than the cutoff (the last meeting and the assignment of
    # `annotate` are never after `as_of`; a round starting after `as_of` does not count) …
    none_later = (
        (Q(round__start__lte=cutoff) | Q(round__start__gt=as_of))
        & (Q(last_meeting_on__isnull=True) | Q(last_meeting_on__lte=cutoff))
        & (Q(assigned_at__isnull=True) | Q(assigned_at__lt=after_cutoff))
    )
    # … and one of them is counted from (else the silence counts from a future round start).
    one_counted = (
        Q(round__start__lte=cutoff)
        | Q(last_meeting_on__lte=cutoff)
        | Q(assigned_at__lt=after_cutoff)
    )
    return _under_way() & Q(round__end__gte=as_of) & none_later & one_counted


def missed_meeting_q(as_of: datetime.date) -> Q:
    """`Progress.missed_meeting_on` is set, as a filter over the annotations of
    `annotate(queryset, as_of)`: under way, and the next meeting planned at the latest meeting
    is before `as_of`."""
    return _under_way() & Q(next_meeting_on__lt=as_of)


# ----- Python: what pages, e-mails and exports say -----


def stage_text_of(rank: int) -> str:
    """A stage rank (0 … 7) said as everywhere ("osiągnięty etap 4 z 7: …"); `Progress.stage_text`
    and the good practices (the stage on a record's day) say it through here."""
    if not rank:
        return _("no stage reached yet")
    return _("stage %(rank)d of %(count)d reached: %(stage)s") % {
        "rank": rank,
        "count": len(STAGE_ORDER),
        "stage": Stage.from_rank(rank).label,
    }


@dataclass(frozen=True)
class Progress:
    """The state of one partnership on `as_of` (read from `annotate`'s annotations)."""

    as_of: datetime.date
    stage_rank: int
    status: Status
    next_stage: Stage | None  # the stage to reach next (None when done or withdrawn)
    deadline: datetime.date | None  # its deadline
    last_meeting_on: datetime.date | None
    next_meeting_on: datetime.date | None
    quiet_since: datetime.date  # the day the silence is counted from
    round_end: datetime.date
    deadlines: dict  # Stage → deadline, in stage order
    withdrawn_on: datetime.date | None = None  # the day the library left the programme
    # The sustainability check (None when the library withdrew), or NOT_ANNOTATED.
    lasting_check: object = None

    @classmethod
    def of(cls, partnership) -> "Progress":
        as_of = partnership.progress_as_of
        status = Status(partnership.status)
        rank = partnership.stage_rank
        next_stage = (
            Stage.from_rank(rank + 1)
            if rank < len(STAGE_ORDER) and status != Status.WITHDRAWN
            else None
        )
        round_ = partnership.round
        days = [round_.start, partnership.last_meeting_on]
        if partnership.assigned_at is not None:
            days.append(timezone.localdate(partnership.assigned_at))
        quiet_since = max(
            (day for day in days if day is not None and day <= as_of), default=round_.start
        )
        return cls(
            as_of=as_of,
            stage_rank=rank,
            status=status,
            next_stage=next_stage,
            deadline=round_.deadlines[next_stage] if next_stage else None,
            last_meeting_on=partnership.last_meeting_on,
            next_meeting_on=partnership.next_meeting_on,
            quiet_since=quiet_since,
            round_end=round_.end,
            deadlines=round_.deadlines,
            withdrawn_on=partnership.withdrawn_on,
            lasting_check=Lasting.of(partnership, status, round_),
        )

    @property
    def lasting(self) -> "Lasting | None":
        """The sustainability check on `as_of` (also before it starts: see `Lasting.checked`);
        None for a partnership the library withdrew from."""
        if self.lasting_check is NOT_ANNOTATED:
            raise LastingNotAnnotated(
                "The sustainability check needs .annotate(**lasting_annotations(as_of))."
            )
        return self.lasting_check

    @property
    def stage(self) -> Stage | None:
        return Stage.from_rank(self.stage_rank)

    @property
    def under_way(self) -> bool:
        """Neither done nor withdrawn: reminders, quiet and missed meetings apply."""
        return self.status in (Status.ON_TRACK, Status.LATE)

    def stage_overdue(self, stage: Stage) -> bool:
        """`stage` is not reached and its deadline has passed (a withdrawn partnership has no
        deadlines)."""
        return (
            self.status != Status.WITHDRAWN
            and stage.rank > self.stage_rank
            and self.deadlines[stage] < self.as_of
        )

    @property
    def overdue(self) -> bool:
        """The next stage's deadline has passed: the partnership is late since that deadline
        (the same rule as the `late` status of `annotate`)."""
        return self.next_stage is not None and self.stage_overdue(self.next_stage)

    def deadlines_ahead(self, days: int) -> list[tuple]:
        """[(stage, deadline)] of the stages not reached whose deadline is today or at most
        `days` days ahead (a late partnership can still have a deadline coming)."""
        if not self.under_way:
            return []
        return [
            (stage, deadline)
            for stage, deadline in self.deadlines.items()
            if stage.rank > self.stage_rank and 0 <= (deadline - self.as_of).days <= days
        ]

    def stage_line(self, milestones) -> list[dict]:
        """The seven stages for the card: deadline, the milestone reached (of `milestones`,
        on or before `as_of`) and whether the stage is overdue."""
        reached = {m.stage: m for m in milestones if m.reached_on <= self.as_of}
        return [
            {
                "stage": stage,
                "deadline": deadline,
                "milestone": reached.get(stage.value),
                "overdue": self.stage_overdue(stage),
                "by_hand": stage in HAND_STAGES,
            }
            for stage, deadline in self.deadlines.items()
        ]

    @property
    def overdue_since(self) -> datetime.date | None:
        return self.deadline if self.overdue else None

    @property
    def days_to_deadline(self) -> int | None:
        return (self.deadline - self.as_of).days if self.deadline and not self.overdue else None

    @property
    def days_quiet(self) -> int:
        """Days without a meeting, counted from `quiet_since`."""
        return (self.as_of - self.quiet_since).days

    @property
    def days_since_last_meeting(self) -> int | None:
        return (self.as_of - self.last_meeting_on).days if self.last_meeting_on else None

    @property
    def quiet(self) -> bool:
        return (
            self.under_way and self.as_of <= self.round_end and self.days_quiet >= QUIET_DAYS
        )

    @property
    def missed_meeting_on(self) -> datetime.date | None:
        """The planned next meeting that has passed with nothing logged since, if any."""
        if self.under_way and self.next_meeting_on and self.next_meeting_on < self.as_of:
            return self.next_meeting_on
        return None

    @property
    def planned_meeting_on(self) -> datetime.date | None:
        """The next meeting, when it is planned for today or later."""
        if self.next_meeting_on and self.next_meeting_on >= self.as_of:
            return self.next_meeting_on
        return None

    @property
    def urgency(self) -> tuple:
        """Sort key of "what needs action first": late, then a missed planned meeting, then
        quiet, then the nearest deadline; done and withdrawn partnerships last."""
        if not self.under_way:
            return (9, datetime.date.max)
        group = 0 if self.overdue else 1 if self.missed_meeting_on else 2 if self.quiet else 3
        return (group, self.deadline or datetime.date.max)

    # ----- What pages say: the one wording of the state -----
    # The card, the animator's home, the print view, the list and the dashboard print these
    # instead of composing the stage or the status themselves.

    @property
    def stage_text(self) -> str:
        """The stage, always said the same way: "stage 4 of 7 reached: planning: …"
        ("osiągnięty etap 4 z 7: …"): the last stage reached, not the one worked on."""
        return stage_text_of(self.stage_rank)

    @property
    def stage_steps(self) -> list[str]:
        """The seven steps of the stage bar: "reached", "overdue" (its deadline passed) or
        "ahead"."""
        return [
            "reached"
            if stage.rank <= self.stage_rank
            else "overdue"
            if self.stage_overdue(stage)
            else "ahead"
            for stage in self.deadlines
        ]

    @property
    def next_stage_text(self) -> str:
        """The stage to reach next and its deadline — what is late and since when once the
        deadline has passed ("po terminie od 30 czerwca: formalizacja partnerstwa")."""
        if self.next_stage is None:
            return _("all stages reached") if self.status == Status.DONE else "—"
        values = {"day": _day_short(self.deadline), "stage": self.next_stage.label}
        if self.overdue:
            return _("overdue since %(day)s: %(stage)s") % values
        return _("next stage: %(stage)s — due %(day)s") % values

    @property
    def status_reason(self) -> str:
        """The reason said next to the status: the overdue or the next stage with its
        deadline, all stages reached, or when the library withdrew."""
        if self.status == Status.WITHDRAWN:
            if self.withdrawn_on:
                return _("the library withdrew on %(day)s") % {"day": _day(self.withdrawn_on)}
            return _("the library withdrew from the programme")
        return self.next_stage_text

    @property
    def status_meaning(self) -> str:
        """What the status means, in plain words for the library's staff."""
        if self.status == Status.WITHDRAWN:
            return _(
                "The library has left the programme. The card stays as a record of the work done."
            )
        if self.status == Status.DONE:
            return _("The partnership has reached all seven stages of the programme.")
        if self.overdue:
            return _(
                "The deadline of this stage has passed and the stage is not recorded yet, so the "
                "partnership is marked as late. It can still be reached: ask your animator what "
                "is missing."
            )
        return _(
            "The partnership keeps to the programme's schedule: no deadline has passed without "
            "its stage."
        )

    @property
    def next_step_hint(self) -> str:
        """What the library's staff can do next for the stage to reach next ('' when the
        library withdrew)."""
        if self.status == Status.WITHDRAWN:
            return ""
        if self.next_stage is None:
            return str(DONE_HINT)
        return str(LIBRARY_HINTS[self.next_stage])

    @property
    def next_step(self) -> str | None:
        """The record that moves the partnership on, for those who may write: for a stage
        reached by a fact (FACT_STAGES) the form of that fact — "first_meeting" (a partnership
        meeting), "agreement", "joint_action" (one carried out); "milestone" when the next stage
        is recorded by hand (HAND_STAGES); "meeting" once all are reached; None when the library
        withdrew."""
        if self.status == Status.WITHDRAWN:
            return None
        if self.next_stage in HAND_STAGES:
            return "milestone"
        return FACT_FORMS.get(self.next_stage, "meeting")


# What a library can do to reach each stage (the card's "what you can do next").
LIBRARY_HINTS = {
    Stage.DIAGNOSIS: gettext_lazy(
        "List the institutions, organisations and people in your gmina who could join the "
        "partnership, and go through the list with your animator."
    ),
    Stage.INVITATIONS: gettext_lazy(
        "Invite the potential partners to the partnership and tell your animator whom you "
        "have invited."
    ),
    Stage.FIRST_MEETING: gettext_lazy(
        "Agree a date for the first partnership meeting with your animator and invite the partners."
    ),
    Stage.PLANNING: gettext_lazy(
        "At the next meetings, agree with the partners on a shared vision, areas of work and "
        "an action plan."
    ),
    Stage.AGREEMENT: gettext_lazy(
        "Prepare an agreement, a declaration or a regulation with the partners and sign it; "
        "give your animator the signed copy so that it is recorded."
    ),
    Stage.JOINT_ACTION: gettext_lazy(
        "Carry out the first joint action with the partners and tell your animator how it went."
    ),
    Stage.EVALUATION: gettext_lazy(
        "Sum up the round with the partners and plan how to continue after it; your animator "
        "records the summary."
    ),
}
DONE_HINT = gettext_lazy("Keep meeting the partners and carry on with the plan.")


def _day_short(day: datetime.date) -> str:
    return date_format(day, "j E")


def stage_rank_on(reached: dict, day: datetime.date) -> int:
    """The stage rank reached on `day` from {rank: day reached} (the burn-up's many days)."""
    return max((rank for rank, when in reached.items() if when <= day), default=0)


# ----- Will it last? The sustainability check -----


NOT_ANNOTATED = object()


class LastingNotAnnotated(Exception):
    """`Progress.lasting` asked of a partnership read without `lasting=True`."""


def lasting_from(round_) -> datetime.date:
    """The day the sustainability check starts: the first day of the month the round ends in
    (1 September for a March–September round), or the round's start if that is later."""
    return max(round_.start, round_.end.replace(day=1))


def lasting_checked(round_, as_of: datetime.date) -> bool:
    """The check has started on `as_of`: the partnerships of `round_` are judged."""
    return as_of >= lasting_from(round_)


@dataclass(frozen=True)
class Condition:
    """One condition of the sustainability check: what is required (`label`), whether it
    `holds`, and `text`: the fact when it holds, what is missing when it does not; `short`:
    what is missing in a few words, for lists ('' when it holds)."""

    key: str
    label: str
    holds: bool
    text: str
    short: str = ""


# The four conditions, in the order the card, the dashboard and the report show them.
LASTING_CONDITIONS = {
    "agreement": gettext_lazy("An agreement signed"),
    "joint_action": gettext_lazy("At least one joint action carried out"),
    "sectors": gettext_lazy(
        "At least three sectors among the active partners, the gmina office among them"
    ),
    "meeting_after_round": gettext_lazy("A meeting planned after the round"),
}


@dataclass(frozen=True)
class Lasting:
    """Will the partnership last after the round? Its four conditions as of `as_of` (the
    rule: the module's docstring). Judged from `starts_on` (`checked`); before it, the same
    facts can be read as a preview."""

    as_of: datetime.date
    starts_on: datetime.date
    round_end: datetime.date
    agreement_signed_on: datetime.date | None
    joint_action_done_on: datetime.date | None
    sectors: tuple  # the sectors of the partners active on `as_of`
    next_meeting_on: datetime.date | None  # planned at the latest meeting

    @classmethod
    def of(cls, partnership, status: Status, round_):
        """From the annotations of `annotate(..., lasting=True)`; NOT_ANNOTATED without
        them, None for a withdrawn partnership."""
        if not hasattr(partnership, "lasting_as_of"):
            return NOT_ANNOTATED
        if partnership.lasting_as_of != partnership.progress_as_of:
            raise LastingNotAnnotated("The check's facts are of another day than the progress.")
        if status == Status.WITHDRAWN:
            return None
        return cls(
            as_of=partnership.progress_as_of,
            starts_on=lasting_from(round_),
            round_end=round_.end,
            agreement_signed_on=partnership.lasting_agreement_on,
            joint_action_done_on=partnership.lasting_action_on,
            sectors=tuple(s for s in (partnership.lasting_sectors or "").split(",") if s),
            next_meeting_on=partnership.next_meeting_on,
        )

    @property
    def checked(self) -> bool:
        """The check has started: the partnership is judged on `as_of`."""
        return self.as_of >= self.starts_on

    @cached_property
    def conditions(self) -> list[Condition]:
        mix = sector_mix(self.sectors)
        agreement = self.agreement_signed_on is not None
        action = self.joint_action_done_on is not None
        after_round = self.next_meeting_on is not None and self.next_meeting_on > self.round_end
        end = _day(self.round_end)
        if after_round:
            meeting = _("next meeting planned for %(day)s") % {"day": _day(self.next_meeting_on)}
        elif self.next_meeting_on is not None and self.next_meeting_on >= self.as_of:
            meeting = _(
                "The next meeting planned (%(day)s) is still within the round, which ends on "
                "%(end)s."
            ) % {"day": _day(self.next_meeting_on), "end": end}
        else:
            meeting = _("No meeting planned after the round, which ends on %(end)s.") % {
                "end": end
            }
        sectors_short = []
        if not mix["ok"]:
            if Sector.LOCAL_GOVERNMENT not in self.sectors:
                sectors_short.append(_("no gmina office"))
            if mix["count"] < 3:
                sectors_short.append(_("fewer than three sectors"))
        return [
            Condition(
                "agreement",
                str(LASTING_CONDITIONS["agreement"]),
                agreement,
                _("signed on %(day)s") % {"day": _day(self.agreement_signed_on)}
                if agreement
                else _("No agreement signed yet."),
                "" if agreement else _("no agreement signed"),
            ),
            Condition(
                "joint_action",
                str(LASTING_CONDITIONS["joint_action"]),
                action,
                _("the first carried out on %(day)s") % {"day": _day(self.joint_action_done_on)}
                if action
                else _("No joint action carried out yet."),
                "" if action else _("no joint action carried out"),
            ),
            Condition(
                "sectors",
                str(LASTING_CONDITIONS["sectors"]),
                mix["ok"],
                ngettext(
                    "%(count)d sector, the gmina office among them",
                    "%(count)d sectors, the gmina office among them",
                    mix["count"],
                )
                % {"count": mix["count"]}
                if mix["ok"]
                else " ".join(str(problem) for problem in mix["problems"]),
                ", ".join(sectors_short),
            ),
            Condition(
                "meeting_after_round",
                str(LASTING_CONDITIONS["meeting_after_round"]),
                after_round,
                meeting,
                "" if after_round else _("no meeting planned after the round"),
            ),
        ]

    @property
    def missing(self) -> list[Condition]:
        return [c for c in self.conditions if not c.holds]

    @property
    def sustainable(self) -> bool:
        """All four conditions hold."""
        return not self.missing

    @property
    def missing_one(self) -> bool:
        """Exactly one condition does not hold."""
        return len(self.missing) == 1


# ----- Stages only in order -----


class StageOrderError(Exception):
    """A change that would leave the stages out of order; the message is shown to the user."""


@dataclass(frozen=True)
class PlannedMilestone:
    stage: Stage
    day: datetime.date
    evidence: object = None  # the meeting, agreement or joint action that proves it


def _day(day: datetime.date) -> str:
    return date_format(day, "j E Y")


def plan_milestones(*, recorded: dict, facts: dict) -> tuple[list, dict]:
    """The milestones a partnership should have, in order, and the facts waiting for an
    earlier stage.

    `recorded`: {Stage: day} of the milestones recorded by hand (the hand stages only).
    `facts`: {fact Stage: [(day, evidence)] sorted by day}.
    A fact stage is reached by its earliest fact dated on or after the previous stage's day,
    once every earlier stage is reached. A hand stage recorded without every earlier stage, or
    dated before the previous one, is a StageOrderError naming what to do.

    Returns (planned milestones in stage order, {fact Stage: the stage missing before it})."""
    planned, waiting = [], {}
    previous = None
    for stage in STAGE_ORDER:
        in_order = len(planned) == stage.rank - 1
        if stage in FACT_STAGES:
            usable = [(d, e) for d, e in facts.get(stage, []) if previous is None or d >= previous]
            if in_order and usable:
                day, evidence = usable[0]
                planned.append(PlannedMilestone(stage, day, evidence))
                previous = day
            elif facts.get(stage):
                # Waiting for the first stage missing, or (dated before it) the previous one.
                waiting[stage] = STAGE_ORDER[len(planned) if not in_order else stage.rank - 2]
            continue
        day = recorded.get(stage)
        if day is None:
            continue
        if not in_order:
            missing = STAGE_ORDER[len(planned)]
            raise StageOrderError(
                _(
                    "The stage “%(stage)s” cannot stay recorded without the stage "
                    "“%(missing)s” before it. Remove “%(stage)s” first."
                )
                % {"stage": stage.label, "missing": missing.label}
            )
        if previous is not None and day < previous:
            raise StageOrderError(
                _(
                    "The stage “%(stage)s” (%(day)s) cannot come before the stage "
                    "“%(previous)s” (%(previous_day)s). Remove “%(stage)s” first."
                )
                % {
                    "stage": stage.label,
                    "day": _day(day),
                    "previous": planned[-1].stage.label,
                    "previous_day": _day(previous),
                }
            )
        planned.append(PlannedMilestone(stage, day))
        previous = day
    return planned, waiting


def next_hand_stage(planned: list) -> Stage | None:
    """The stage that may be recorded by hand next (None when the next one needs a fact)."""
    if len(planned) >= len(STAGE_ORDER):
        return None
    stage = STAGE_ORDER[len(planned)]
    return stage if stage in HAND_STAGES else None


def check_hand_stage(*, planned: list, stage: Stage, day: datetime.date, round_) -> None:
    """May `stage` be recorded by hand on `day` after the `planned` milestones? StageOrderError
    with the reason in Polish when not."""
    reached = len(planned)
    if stage in FACT_STAGES:
        raise StageOrderError(
            _("The stage “%(stage)s” is reached by recording its fact, not by hand.")
            % {"stage": stage.label}
        )
    if stage.rank <= reached:
        raise StageOrderError(
            _("The stage “%(stage)s” is already reached.") % {"stage": stage.label}
        )
    if stage.rank > reached + 1:
        missing = STAGE_ORDER[reached]
        raise StageOrderError(
            _(
                "The stage “%(stage)s” can be recorded only after the stage “%(missing)s”. "
                "The partnership is at stage %(rank)d of 7."
            )
            % {"stage": stage.label, "missing": missing.label, "rank": reached}
        )
    if not round_.start <= day <= round_.end:
        raise StageOrderError(
            _("The date must fall within the round: %(start)s – %(end)s.")
            % {"start": _day(round_.start), "end": _day(round_.end)}
        )
    if day > timezone.localdate():
        raise StageOrderError(_("This date is in the future."))
    if planned and day < planned[-1].day:
        raise StageOrderError(
            _(
                "The stage “%(stage)s” cannot be reached before the stage “%(previous)s” "
                "(%(day)s)."
            )
            % {"stage": stage.label, "previous": planned[-1].stage.label,
               "day": _day(planned[-1].day)}
        )
