"""Reminders to animators (daily) and the digest to CAL experts (weekly), by e-mail in Polish.

Everything is computed "as of" `today`, the day the command runs (`--today` in tests).

Reminders (`reminders_send`) go to the animator of the active assignment, about the
partnerships of a round under way (start ≤ today ≤ end) that are neither withdrawn nor done,
when the animator and their account are active and they have not turned reminders off:

- **quiet** — no meeting for 21 days: counted from the latest of the last meeting, the day the
  animator was assigned and the round start (a newly assigned animator gets 21 days of their
  own); reminded when `today - that day >= 21`, e.g. last meeting on 1 May → 22 May.
- **deadline** — a stage not yet reached whose deadline is at most 7 days ahead and not passed:
  `0 <= deadline - today <= 7`, e.g. 15 April → from 8 April to 15 April.
- **missed meeting** — the next meeting planned at the latest meeting has passed with nothing
  logged since: `next_meeting_on < today`, e.g. planned for 20 May → 21 May.

Each situation is reminded once: `SentReminder` records the recipient, the partnership, the
kind and the date that identifies the situation (the day the silence is counted from, the
deadline and its stage, the planned meeting date). A new meeting or a new plan is a new
situation and is reminded again. One e-mail per animator per run lists all their items.

The digest (`digest_send`) goes to each active expert who has not turned it off, at most once
per ISO week (`SentDigest`), about the partnerships actively assigned to the animators they
supervise: those late or quiet today, and what changed in the 7 days before `today`
(`today - 7` … `today - 1`, so weekly runs neither overlap nor leave gaps): meetings logged
(by the time they were logged), milestones reached and agreements signed (by their dates), and
assignments that began or ended (of the expert's animators). An expert with no partnership in
a round under way (or ended less than a week ago) gets no digest.

Candidates are read with a fixed number of queries whatever the number of partnerships; then
each e-mail costs a few queries to record it. The record is written before the message is sent
in one transaction per recipient: when sending fails, the record is rolled back and the next
run tries again; the unique constraints keep two concurrent runs from sending twice.
"""

import datetime
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from partnerships.models import (
    Agreement,
    Assignment,
    Meeting,
    Milestone,
    NotificationPreference,
    Partnership,
    ReminderKind,
    SentDigest,
    SentReminder,
    Stage,
    Status,
)
from partnerships.progress import QUIET_DAYS
from prb_partnerships.mail import AUTO_SUBMITTED, send_mail_template
from prb_partnerships.roles import Role, has_role

logger = logging.getLogger(__name__)
User = get_user_model()

DEADLINE_DAYS = 7
DIGEST_DAYS = 7


# ----- Links and messages -----


def absolute_url(name, *args, **kwargs) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args, kwargs=kwargs)


def card_url(partnership) -> str:
    return absolute_url("libraries:library_detail", partnership.library_id)


def _send_notification(*, template, recipient, context) -> None:
    """Send the automatic e-mail `template` (a reminder, the digest) with the link to turn
    such e-mails off (`settings_url`)."""
    send_mail_template(
        template=template,
        recipient=recipient,
        context={**context, "settings_url": absolute_url("partnerships:notification_settings")},
        headers=AUTO_SUBMITTED,
    )


def _turned_off(name):
    """Exists: the user has turned the e-mails `name` ("reminders", "digest") off."""
    return Exists(NotificationPreference.objects.filter(user=OuterRef("pk"), **{name: False}))


def _with_active_assignment(queryset, **fields):
    """Annotate each partnership with `fields` (name → path from its active assignment)."""
    active = Assignment.objects.active().filter(partnership=OuterRef("pk"))
    return queryset.annotate(
        **{name: Subquery(active.values(path)[:1]) for name, path in fields.items()}
    )


# ----- Reminders to animators -----


