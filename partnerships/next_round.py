"""The next round built on this one.

- **Proposal** (`round_propose_next`): the previous round's dates and seven deadlines laid out
  again a year later (or from a chosen start) — month-ends stay month-ends, so a March–September
  round becomes the next March–September round; its name with the year (and a round number in
  Roman numerals) moved on; the libraries carried over: the lead libraries of its partnerships
  that did not withdraw.
- **Creation** (`round_create_next`): the new round and one partnership per library chosen,
  each linked to the library's partnership of the previous round (`Partnership.previous`), in
  one transaction; nothing of the previous round changes. A round has at most one round built
  on it: sending the form again creates nothing (`services.AlreadySaved`).
- **Known partners** (`card_context`, `partner_initial`): a partnership built on the previous
  one offers that one's partners to invite again, the partner form pre-filled from one of them.
- **The previous animator first** (`with_previous_animator`): the assignment board's proposal
  (`proposal.propose`) prefers the animator who supported the library in the previous round.
- **Two rounds on the same day** (`compare_rounds`): for the dashboard, the share of the
  partnerships at each stage or further on the same day of the round, in the round shown and
  in the round before it.
"""

import calendar
import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Subquery, Value
from django.db.models.functions import Concat
from django.http import Http404
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from libraries.models import LibraryKind
from partnerships.models import (
    STAGE_ORDER,
    Assignment,
    Partner,
    Partnership,
    Round,
    Stage,
    Status,
)
from partnerships.services import AlreadySaved
from prb_partnerships.collation import polish
from prb_partnerships.roles import STAFF_ROLES, Role, has_role

DEADLINES = [f"deadline_{stage.value}" for stage in STAGE_ORDER]
DATE_FIELDS = ["start", "end", *DEADLINES]
ROUND_FIELDS = ["name", *DATE_FIELDS]


class NextRoundError(Exception):
    """The next round cannot be created as asked: `problems` are (field name or None, message)
    pairs, the messages for the person who filled in the form."""

    def __init__(self, problems):
        super().__init__(problems)
        self.problems = problems


# ----- The dates and the name, laid out from the previous round's -----


def _month_end(day: datetime.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; a month's last day stays its month's last day (31 March →
    30 April), a day the month lacks becomes its last day (29 February → 28 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, last if _month_end(day) else min(day.day, last))


def shifter(old_start: datetime.date, new_start: datetime.date):
    """How the previous round's dates move when it starts again on `new_start`: by whole
    months when that lands exactly on `new_start` (the same day of a month: the deadlines at
    month-ends stay at month-ends), else by the same number of days."""
    months = (new_start.year - old_start.year) * 12 + new_start.month - old_start.month
    if add_months(old_start, months) == new_start:
        return lambda day: add_months(day, months)
    delta = new_start - old_start
    return lambda day: day + delta


ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
ROMAN_WORD = re.compile(r"\b[IVXLC]+\b")
YEAR_WORD = re.compile(r"\b(19|20)\d\d\b")
NUMBER_AT_END = re.compile(r"\b(\d{1,3})$")


def _from_roman(text: str) -> int:
    values = [ROMAN[letter] for letter in text]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _to_roman(number: int) -> str:
    parts = []
    for value, letters in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"),
                           (5, "V"), (4, "IV"), (1, "I")):
        count, number = divmod(number, value)
        parts.append(letters * count)
    return "".join(parts)


def next_name(name: str, years: int) -> str:
    """The previous round's name moved on: its years by `years`, and its number (the first
    Roman numeral, else a number at the end that is not a year) by one — "Runda II 2026" →
    "Runda III 2027". A name with neither gets the new years in brackets from the caller."""
    moved = YEAR_WORD.sub(lambda m: str(int(m.group()) + years), name)
    if numeral := ROMAN_WORD.search(moved):
        value = _from_roman(numeral.group())
        if _to_roman(value) == numeral.group():  # a well-formed numeral, not a stray letter
            return moved[: numeral.start()] + _to_roman(value + 1) + moved[numeral.end():]
    if (number := NUMBER_AT_END.search(moved)) and not YEAR_WORD.fullmatch(number.group()):
        return moved[: number.start()] + str(int(number.group()) + 1)
    return moved


