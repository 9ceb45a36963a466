"""A person's private calendar feed, `/calendar/<token>.ics`, which Google, Apple and Outlook
calendars subscribe to (iCalendar, RFC 5545, written with the `icalendar` package).

What each role finds in it, from today on and at most `HORIZON_DAYS` ahead, in Polish (the
language of the programme, as its e-mails):

- **animator** — for each partnership actively assigned to them: the next meeting planned at
  the latest meeting, the joint actions planned or under way, and the first stage deadline
  still ahead (the stage to reach next; when its deadline has passed, the next stage whose
  deadline has not);
- **librarian** — the same for the partnerships of their library;
- **CAL expert** — for the partnerships of the animators they supervise (active assignments,
  rounds not ended): each stage deadline still ahead, once per round and stage, with the
  number and the list of those partnerships that have not reached the stage; and each
  partnership late today, as an event of today (it moves with the day until the partnership
  is late no more);
- **coordinator** — the same deadlines for every partnership (the number only, and a link to
  the dashboard), and one event of today with the number of late partnerships (a link to the
  list filtered to them).

A person with several roles gets the events of each. Every partnership is read through
`Partnership.objects.visible_to(user)`, so the feed shows nothing the person could not open in
the app; a withdrawn partnership has no events. The state of each partnership (stage,
deadlines ahead, late) is `partnerships.progress.Progress`'s, never computed here.

The records hold dates, not times: every event is an all-day event (`DTSTART;VALUE=DATE`),
the calendar says it is kept in Europe/Warsaw (`X-WR-TIMEZONE`). Each event links to the
partnership's card (or, for the summaries of staff, to the dashboard or the list) with an
absolute address (`settings.SITE_URL`). UIDs are built from the records, so an edit moves the
event instead of adding another: `next-meeting-<partnership>`, `joint-action-<action>`,
`deadline-<partnership>-<stage>`, `round-<round>-<stage>`, `late-<partnership>`,
`late-summary` (each `@prb`).

The feed costs a fixed number of queries whatever the data: the feed and its person, the
person's roles, the partnerships with their progress, and the joint actions.

The token is the only key (no sign-in): `calendar_feed_renew` is the one writer of tokens;
a new address replaces the old one, which answers 404 from then on.
"""

import datetime
import secrets
from dataclasses import dataclass

import icalendar
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from libraries.models import Library
from partnerships.models import (
    STAGE_ORDER,
    Assignment,
    CalendarFeed,
    JointAction,
    JointActionStatus,
    Partnership,
    Status,
)
from partnerships.notifications import absolute_url, card_url
from prb_partnerships.roles import Role, roles_of

# How far ahead the feed looks.
HORIZON_DAYS = 366
# Random bytes of a token (43 characters once encoded).
TOKEN_BYTES = 32
# How often calendar applications are asked to fetch the feed again.
REFRESH = datetime.timedelta(hours=1)
UID_DOMAIN = "prb"
PRODID = "-//PRB Partnerstwa//Kalendarz//PL"

WAITING = (JointActionStatus.PLANNED, JointActionStatus.IN_PROGRESS)


# ----- The address -----


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@transaction.atomic
def calendar_feed_renew(*, user) -> CalendarFeed:
    """Give `user` a calendar address: the first one, or a new one replacing the old (which
    answers 404 from then on). The only writer of calendar tokens."""
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": new_token()}
    )
    return feed


def feed_of_token(token: str) -> CalendarFeed | None:
    """The feed of `token` with its person, if the token is known and the account active."""
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )


def feed_url(feed: CalendarFeed) -> str:
    """The feed's absolute address (https://…/calendar/<token>.ics)."""
    return absolute_url("partnerships:calendar_feed", token=feed.token)


def webcal_url(url: str) -> str:
    """The same address as `webcal://`, which phones open in their calendar application."""
    return "webcal://" + url.split("://", 1)[-1]


# ----- What the feed contains -----


@dataclass(frozen=True)
class FeedEvent:
    """One all-day event of the feed."""

    uid: str
    day: datetime.date
    summary: str
    url: str
    description: str = ""


def _uid(*parts) -> str:
    return "-".join(str(part) for part in parts) + f"@{UID_DOMAIN}"


def _day(day: datetime.date) -> str:
    return date_format(day, "j E Y")