@dataclass
class ReminderItem:
    kind: ReminderKind
    partnership: Partnership
    key: datetime.date
    stage: Stage | None = None
    days: int = 0  # quiet: days without a meeting; deadline: days left

    @property
    def record(self):
        """(partnership, kind, key, stage) as `SentReminder` stores them."""
        stage = self.stage.value if self.stage else ""
        return (self.partnership.pk, self.kind.value, self.key, stage)


@dataclass
class ReminderGroup:
    """The items of one partnership in one e-mail."""

    partnership: Partnership
    items: list
    card_url: str = ""
    meeting_url: str = ""


def reminder_candidates(*, today):
    """Partnerships that may need a reminder on `today`, with their progress, activity and the
    `recipient_id` and `assigned_at` of the active assignment: one query."""
    active = Assignment.objects.active().filter(
        partnership=OuterRef("pk"), animator__is_active=True, animator__user__is_active=True
    )
    queryset = (
        Partnership.objects.filter(
            round__start__lte=today, round__end__gte=today, withdrawn_on__isnull=True
        )
        .filter(Exists(active))
        .with_progress(today)
        .with_activity(today)
        .exclude(status=Status.DONE)
        .select_related("library", "round")
        .order_by("library__name", "pk")
    )
    return _with_active_assignment(queryset, recipient_id="animator__user_id")


def reminder_items(partnership, today) -> list[ReminderItem]:
    """What the animator of `partnership` should be reminded of on `today` (sent or not)."""
    items = []
    progress = partnership.progress  # as of `today` (see reminder_candidates)
    if progress.quiet:
        items.append(
            ReminderItem(
                ReminderKind.QUIET, partnership, progress.quiet_since, days=progress.days_quiet
            )
        )
    for stage, deadline in progress.deadlines_ahead(DEADLINE_DAYS):
        items.append(
            ReminderItem(
                ReminderKind.DEADLINE, partnership, deadline, stage, (deadline - today).days
            )
        )
    if progress.missed_meeting_on:
        items.append(
            ReminderItem(ReminderKind.MISSED_MEETING, partnership, progress.missed_meeting_on)
        )
    return items


def reminders_due(*, today) -> list[tuple]:
    """[(animator's user, [ReminderItem])] not reminded yet, for those who want reminders;
    a fixed number of queries (candidates, what was sent, the recipients)."""
    partnerships = list(reminder_candidates(today=today))
    sent = set(
        SentReminder.objects.filter(partnership__in=[p.pk for p in partnerships]).values_list(
            "recipient_id", "partnership_id", "kind", "key", "stage"
        )
    )
    due = defaultdict(list)
    for partnership in partnerships:
        for item in reminder_items(partnership, today):
            if (partnership.recipient_id, *item.record) not in sent:
                due[partnership.recipient_id].append(item)
    recipients = (
        User.objects.filter(pk__in=due, is_active=True)
        .exclude(email="")
        .exclude(_turned_off("reminders"))
        .order_by("email")
    )
    return [(user, due[user.pk]) for user in recipients]


@transaction.atomic
def reminder_send(*, recipient, items, today) -> None:
    """Record the items as reminded and e-mail them to `recipient`, grouped by partnership."""
    now = timezone.now()
    SentReminder.objects.bulk_create(
        SentReminder(
            recipient=recipient,
            partnership=item.partnership,
            kind=item.kind,
            key=item.key,
            stage=item.stage or "",
            sent_at=now,
        )
        for item in items
    )
    groups = {}
    for item in items:
        partnership = item.partnership
        if partnership.pk not in groups:
            groups[partnership.pk] = ReminderGroup(
                partnership=partnership,
                items=[],
                card_url=card_url(partnership),
                meeting_url=absolute_url(
                    "partnerships:meeting_create", library_pk=partnership.library_id
                ),
            )
        groups[partnership.pk].items.append(item)
    _send_notification(
        template="reminder",
        recipient=recipient,
        context={"groups": list(groups.values()), "count": len(items), "today": today},
    )