@dataclass
class NextRoundProposal:
    """What the form of the next round opens with."""

    previous_round: Round
    fields: dict  # name, start, end and the seven deadlines
    carried_over: list  # the previous round's partnerships that continue, by voivodeship
    withdrawn: list = field(default_factory=list)  # those that do not (withdrawn)


def round_propose_next(previous_round, start: datetime.date | None = None) -> NextRoundProposal:
    """The next round as proposed from `previous_round`: the same pattern of dates a year
    later, or from `start`; the name moved on; the libraries carried over (one query for them,
    one to check the name proposed is free)."""
    new_start = start or add_months(previous_round.start, 12)
    move = shifter(previous_round.start, new_start)
    fields = {name: move(getattr(previous_round, name)) for name in DATE_FIELDS}
    years = fields["start"].year - previous_round.start.year
    name = next_name(previous_round.name, years)
    if name == previous_round.name or Round.objects.filter(name__iexact=name).exists():
        name = f"{previous_round.name} ({fields['start'].year})"
    fields["name"] = name[: Round._meta.get_field("name").max_length]
    partnerships = list(
        Partnership.objects.filter(round=previous_round, library__kind=LibraryKind.LEAD)
        .with_progress()
        .select_related("library__voivodeship")
        .annotate(voivodeship_sort=polish("library__voivodeship__name"),
                  library_sort=polish("library__name"))
        .order_by("voivodeship_sort", "library_sort", "pk")
    )
    return NextRoundProposal(
        previous_round=previous_round,
        fields=fields,
        carried_over=[p for p in partnerships if p.withdrawn_on is None],
        withdrawn=[p for p in partnerships if p.withdrawn_on is not None],
    )


def _day(day: datetime.date) -> str:
    return date_format(day, "j E Y")


def round_problems(fields: dict, *, previous_round) -> list[tuple[str | None, str]]:
    """What is wrong with the next round's name and dates (those given: a field missing from
    `fields` is left to its own error): (field or None, message) pairs, none when it can be
    created. The rules of `Round`'s constraints, said for people, and two more: the next
    round starts after the previous one ends and overlaps no round."""
    problems = []
    name = (fields.get("name") or "").strip()
    if name and Round.objects.filter(name__iexact=name).exists():
        problems.append(("name", _("A round of this name already exists; choose another name.")))
    start, end = fields.get("start"), fields.get("end")
    if start and end and end <= start:
        problems.append(("end", _("The round must end after it starts.")))
        return problems
    if start and start <= previous_round.end:
        problems.append((
            "start",
            _("The next round starts after %(round)s ends (%(end)s).")
            % {"round": previous_round.name, "end": _day(previous_round.end)},
        ))
    if start and end:
        overlapping = (
            Round.objects.filter(start__lte=end, end__gte=start).exclude(pk=previous_round.pk)
            .order_by("start").first()
        )
        if overlapping is not None:
            problems.append((
                None,
                _("These dates overlap the round %(round)s (%(start)s – %(end)s); rounds do "
                  "not overlap.")
                % {"round": overlapping.name, "start": _day(overlapping.start),
                   "end": _day(overlapping.end)},
            ))
        before = None
        for stage, name in zip(STAGE_ORDER, DEADLINES, strict=True):
            deadline = fields.get(name)
            if deadline is None:
                continue
            if not start <= deadline <= end:
                problems.append((
                    name,
                    _("The deadline must fall within the round: from %(start)s to %(end)s.")
                    % {"start": _day(start), "end": _day(end)},
                ))
            elif before is not None and deadline < before[1]:
                problems.append((
                    name,
                    _("This deadline comes before the deadline of the stage before it "
                      "(%(stage)s: %(day)s); the deadlines follow the order of the stages.")
                    % {"stage": before[0].label, "day": _day(before[1])},
                ))
            before = (stage, deadline)
    return problems


# ----- The creation -----


def next_round_of(round_):
    """The round built on `round_` (one of its partnerships is the `previous` of one of
    that round's), or None."""
    return (
        Round.objects.filter(partnerships__previous__round=round_).order_by("start").first()
    )