def feed_contents(user) -> list[str]:
    """What `user`'s feed holds, one sentence per role (the /notifications/ page says it)."""
    roles = roles_of(user)
    lines = []
    if Role.COORDINATOR in roles:
        lines.append(_("the stage deadlines of the rounds under way, with how many partnerships "
                       "have not reached each stage yet, and the number of late partnerships"))
    if Role.EXPERT in roles:
        lines.append(_("the stage deadlines and the late partnerships of the animators you "
                       "supervise"))
    if Role.ANIMATOR in roles:
        lines.append(_("the planned meetings and joint actions of your libraries and their next "
                       "stage deadlines"))
    if Role.LIBRARIAN in roles:
        lines.append(_("the planned meetings and joint actions of your library and its next "
                       "stage deadline"))
    return lines


def _partnerships(user, today):
    """The partnerships the feed speaks of, with their progress on `today` and flags of why:
    `is_animators` (actively assigned to `user`), `is_librarians` (of `user`'s library),
    `is_supervised` (actively assigned to an animator `user` supervises) — one query, inside
    `visible_to(user)`."""
    roles = roles_of(user)
    active = Assignment.objects.filter(partnership=OuterRef("pk"), ended_at__isnull=True)
    flags, scope = {}, Q(pk__in=[])
    if Role.ANIMATOR in roles:
        flags["is_animators"] = Exists(active.filter(animator__user=user))
        scope |= Q(is_animators=True)
    if Role.LIBRARIAN in roles:
        flags["is_librarians"] = Exists(
            Library.librarians.through.objects.filter(library=OuterRef("library_id"), user=user)
        )
        scope |= Q(is_librarians=True)
    if Role.EXPERT in roles:
        flags["is_supervised"] = Exists(active.filter(animator__expert=user))
    # Staff see the deadlines and the late partnerships of the rounds not ended yet.
    if Role.COORDINATOR in roles:
        scope |= Q(round__end__gte=today)
    elif Role.EXPERT in roles:
        scope |= Q(round__end__gte=today, is_supervised=True)
    return (
        Partnership.objects.visible_to(user)
        .annotate(**flags)
        .filter(scope)
        .with_progress(today)
        .select_related("library", "round")
        .order_by("round__start", "library__name", "pk")
    )


def _own_events(partnership, actions, today, horizon) -> list[FeedEvent]:
    """An animator's or a librarian's events of one partnership: the planned meeting, the joint
    actions still to be carried out, the first stage deadline still ahead."""
    progress = partnership.progress
    library = partnership.library.name
    url = card_url(partnership)
    events = []
    planned = progress.planned_meeting_on
    if planned and planned <= horizon:
        agreed = (
            _("Date agreed at the meeting of %(day)s.") % {"day": _day(progress.last_meeting_on)}
            if progress.last_meeting_on else ""
        )
        events.append(FeedEvent(
            uid=_uid("next-meeting", partnership.pk),
            day=planned,
            summary=_("Meeting — %(library)s") % {"library": library},
            url=url,
            description=agreed,
        ))
    for action in actions:
        lines = [str(action.get_status_display()).capitalize() + "."]
        if action.description:
            lines.append(action.description)
        events.append(FeedEvent(
            uid=_uid("joint-action", action.pk),
            day=action.planned_on,
            summary=_("Joint action — %(title)s (%(library)s)")
            % {"title": action.title, "library": library},
            url=url,
            description="\n".join(lines),
        ))
    ahead = progress.deadlines_ahead((horizon - today).days)
    if ahead:
        stage, deadline = ahead[0]
        events.append(FeedEvent(
            uid=_uid("deadline", partnership.pk, stage.value),
            day=deadline,
            summary=_("Deadline of stage %(rank)d of %(stages)d — %(library)s")
            % {"rank": stage.rank, "stages": len(STAGE_ORDER), "library": library},
            url=url,
            description=_("To reach: %(stage)s.") % {"stage": stage.label}
            + "\n" + _("So far: %(state)s.") % {"state": progress.stage_text},
        ))
    return events


def _late_event(partnership) -> FeedEvent:
    progress = partnership.progress
    return FeedEvent(
        uid=_uid("late", partnership.pk),
        day=progress.as_of,
        summary=_("Late: %(library)s (%(state)s)")
        % {"library": partnership.library.name, "state": progress.next_stage_text},
        url=card_url(partnership),
        description=_("So far: %(state)s.") % {"state": progress.stage_text},
    )