def reminders_send(*, today) -> Counter:
    """Send today's reminders: one e-mail per animator with everything not reminded yet.
    Returns the counts: `sent` e-mails, `items` in them, `failed` e-mails (logged; tried again
    on the next run)."""
    counts = Counter(sent=0, items=0, failed=0)
    for recipient, items in reminders_due(today=today):
        try:
            reminder_send(recipient=recipient, items=items, today=today)
        except Exception:  # one refused address must not stop the others
            logger.exception("Reminders to %s were not sent.", recipient.email)
            counts["failed"] += 1
        else:
            counts["sent"] += 1
            counts["items"] += len(items)
    return counts


# ----- The weekly digest to experts -----


@dataclass
class Line:
    """One line of the digest: a partnership (its library), a link to its card, and what the
    section says about it."""

    partnership: Partnership
    url: str
    day: datetime.date | None = None
    stage: Stage | None = None
    days: int | None = None
    obj: object = None
    event: str = ""


@dataclass
class Digest:
    expert: object
    since: datetime.date
    until: datetime.date  # the last day of the week reported
    partnerships: list = field(default_factory=list)
    late: list = field(default_factory=list)
    quiet: list = field(default_factory=list)
    meetings: list = field(default_factory=list)
    milestones: list = field(default_factory=list)
    agreements: list = field(default_factory=list)
    assignments: list = field(default_factory=list)

    @property
    def changes(self) -> int:
        return sum(len(getattr(self, name)) for name in CHANGES)

    @property
    def sections(self) -> list:
        """[Section] in the order the e-mail shows them."""
        return [Section(name, getattr(self, name)) for name in ("late", "quiet", *CHANGES)]


CHANGES = ("meetings", "milestones", "agreements", "assignments")


@dataclass
class Section:
    name: str
    lines: list


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of `day`'s ISO week."""
    return day - datetime.timedelta(days=day.weekday())


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def digest_recipients(*, today):
    """Active experts with an e-mail address who want the digest and have not had this
    week's."""
    return (
        User.objects.filter(groups__name=Role.EXPERT, is_active=True)
        .exclude(email="")
        .exclude(_turned_off("digest"))
        .exclude(Exists(SentDigest.objects.filter(recipient=OuterRef("pk"), week=week_of(today))))
        .order_by("email")
    )


def digests_build(*, experts, today) -> dict:
    """Expert's pk → Digest for the week before `today`; six queries for all experts."""
    since, until = today - datetime.timedelta(days=DIGEST_DAYS), today - datetime.timedelta(days=1)
    digests = {e.pk: Digest(expert=e, since=since, until=until) for e in experts}
    partnerships = _with_active_assignment(
        Partnership.objects.filter(round__start__lte=today, round__end__gte=since)
        .with_progress(today)
        .with_activity(today)
        .select_related("library", "round"),
        expert_id="animator__expert_id",
    ).filter(expert_id__in=list(digests))
    by_pk = {}
    for partnership in partnerships.order_by("library__name", "pk"):
        by_pk[partnership.pk] = partnership
        digest = digests[partnership.expert_id]
        digest.partnerships.append(partnership)
        url = card_url(partnership)
        progress = partnership.progress
        if progress.overdue:
            digest.late.append(
                Line(partnership, url, day=progress.overdue_since, stage=progress.next_stage)
            )
        if progress.quiet:
            digest.quiet.append(
                Line(
                    partnership, url, day=progress.last_meeting_on,
                    days=progress.days_since_last_meeting,
                )
            )

    window = Q(created_at__gte=_start_of(since), created_at__lt=_start_of(today))
    for meeting in (
        Meeting.objects.filter(window, partnership__in=list(by_pk))
        .select_related("logged_by")
        .order_by("date", "pk")
    ):
        partnership = by_pk[meeting.partnership_id]
        digests[partnership.expert_id].meetings.append(
            Line(partnership, card_url(partnership), day=meeting.date, obj=meeting)
        )
    for milestone in Milestone.objects.filter(
        partnership__in=list(by_pk), reached_on__range=(since, until)
    ).order_by("reached_on", "pk"):
        partnership = by_pk[milestone.partnership_id]
        digests[partnership.expert_id].milestones.append(
            Line(partnership, card_url(partnership), day=milestone.reached_on,
                 stage=Stage(milestone.stage))
        )
    for agreement in Agreement.objects.filter(
        partnership__in=list(by_pk), signed_on__range=(since, until)
    ).order_by("signed_on", "pk"):
        partnership = by_pk[agreement.partnership_id]
        digests[partnership.expert_id].agreements.append(
            Line(partnership, card_url(partnership), day=agreement.signed_on, obj=agreement)
        )

    begun = Q(assigned_at__gte=_start_of(since), assigned_at__lt=_start_of(today))
    ended = Q(ended_at__gte=_start_of(since), ended_at__lt=_start_of(today))
    for assignment in (
        Assignment.objects.filter(begun | ended, animator__expert_id__in=list(digests))
        .select_related("partnership__library", "animator__user")
        .order_by("assigned_at", "pk")
    ):
        digest = digests[assignment.animator.expert_id]
        for event, moment in (("assigned", assignment.assigned_at),
                              ("ended", assignment.ended_at)):
            if moment is not None and _start_of(since) <= moment < _start_of(today):
                digest.assignments.append(
                    Line(assignment.partnership, card_url(assignment.partnership),
                         day=timezone.localdate(moment), obj=assignment, event=event)
                )
    for digest in digests.values():
        digest.assignments.sort(key=lambda line: (line.day, line.event == "assigned"))
    return digests