@transaction.atomic
def round_create_next(*, previous_round, fields, libraries, by) -> Round:
    """Create the round built on `previous_round`: `fields` (name, start, end, the seven
    deadlines) and one partnership for each of `libraries` (libraries or their ids, among
    those carried over), linked to the library's partnership of `previous_round` and in the
    change history as added by `by`. All or nothing; nothing of `previous_round` changes.

    Raises NextRoundError with what is wrong (`round_problems`, no library, a library not
    carried over), and AlreadySaved(the round) when a round was built on `previous_round`
    already (the form sent twice)."""
    # Two submits of the same form are served one after the other: the second finds the first.
    Round.objects.select_for_update().filter(pk=previous_round.pk).first()
    if (existing := next_round_of(previous_round)) is not None:
        raise AlreadySaved(existing)
    fields = {name: fields[name] for name in ROUND_FIELDS}
    fields["name"] = fields["name"].strip()
    problems = round_problems(fields, previous_round=previous_round)
    continuing = {
        p.library_id: p
        for p in Partnership.objects.filter(
            round=previous_round, withdrawn_on__isnull=True, library__kind=LibraryKind.LEAD
        )
    }
    wanted = {getattr(library, "pk", library) for library in libraries}
    if not wanted:
        problems.append((None, _("Tick at least one library to carry over.")))
    elif wanted - continuing.keys():
        problems.append((
            None,
            _("Only the libraries of %(round)s that have not withdrawn can be carried over.")
            % {"round": previous_round.name},
        ))
    if problems:
        raise NextRoundError(problems)
    try:
        with transaction.atomic():
            new_round = Round.objects.create(**fields)
    except IntegrityError:  # the same name, saved meanwhile by someone else
        raise NextRoundError(
            [("name", _("A round of this name already exists; choose another name."))]
        ) from None
    for library_id in sorted(wanted):
        partnership = Partnership(
            library_id=library_id, round=new_round, previous=continuing[library_id]
        )
        partnership._history_user = by
        partnership.save()
    return new_round


# ----- The previous animator, first in the assignment board's proposal -----


def _last_assignment(partnership):
    """The last assignment of `partnership` (an OuterRef): the active one, else the latest."""
    return Assignment.objects.filter(partnership=partnership).order_by(
        F("ended_at").desc(nulls_first=True), "-assigned_at", "-pk"
    )


def previous_animator_id(partnership):
    """The animator of the last assignment of `partnership.previous` (one query), or None."""
    return (
        _last_assignment(partnership.previous_id).values_list("animator_id", flat=True).first()
    )


def with_previous_animator(queryset):
    """Annotate `previous_animator_id`: the animator of the last assignment (the active one,
    else the latest) of each partnership's `previous` — a subquery, no extra query."""
    last = _last_assignment(OuterRef("previous_id")).values("animator_id")[:1]
    return queryset.annotate(previous_animator_id=Subquery(last))


# ----- The card: the previous partnership and its partners, to invite again -----


LIST_ROLES = (*STAFF_ROLES, Role.ANIMATOR)


def card_context(partnership, user) -> dict:
    """What the card (templates/partnerships/_card_previous.html) shows of the library's
    partnership in the previous round: that partnership in one line (`previous_partnership`,
    with its progress and its last animator), its partners (`known_partners`: each with
    `added` when a partner of the same name is already in this partnership) and the address
    of the list of that round showing it (`previous_list_url`), for those whose list shows
    it. Nothing without a previous partnership; else two queries, whatever the partners."""
    if partnership.previous_id is None:
        return {}
    last = _last_assignment(OuterRef("pk")).annotate(
        full=Concat("animator__user__first_name", Value(" "), "animator__user__last_name")
    )
    previous = (
        Partnership.objects.filter(pk=partnership.previous_id)
        .with_progress()
        .annotate(
            animator_name=Subquery(last.values("full")[:1]),
            visible=Exists(Partnership.objects.visible_to(user).filter(pk=OuterRef("pk"))),
        )
        .select_related("library", "round")
        .get()
    )
    present = {p.name.strip().casefold() for p in partnership.partners.all()}
    known = [
        {"partner": partner, "added": partner.name.strip().casefold() in present}
        for partner in Partner.objects.filter(partnership=previous).order_by("name", "pk")
    ]
    list_url = None
    if previous.visible and has_role(user, *LIST_ROLES):
        query = urlencode({"round": previous.round_id, "q": previous.library.name})
        list_url = f"{reverse('libraries:library_list')}?{query}"
    return {
        "previous_partnership": previous,
        "previous_status": Status(previous.status).label,
        "known_partners": known,
        "known_partners_to_invite": sum(1 for item in known if not item["added"]),
        "previous_list_url": list_url,
    }