def _deadline_events(partnerships, today, horizon, *, listed: bool) -> list[FeedEvent]:
    """One event per round and stage whose deadline is ahead, with the partnerships of
    `partnerships` that have not reached the stage (listed with their cards when `listed`)."""
    waiting = {}
    for partnership in partnerships:
        for stage, deadline in partnership.progress.deadlines_ahead((horizon - today).days):
            key = (partnership.round_id, stage, deadline)
            waiting.setdefault(key, []).append(partnership)
    events = []
    dashboard = absolute_url("partnerships:dashboard")
    for (round_id, stage, deadline), group in waiting.items():
        number = len(group)
        lines = [_("To reach: %(stage)s.") % {"stage": stage.label}]
        if listed:
            lines += [f"– {p.library.name} ({p.progress.stage_text}): {card_url(p)}" for p in group]
        events.append(FeedEvent(
            uid=_uid("round", round_id, stage.value),
            day=deadline,
            summary=ngettext(
                "Deadline of stage %(rank)d of %(stages)d: %(number)d partnership has not "
                "reached it yet",
                "Deadline of stage %(rank)d of %(stages)d: %(number)d partnerships have not "
                "reached it yet",
                number,
            ) % {"rank": stage.rank, "stages": len(STAGE_ORDER), "number": number},
            url=dashboard,
            description="\n".join(lines),
        ))
    return events


def feed_events(user, today: datetime.date | None = None) -> list[FeedEvent]:
    """The events of `user`'s feed on `today` (default: today), soonest first."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=HORIZON_DAYS)
    roles = roles_of(user)
    partnerships = [
        p for p in _partnerships(user, today) if p.progress.status != Status.WITHDRAWN
    ]
    own = [p for p in partnerships if getattr(p, "is_animators", False)
           or getattr(p, "is_librarians", False)]
    actions = {}
    if own:
        for action in JointAction.objects.filter(
            partnership__in=[p.pk for p in own],
            status__in=WAITING,
            planned_on__range=(today, horizon),
        ).order_by("planned_on", "pk"):
            actions.setdefault(action.partnership_id, []).append(action)

    events = {}

    def add(new):
        for event in new:
            events.setdefault(event.uid, event)

    for partnership in own:
        add(_own_events(partnership, actions.get(partnership.pk, []), today, horizon))
    under_way = [p for p in partnerships if p.round.end >= today]
    supervised = [p for p in under_way if getattr(p, "is_supervised", False)]
    if Role.EXPERT in roles:
        add(_late_event(p) for p in supervised if p.progress.overdue)
    if Role.COORDINATOR in roles:
        add(_deadline_events(under_way, today, horizon, listed=False))
        late = sum(1 for p in under_way if p.progress.overdue)
        if late:
            add([FeedEvent(
                uid=_uid("late-summary"),
                day=today,
                summary=ngettext(
                    "%(number)d partnership late", "%(number)d partnerships late", late
                ) % {"number": late},
                url=absolute_url("libraries:library_list") + "?status=" + Status.LATE.value,
            )])
    elif Role.EXPERT in roles:
        add(_deadline_events(supervised, today, horizon, listed=True))
    return sorted(events.values(), key=lambda e: (e.day, e.summary, e.uid))


# ----- The iCalendar text -----


def feed_calendar(user, today: datetime.date | None = None) -> icalendar.Calendar:
    """`user`'s feed as an iCalendar calendar, in Polish."""
    with translation.override(settings.LANGUAGE_CODE):
        calendar = icalendar.Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.calendar_name = _("PRB Partnerships: meetings and deadlines")
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", icalendar.vDuration(REFRESH).to_ical().decode())
        stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
        for item in feed_events(user, today):
            event = icalendar.Event()
            event.add("uid", item.uid)
            event.add("dtstamp", stamp)
            event.add("dtstart", item.day)
            event.add("dtend", item.day + datetime.timedelta(days=1))
            event.add("summary", item.summary)
            description = "\n".join(filter(None, [item.description, item.url]))
            event.add("description", description)
            event.add("url", item.url)
            event.add("transp", "TRANSPARENT")
            calendar.add_component(event)
    return calendar


def feed_ical(user, today: datetime.date | None = None) -> bytes:
    return feed_calendar(user, today).to_ical()


def notification_context(user) -> dict:
    """What the "calendar on your phone" section of /notifications/ shows: the person's feed
    (None before the first address is made), its address, the `webcal://` form of it, and
    what the feed holds for the person's roles."""
    feed = CalendarFeed.objects.filter(user=user).first()
    url = feed_url(feed) if feed else ""
    return {
        "calendar_feed": feed,
        "calendar_url": url,
        "calendar_webcal_url": webcal_url(url) if url else "",
        "calendar_contents": feed_contents(user),
        "calendar_renew_url": reverse("partnerships:calendar_feed_renew"),
    }