@transaction.atomic
def digest_send_one(*, digest, today) -> None:
    """Record the digest of this week and e-mail it to its expert."""
    SentDigest.objects.create(
        recipient=digest.expert,
        week=week_of(today),
        partnerships=len(digest.partnerships),
        late=len(digest.late),
        quiet=len(digest.quiet),
        changes=digest.changes,
    )
    _send_notification(
        template="digest",
        recipient=digest.expert,
        context={
            "digest": digest,
            "today": today,
            "dashboard_url": absolute_url("partnerships:dashboard"),
            "quiet_days": QUIET_DAYS,
        },
    )


def digest_send(*, today) -> Counter:
    """Send this week's digest to every expert who has not had it. Returns the counts:
    `sent`, `empty` (experts with no partnership, no e-mail) and `failed` (logged; tried again
    on the next run in the same week)."""
    counts = Counter(sent=0, empty=0, failed=0)
    experts = list(digest_recipients(today=today))
    if not experts:
        return counts
    for digest in digests_build(experts=experts, today=today).values():
        if not digest.partnerships:
            counts["empty"] += 1
            continue
        try:
            digest_send_one(digest=digest, today=today)
        except Exception:  # one refused address must not stop the others
            logger.exception("The digest to %s was not sent.", digest.expert.email)
            counts["failed"] += 1
        else:
            counts["sent"] += 1
    return counts


# ----- Preferences -----


# The automatic e-mails each role gets, which the person may turn off: reminders go to
# animators, the weekly digest to CAL experts; librarians and the coordinator get neither.
OPTIONS_OF_ROLE = {Role.ANIMATOR: ("reminders",), Role.EXPERT: ("digest",)}


def notification_options(user) -> list[str]:
    """The e-mails `user` gets by their roles ("reminders", "digest"), in that order."""
    offered = {name for role, names in OPTIONS_OF_ROLE.items() if has_role(user, role)
               for name in names}
    return [name for name in ("reminders", "digest") if name in offered]


@transaction.atomic
def notification_preference_update(*, user, reminders: bool | None = None,
                                   digest: bool | None = None):
    """Turn `user`'s reminders and weekly digest on or off (the row is created on first use).
    Only the e-mails of the user's roles are changed; any other choice is ignored."""
    offered = notification_options(user)
    defaults = {
        name: value for name, value in (("reminders", reminders), ("digest", digest))
        if value is not None and name in offered
    }
    if not defaults:
        return NotificationPreference.objects.for_user(user)
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults=defaults
    )
    return preference