def partner_initial(partnership, value) -> dict | None:
    """The partner form's first values from `?from_previous=<partner id>`: the name, sector
    and contact of that partner of `partnership.previous`; None without the parameter; 404
    for a partner of any other partnership (or a forged value)."""
    if value is None:
        return None
    if not value.isdigit() or partnership.previous_id is None:
        raise Http404
    partner = Partner.objects.filter(pk=int(value), partnership_id=partnership.previous_id).first()
    if partner is None:
        raise Http404
    return {
        "name": partner.name,
        "sector": partner.sector,
        "contact_person": partner.contact_person,
        "email": partner.email,
        "phone": partner.phone,
    }


# ----- The dashboard: two rounds on the same day of the round -----


def _shares(states) -> tuple[int, list[tuple[int, int | None]]]:
    """(partnerships counted, [(count, share in % or None) at each stage or further]) of
    (stage rank, status) pairs; withdrawn partnerships are left out."""
    ranks = [rank for rank, status in states if status != Status.WITHDRAWN]
    total = len(ranks)
    rows = []
    for stage in STAGE_ORDER:
        count = sum(1 for rank in ranks if rank >= stage.rank)
        rows.append((count, round(100 * count / total) if total else None))
    return total, rows


def compare_rounds(*, round_, as_of, partnerships, expert=None) -> dict | None:
    """The dashboard's comparison of `round_` on `as_of` with the round it was built on (the
    round of its partnerships' `previous`) on the same day of that round (day 1 is each
    round's start; the previous round's last day when it was shorter): per stage, the share of
    the partnerships at that stage or further, withdrawn ones left out. `partnerships` are
    those the dashboard shows (with their progress on `as_of`); in an expert's scope the
    previous round's are those of the animators she supervises.

    None, without a query, when none of `partnerships` was built on an earlier one (the first
    round, a round added by hand); else two queries, whatever the numbers."""
    linked = next((p.previous_id for p in partnerships if p.previous_id), None)
    if linked is None:
        return None
    previous = Round.objects.filter(partnerships__pk=linked).first()
    day = max((as_of - round_.start).days, 0)
    previous_as_of = min(previous.start + datetime.timedelta(days=day), previous.end)
    earlier = Partnership.objects.filter(round=previous)
    if expert is not None:
        earlier = earlier.filter(Assignment.objects.active_exists(animator__expert=expert))
    now_total, now = _shares((p.stage_rank, p.status) for p in partnerships)
    before_total, before = _shares(
        earlier.with_progress(previous_as_of).values_list("stage_rank", "status")
    )
    rows = [
        {"stage": stage, "now": now[i][1], "now_count": now[i][0], "before": before[i][1],
         "before_count": before[i][0]}
        for i, stage in enumerate(STAGE_ORDER)
    ]
    # The stage said in one sentence: the last one whose deadline has passed by that day (the
    # one every partnership should have reached), else the first.
    due = [stage for stage, deadline in round_.deadlines.items() if deadline < as_of]
    headline = rows[(due[-1] if due else Stage.DIAGNOSIS).rank - 1]
    return {
        "previous": previous,
        "day": day + 1,
        "as_of": as_of,
        "previous_as_of": previous_as_of,
        "previous_ended": previous.start + datetime.timedelta(days=day) > previous.end,
        "rows": rows,
        "headline": headline,
        "now_total": now_total,
        "before_total": before_total,
    }
