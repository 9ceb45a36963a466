"""Demo data: `seed_demo()`, called by `manage.py seed_demo`.

What it makes at scale 1 (and N times as much at scale N, except the voivodeships and the
coordinator): 128 lead libraries, 8 in each of the 16 voivodeships (these come from migration
libraries 0002), one librarian per library, 32 animators, 4 CAL experts, 1 coordinator, and in
the demo round one partnership per library with an animator assigned and the activity of the
round so far: partners, meetings, milestones, agreements and joint actions.

Idempotent: everything is keyed by a natural key (user e-mail, TERC code, round name), and the
activity of a partnership is generated only by the run that creates the partnership, so a
second run creates nothing and takes a few queries. Users, libraries and animators that exist
are left as they are (a missing group membership, e-mail address or librarian link is added).

Deterministic: every random choice comes from a generator seeded with the object's natural key,
so the data depend neither on the order of creation nor on `scale` (`--scale 2` on top of
`--scale 1` gives the same data as `--scale 2` on an empty database).

The round so far is simulated as of `today`: nothing is dated after it. Most partnerships reach
each stage before its deadline, some are late (a deadline has passed and its stage is not
reached), a few are stalled (no meeting for 30+ days), two in 128 have withdrawn and four in 128
changed animator. Facts and milestones agree: the `first_meeting` milestone is the first
partnership meeting, the `agreement` milestone is the signed agreement, the `joint_action`
milestone is the first joint action done.

Partners not yet invited (a partnership still at the diagnosis) have no `joined_on` date: they
are the map of potential partners. Demo e-mail addresses all end in @example.org.
"""

import datetime
import random
import re
from collections import Counter
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from animators.models import Animator
from libraries.models import GminaType, Library, LibraryKind, Voivodeship
from partnerships.models import (
    STAGE_ORDER,
    Agreement,
    AgreementKind,
    Assignment,
    GoodPractice,
    JointAction,
    JointActionStatus,
    Meeting,
    MeetingKind,
    Milestone,
    Partner,
    Partnership,
    Round,
    Sector,
    Stage,
    Status,
    default_round_dates,
)
from prb_partnerships import freshness
from prb_partnerships.roles import Role

DEFAULT_PASSWORD = "prb-demo-2026"
SEED = "prb-demo-2026"

LIBRARIES = 128
ANIMATORS = 32
EXPERTS = 4
LIBRARIES_PER_ANIMATOR = LIBRARIES // ANIMATORS
ANIMATORS_PER_EXPERT = ANIMATORS // EXPERTS
LIBRARIES_PER_BLOCK = 8  # consecutive libraries in one voivodeship
STALLED_AFTER_DAYS = 30

COORDINATOR_EMAIL = "koordynator@example.org"

DAY = datetime.timedelta(days=1)


def expert_email(number: int) -> str:
    return f"ekspert{number}@example.org"


def animator_email(number: int) -> str:
    return f"animator{number:02d}@example.org"


def librarian_email(number: int) -> str:
    return f"biblioteka{number:03d}@example.org"


class DemoDataError(Exception):
    """The database is not ready for demo data (e.g. migrations not run)."""


@dataclass
class SeedResult:
    round: Round
    today: datetime.date
    created: Counter = field(default_factory=Counter)
    passwords_set: int = 0
    status_counts: dict = field(default_factory=dict)


# --- the round ------------------------------------------------------------------------------


def demo_round_start(today: datetime.date) -> datetime.date:
    """1 March of this year when `today` is in March–September; otherwise the 1st of the month
    four months before, so that `today` falls in the fifth of the round's seven months."""
    if datetime.date(today.year, 3, 1) <= today <= datetime.date(today.year, 9, 30):
        return datetime.date(today.year, 3, 1)
    month_index = today.year * 12 + today.month - 1 - 4
    return datetime.date(month_index // 12, month_index % 12 + 1, 1)


def demo_round_name(start: datetime.date, end: datetime.date) -> str:
    if start.month == 3:
        return f"Runda II {start.year}"
    return (
        f"Runda demonstracyjna {MONTHS[start.month - 1]} {start.year} – "
        f"{MONTHS[end.month - 1]} {end.year}"
    )


def _ensure_round(today, created) -> Round:
    dates = default_round_dates(demo_round_start(today))
    round_, was_created = Round.objects.get_or_create(
        name=demo_round_name(dates["start"], dates["end"]), defaults=dates
    )
    created["rounds"] += was_created
    return round_


# --- people ---------------------------------------------------------------------------------


def _rng(*key) -> random.Random:
    """A generator seeded by a natural key (string seeds are stable across processes)."""
    return random.Random(":".join([SEED, *map(str, key)]))


def _feminine(surname: str) -> str:
    if surname.endswith(("ski", "cki", "dzki", "czny")):
        return surname[:-1] + "a"
    return surname


def _person(rng: random.Random, female_share: float) -> tuple[str, str, bool]:
    female = rng.random() < female_share
    first = rng.choice(FIRST_NAMES_FEMALE if female else FIRST_NAMES_MALE)
    last = rng.choice(SURNAMES)
    return first, _feminine(last) if female else last, female


_ASCII = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


def _slug(text: str, sep: str = "-") -> str:
    return re.sub(r"[^a-z0-9]+", sep, text.translate(_ASCII).lower()).strip(sep)


@dataclass(frozen=True)
class _UserSpec:
    email: str
    role: Role
    first_name: str
    last_name: str

    @property
    def is_staff(self):
        return self.role in (Role.COORDINATOR, Role.EXPERT)


def _user_spec(email: str, role: Role, female_share: float) -> _UserSpec:
    first, last, _female = _person(_rng("user", email), female_share)
    return _UserSpec(email, role, first, last)


def _user_specs(scale: int) -> list[_UserSpec]:
    return [
        _user_spec(COORDINATOR_EMAIL, Role.COORDINATOR, 1.0),
        *[_user_spec(expert_email(n), Role.EXPERT, 0.9) for n in _numbers(EXPERTS, scale)],
        *[_user_spec(animator_email(n), Role.ANIMATOR, 0.7) for n in _numbers(ANIMATORS, scale)],
        *[
            _user_spec(librarian_email(n), Role.LIBRARIAN, 0.92)
            for n in _numbers(LIBRARIES, scale)
        ],
    ]


def _numbers(per_scale: int, scale: int) -> range:
    return range(1, per_scale * scale + 1)


def _ensure_users(specs, password, result) -> dict[str, int]:
    """Create the missing demo users; give every demo user its role, an e-mail address and the
    demo password. Returns e-mail → user id."""
    User = get_user_model()
    wanted = {spec.email for spec in specs}
    users = {}
    for user in User.objects.filter(Q(username__in=wanted) | Q(email__in=wanted)).order_by("pk"):
        users.setdefault(user.username if user.username in wanted else user.email, user)

    # One hash for all demo users: unchanged when it already is the hash of `password`.
    hashes = {user.password for user in users.values()}
    if len(hashes) == 1 and check_password(password, next(iter(hashes))):
        encoded = hashes.pop()
    else:
        encoded = make_password(password)
        User.objects.filter(pk__in=[user.pk for user in users.values()]).update(password=encoded)
        result.passwords_set += len(users)

    new_users = [
        User(
            username=spec.email,
            email=spec.email,
            first_name=spec.first_name,
            last_name=spec.last_name,
            password=encoded,
            is_staff=spec.is_staff,
        )
        for spec in specs
        if spec.email not in users
    ]
    User.objects.bulk_create(new_users)
    users.update({user.email: user for user in new_users})
    result.created["users"] += len(new_users)
    result.passwords_set += len(new_users)
    ids = {email: user.pk for email, user in users.items()}

    User.objects.filter(
        pk__in=[ids[spec.email] for spec in specs if spec.is_staff], is_staff=False
    ).update(is_staff=True)

    groups = dict(Group.objects.filter(name__in=list(Role)).values_list("name", "pk"))
    if len(groups) != len(Role):
        raise DemoDataError("The role groups are missing: run `manage.py migrate` first.")
    Membership = User.groups.through
    member = set(
        Membership.objects.filter(user_id__in=ids.values()).values_list("user_id", "group_id")
    )
    Membership.objects.bulk_create(
        Membership(user_id=ids[spec.email], group_id=groups[spec.role])
        for spec in specs
        if (ids[spec.email], groups[spec.role]) not in member
    )

    with_address = set(
        EmailAddress.objects.filter(user_id__in=ids.values()).values_list("user_id", flat=True)
    )
    taken = set(EmailAddress.objects.filter(email__in=wanted).values_list("email", flat=True))
    EmailAddress.objects.bulk_create(
        EmailAddress(user_id=ids[spec.email], email=spec.email, verified=True, primary=True)
        for spec in specs
        if ids[spec.email] not in with_address and spec.email not in taken
    )
    return ids


# --- geography ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    name: str  # nominative: "Lipnik Górny"
    locative: str  # after "w": "Lipniku Górnym"


@dataclass(frozen=True)
class _LibrarySpec:
    number: int
    voivodeship: str
    terc: str
    gmina: str
    gmina_type: str
    powiat: str
    seat: _Place
    name: str
    address: str
    postal_code: str
    email: str
    phone: str


def _adjective(stem: str, gender: str, locative: bool) -> str:
    """"Górn" → Górna/Górny/Górne, after "w": Górnej/Górnym/Górnych; "Wielk" → Wielki…"""
    soft = stem.endswith(("k", "g"))
    y = "i" if soft else "y"
    if locative:
        endings = {"f": "iej" if soft else "ej", "m": y + "m", "n": y + "m", "pl": y + "ch"}
    else:
        e = "ie" if soft else "e"
        endings = {"f": "a", "m": y, "n": e, "pl": e}
    return stem + endings[gender]


def _village_pool() -> list[_Place]:
    """Village names in the Polish pattern: a stem, alone or with an adjective that agrees."""
    pool = []
    for name, locative, gender in VILLAGE_STEMS:
        pool.append(_Place(name, locative))
        for stem in VILLAGE_SUFFIXES:
            pool.append(
                _Place(
                    f"{name} {_adjective(stem, gender, False)}",
                    f"{locative} {_adjective(stem, gender, True)}",
                )
            )
        for stem in VILLAGE_PREFIXES:
            pool.append(
                _Place(
                    f"{_adjective(stem, gender, False)} {name}",
                    f"{_adjective(stem, gender, True)} {locative}",
                )
            )
    return pool


class _Geography:
    """Where library number n lies: blocks of 8 consecutive libraries per voivodeship, real
    gminas from GMINAS first, then villages from the name pool (in the same powiats)."""

    def __init__(self):
        self.codes = sorted(GMINAS)
        pool = _village_pool()
        self.fallback = {}
        self.powiat_codes = {}
        self.powiat_slots = {}
        for code, entries in GMINAS.items():
            real = {entry[0] for entry in entries}
            names = [place for place in pool if place.name not in real]
            _rng("villages", code).shuffle(names)
            self.fallback[code] = names
            powiats = list(dict.fromkeys(entry[2] for entry in entries))
            self.powiat_codes[code] = {powiat: n for n, powiat in enumerate(powiats, start=1)}
            slots = {}
            for entry in entries:
                slots.setdefault(entry[2], []).append(entry[0])
            self.powiat_slots[code] = slots

    def library(self, number: int) -> _LibrarySpec:
        block = (number - 1) // LIBRARIES_PER_BLOCK
        code = self.codes[block % len(self.codes)]
        index = (block // len(self.codes)) * LIBRARIES_PER_BLOCK + (
            (number - 1) % LIBRARIES_PER_BLOCK
        )
        entries = GMINAS[code]
        gmina, locative, powiat, gmina_type = entries[index % len(entries)]
        cycle = index // len(entries)
        rng = _rng("library", code, index)
        if cycle:
            seat = self.fallback[code][(index - len(entries)) % len(self.fallback[code])]
            gmina, locative = seat.name, seat.locative
            gmina_type = rng.choices(["2", "3", "1"], weights=[62, 33, 5])[0]
        slots = self.powiat_slots[code][powiat]
        gmina_number = cycle * len(slots) + slots.index(entries[index % len(entries)][0]) + 1
        if gmina_number > 99:
            raise DemoDataError("The scale is too large for the demo's TERC codes (max. 50).")
        terc = f"{code}{self.powiat_codes[code][powiat]:02d}{gmina_number:02d}{gmina_type}"
        seat = _Place(gmina, locative)
        template = rng.choices(*zip(*LIBRARY_NAMES[gmina_type], strict=True))[0]
        if gmina_type == GminaType.URBAN or rng.random() < 0.45:
            street = f"{rng.choice(STREETS)} {rng.randint(1, 40)}"
        else:
            street = f"{gmina} {rng.randint(1, 150)}"
        return _LibrarySpec(
            number=number,
            voivodeship=code,
            terc=terc,
            gmina=gmina,
            gmina_type=gmina_type,
            powiat=powiat,
            seat=seat,
            name=template.format(loc=locative, gmina=gmina, patron=rng.choice(PATRONS)),
            address=street,
            postal_code=f"{rng.choice(POSTAL_PREFIXES[code])}-{rng.randint(100, 999)}",
            email=f"biblioteka.{_slug(gmina, '.')}@example.org",
            phone=(
                f"+48 {rng.choice(AREA_CODES[code])} {rng.randint(200, 899)} "
                f"{rng.randint(10, 99)} {rng.randint(10, 99)}"
            ),
        )

    def villages(self, spec: _LibrarySpec) -> list[_Place]:
        """The seat and a few villages of the gmina (where schools, OSP, KGW… are)."""
        if spec.gmina_type == GminaType.URBAN:
            return [spec.seat]
        rng = _rng("villages", spec.terc)
        others = [v for v in rng.sample(self.fallback[spec.voivodeship], 5) if v != spec.seat]
        return [spec.seat, *others[:4]]


def _ensure_libraries(specs, librarian_ids, voivodeships, result) -> dict[int, int]:
    """Create the missing libraries (keyed by TERC) and link their librarians.
    Returns library number → library id."""
    if set(voivodeships) != set(GMINAS):
        raise DemoDataError(
            "Expected the 16 voivodeships of migration libraries 0002: run `manage.py migrate`."
        )
    existing = dict(
        Library.objects.filter(terc__in=[spec.terc for spec in specs]).values_list("terc", "pk")
    )
    new = [
        Library(
            name=spec.name,
            kind=LibraryKind.LEAD,
            voivodeship_id=spec.voivodeship,
            terc=spec.terc,
            gmina=spec.gmina,
            gmina_type=spec.gmina_type,
            powiat=spec.powiat,
            town=spec.seat.name,
            address=spec.address,
            postal_code=spec.postal_code,
            email=spec.email,
            phone=spec.phone,
        )
        for spec in specs
        if spec.terc not in existing
    ]
    Library.objects.bulk_create(new)
    existing.update({library.terc: library.pk for library in new})
    result.created["libraries"] += len(new)
    ids = {spec.number: existing[spec.terc] for spec in specs}

    Link = Library.librarians.through
    linked = set(
        Link.objects.filter(library_id__in=ids.values()).values_list("library_id", "user_id")
    )
    Link.objects.bulk_create(
        Link(library_id=ids[spec.number], user_id=librarian_ids[spec.number])
        for spec in specs
        if (ids[spec.number], librarian_ids[spec.number]) not in linked
    )
    return ids


def _ensure_animators(scale, user_ids, geography, voivodeships, result) -> dict[int, Animator]:
    """Create the missing animators: 8 per expert, working in the voivodeship of their four
    libraries (and, for some, a neighbouring one). Returns animator number → Animator."""
    numbers = _numbers(ANIMATORS, scale)
    existing = {
        animator.user_id: animator
        for animator in Animator.objects.filter(
            user_id__in=[user_ids[animator_email(n)] for n in numbers]
        )
    }
    new, regions = [], []
    for n in numbers:
        user_id = user_ids[animator_email(n)]
        if user_id in existing:
            continue
        rng = _rng("animator", n)
        home = geography.library((n - 1) * LIBRARIES_PER_ANIMATOR + 1).voivodeship
        codes = [home]
        if rng.random() < 0.35:
            codes.append(rng.choice(NEIGHBOURS[home]))
        animator = Animator(
            user_id=user_id,
            phone=_mobile(rng),
            expert_id=user_ids[expert_email((n - 1) // ANIMATORS_PER_EXPERT + 1)],
            capacity=5,
            is_active=True,
        )
        new.append(animator)
        regions.append(codes)
    Animator.objects.bulk_create(new)
    Works = Animator.voivodeships.through
    Works.objects.bulk_create(
        Works(animator_id=animator.pk, voivodeship_id=voivodeships[code])
        for animator, codes in zip(new, regions, strict=True)
        for code in codes
    )
    result.created["animators"] += len(new)
    by_user = {**existing, **{animator.user_id: animator for animator in new}}
    return {n: by_user[user_ids[animator_email(n)]] for n in numbers}


def _mobile(rng: random.Random) -> str:
    return (
        f"+48 {rng.choice(MOBILE_PREFIXES)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
    )


# --- one partnership's round ----------------------------------------------------------------


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _between(rng, first: datetime.date, last: datetime.date) -> datetime.date | None:
    if first > last:
        return None
    return first + DAY * rng.randint(0, (last - first).days)


@dataclass
class _Event:
    day: datetime.date
    kind: str
    purpose: str
    meeting: Meeting | None = None


@dataclass
class _Story:
    """The unsaved rows of one partnership, linked to each other by instance."""

    partnership: Partnership
    assignments: list = field(default_factory=list)
    partners: list = field(default_factory=list)
    meetings: list = field(default_factory=list)  # (meeting, partners present)
    agreement: tuple | None = None  # (agreement, signatories)
    actions: list = field(default_factory=list)  # (joint action, partners)
    milestones: list = field(default_factory=list)
    practice: GoodPractice | None = None


MIN_GAP_DAYS = {
    Stage.DIAGNOSIS: 0,
    Stage.INVITATIONS: 3,
    Stage.FIRST_MEETING: 7,
    Stage.PLANNING: 14,
    Stage.AGREEMENT: 5,
    Stage.JOINT_ACTION: 10,
    Stage.EVALUATION: 10,
}


class _StoryWriter:
    """Simulates the round of one partnership up to `today`."""

    def __init__(
        self, *, spec, villages, library_id, round_, today, animator, previous, withdraws,
        reassigned,
    ):
        self.spec = spec
        self.villages = villages
        self.round = round_
        self.start, self.end = round_.start, round_.end
        self.horizon = min(today, round_.end)
        self.rng = _rng("partnership", spec.terc, round_.name)
        self.animator = animator
        self.previous = previous if reassigned else None
        self.switch_day = None
        self.withdraws = withdraws
        self.story = _Story(Partnership(library_id=library_id, round=round_))
        self.events: dict[datetime.date, _Event] = {}

    def write(self) -> _Story:
        rng = self.rng
        span = (self.horizon - self.start).days
        profile = rng.choices(
            ["ahead", "on_track", "late", "stalled"], weights=[20, 58, 14, 8]
        )[0]
        if profile == "stalled" and span < 45:
            profile = "on_track"
        withdrawn_on = None
        if self.withdraws and span >= 30:
            withdrawn_on = self.start + DAY * rng.randint(span * 2 // 5, span)
        self.profile = profile
        self.cutoff = self.horizon
        if profile == "stalled":
            self.cutoff = self.horizon - DAY * rng.randint(STALLED_AFTER_DAYS + 1, 50)
        if withdrawn_on:
            self.cutoff = max(self.start, min(self.cutoff, withdrawn_on - DAY * rng.randint(5, 20)))
        if self.previous and span >= 40:
            self.switch_day = self.start + DAY * rng.randint(20, min(60, span - 10))

        reached = self._stage_dates()
        self._assignments()
        self._meeting_days(reached, withdrawn_on)
        self._partners(reached)
        agreement = self._agreement(reached)
        actions = self._joint_actions(reached, withdrawn_on)
        self._meetings(reached, agreement, actions)
        self._milestones(reached, agreement, actions)

        partnership = self.story.partnership
        if withdrawn_on:
            partnership.withdrawn_on = withdrawn_on
            partnership.withdrawal_reason = rng.choice(WITHDRAWAL_REASONS)
        elif Stage.FIRST_MEETING in reached and rng.random() < 0.4:
            partnership.name = rng.choice(PARTNERSHIP_NAMES)
        self._practice()
        return self.story

    def _practice(self):
        """About one partnership in eight shows a good practice: its first joint action
        carried out, else its liveliest workshop or partnership meeting with partners present,
        marked by the animator of that day; those of every third library featured. (Drawn
        last, so the rest of the story is the same with or without it.)"""
        rng = self.rng
        if rng.random() >= 0.125:
            return
        done = [a for a, _partners in self.story.actions if a.status == JointActionStatus.DONE]
        lively = [
            m for m, present in self.story.meetings
            if present and m.kind in (MeetingKind.WORKSHOP, MeetingKind.PARTNERSHIP)
        ]
        if done:
            record = {"joint_action": done[0]}
            day = done[0].done_on
        elif lively:
            meeting = max(lively, key=lambda m: (m.participants, m.date))
            record, day = {"meeting": meeting}, meeting.date
        else:
            return
        self.story.practice = GoodPractice(
            partnership=self.story.partnership,
            why=rng.choice(PRACTICE_REASONS),
            featured=self.spec.number % 3 == 0,
            marked_by_id=self._logger(day),
            **record,
        )

    def _logger(self, day):
        """Who logged a fact dated `day`: the animator assigned on that day."""
        if self.switch_day and day < self.switch_day:
            return self.previous.user_id
        return self.animator.user_id

    def _stage_dates(self) -> dict:
        """The day each stage was reached, for the stages reached by the cutoff."""
        rng, deadlines = self.rng, self.round.deadlines
        lead = (8, 24) if self.profile == "ahead" else (0, 12)
        planned, previous = {}, self.start + DAY * rng.randint(5, 12)
        for stage in STAGE_ORDER:
            deadline = deadlines[stage]
            day = deadline - DAY * rng.randint(*lead)
            day = max(previous, min(deadline, max(day, previous + DAY * MIN_GAP_DAYS[stage])))
            planned[stage] = previous = day

        due = [stage for stage in STAGE_ORDER if deadlines[stage] < self.horizon]
        if self.profile == "late" and due:
            if len(due) == 1 or rng.random() < 0.65:
                missed = due[-1]
            else:
                missed = rng.choice(due[max(0, len(due) - 3) : -1])
            rank = STAGE_ORDER.index(missed)
            for stage in STAGE_ORDER[rank:]:
                planned[stage] = None
            if rank >= 1 and rng.random() < 0.4:  # the stage before was reached late, too
                before = STAGE_ORDER[rank - 1]
                late_day = min(deadlines[before] + DAY * rng.randint(2, 14), self.horizon)
                planned[before] = max(planned[before], late_day)
        return {
            stage: day for stage, day in planned.items() if day is not None and day <= self.cutoff
        }

    def _assignments(self):
        rng, partnership = self.rng, self.story.partnership
        expert_id = self.animator.expert_id
        assigned_at = _at(self.start - DAY * rng.randint(3, 10), 10)
        if self.switch_day:
            switched_at = _at(self.switch_day, 12)
            self.story.assignments.append(
                Assignment(
                    partnership=partnership,
                    animator=self.previous,
                    assigned_by_id=expert_id,
                    assigned_at=assigned_at,
                    ended_at=switched_at,
                    ended_by_id=expert_id,
                )
            )
            assigned_at = switched_at
        self.story.assignments.append(
            Assignment(
                partnership=partnership,
                animator=self.animator,
                assigned_by_id=expert_id,
                assigned_at=assigned_at,
                reason=rng.choice(REASSIGNMENT_REASONS) if self.switch_day else "",
            )
        )

    def _add(self, day, kind, purpose, *, force=False, limit=None):
        """Plan a meeting on `day` (one a day). A forced partnership meeting takes over the day;
        partnership meetings exist only from the first one on."""
        if day is None or day < self.start or day > (limit or self.cutoff):
            return None
        if kind == MeetingKind.PARTNERSHIP and purpose != "first" and (
            self.first_day is None or day <= self.first_day
        ):
            kind = MeetingKind.VISIT
        event = self.events.get(day)
        if event is None:
            event = self.events[day] = _Event(day, kind, purpose)
        elif force and event.kind != MeetingKind.PARTNERSHIP:
            event.kind, event.purpose = kind, purpose
        elif not force:
            return None
        return event

    def _meeting_days(self, reached, withdrawn_on):
        rng = self.rng
        self.first_day = reached.get(Stage.FIRST_MEETING)
        kickoff = self.start + DAY * rng.randint(2, 9)
        if Stage.DIAGNOSIS in reached:
            kickoff = min(kickoff, reached[Stage.DIAGNOSIS])
        self._add(kickoff, MeetingKind.VISIT, "kickoff")
        if Stage.DIAGNOSIS in reached and rng.random() < 0.6:
            self._add(
                _between(rng, kickoff + DAY, reached[Stage.DIAGNOSIS]),
                rng.choice([MeetingKind.REMOTE, MeetingKind.REMOTE, MeetingKind.WORKSHOP]),
                "diagnosis",
            )
        if Stage.INVITATIONS in reached and rng.random() < 0.6:
            self._add(reached[Stage.INVITATIONS] - DAY * rng.randint(0, 4), MeetingKind.REMOTE,
                      "invitations")
        self.key_events = {}
        if Stage.FIRST_MEETING in reached:
            self.key_events[Stage.FIRST_MEETING] = self._add(
                self.first_day, MeetingKind.PARTNERSHIP, "first", force=True
            )
        if Stage.PLANNING in reached:
            for _ in range(rng.randint(1, 2)):
                self._add(
                    _between(rng, self.first_day + 7 * DAY, reached[Stage.PLANNING] - 3 * DAY),
                    rng.choice([MeetingKind.PARTNERSHIP, MeetingKind.WORKSHOP]),
                    "planning",
                )
            self.key_events[Stage.PLANNING] = self._add(
                reached[Stage.PLANNING], MeetingKind.PARTNERSHIP, "plan_adopted", force=True
            )
        if Stage.AGREEMENT in reached and rng.random() < 0.75:
            self._add(reached[Stage.AGREEMENT], MeetingKind.PARTNERSHIP, "signing", force=True)
        if Stage.JOINT_ACTION in reached:
            self._add(reached[Stage.JOINT_ACTION] - DAY * rng.randint(7, 20),
                      MeetingKind.PARTNERSHIP, "action_prep")
            if rng.random() < 0.35:
                self._add(reached[Stage.JOINT_ACTION], MeetingKind.VISIT, "action_visit")
        if Stage.EVALUATION in reached:
            self.key_events[Stage.EVALUATION] = self._add(
                reached[Stage.EVALUATION], MeetingKind.PARTNERSHIP, "evaluation", force=True
            )
        if self.profile == "stalled":
            self._add(self.cutoff, rng.choice([MeetingKind.REMOTE, MeetingKind.VISIT]), "stalled")

        # Keep meeting every two or three weeks.
        active = self.profile != "stalled" and not withdrawn_on
        max_gap = rng.randint(18, 26)
        days = sorted(self.events)
        for earlier, later in zip(days, [*days[1:], self.cutoff if active else None], strict=True):
            if later is None:
                break
            day = earlier
            while (later - day).days > max_gap:
                day += DAY * rng.randint(12, 21)
                if day >= later:
                    break
                self._add(day, self._filler_kind(day), "followup")
        if active and self.events and (self.cutoff - max(self.events)).days > 25:
            day = self.cutoff - DAY * rng.randint(0, 10)
            self._add(day, self._filler_kind(day), "followup")
        if withdrawn_on:
            self._add(withdrawn_on, MeetingKind.REMOTE, "withdrawal", limit=withdrawn_on)

    def _filler_kind(self, day):
        if self.first_day and day > self.first_day:
            return self.rng.choices(
                [MeetingKind.PARTNERSHIP, MeetingKind.REMOTE, MeetingKind.WORKSHOP,
                 MeetingKind.VISIT],
                weights=[35, 35, 15, 15],
            )[0]
        return self.rng.choice([MeetingKind.VISIT, MeetingKind.REMOTE])

    def _partners(self, reached):
        rng, spec = self.rng, self.spec
        if Stage.FIRST_MEETING in reached:
            count = rng.randint(3, 10)
        elif Stage.INVITATIONS in reached:
            count = rng.randint(3, 6)
        else:
            count = rng.randint(3, 5)
        later_days = sorted(
            day for day, event in self.events.items()
            if event.kind == MeetingKind.PARTNERSHIP and day > (self.first_day or day)
        )
        for number, (name, sector, contact, notes) in enumerate(
            _partner_names(rng, spec, self.villages, count)
        ):
            joined = left = None
            if Stage.FIRST_MEETING in reached:
                joined = self.first_day
                if number and later_days and rng.random() < 0.3:
                    joined = rng.choice(later_days)
            elif Stage.INVITATIONS in reached and rng.random() < 0.6:
                joined = min(reached[Stage.INVITATIONS] + DAY * rng.randint(0, 10), self.cutoff)
            if joined and number and rng.random() < 0.06 and (self.cutoff - joined).days > 30:
                left = joined + DAY * rng.randint(20, (self.cutoff - joined).days)
                notes = "Wycofał się z partnerstwa – brak czasu na wspólne działania."
            first, last = contact.split(" ", 1) if contact else ("", "")
            self.story.partners.append(
                Partner(
                    partnership=self.story.partnership,
                    name=name,
                    sector=sector,
                    contact_person=contact,
                    email=(
                        f"{_slug(first, '.')}.{_slug(last, '.')}@example.org"
                        if contact and rng.random() < 0.6 else ""
                    ),
                    phone=_mobile(rng) if rng.random() < 0.6 else "",
                    joined_on=joined,
                    left_on=left,
                    notes=notes,
                )
            )

    def _partners_on(self, day):
        return [
            partner for partner in self.story.partners
            if partner.joined_on and partner.joined_on <= day
            and (partner.left_on is None or partner.left_on >= day)
        ]

    def _agreement(self, reached):
        if Stage.AGREEMENT not in reached:
            return None
        rng, day = self.rng, reached[Stage.AGREEMENT]
        kind = rng.choices(
            [AgreementKind.AGREEMENT, AgreementKind.DECLARATION, AgreementKind.REGULATION,
             AgreementKind.LETTER],
            weights=[45, 30, 15, 10],
        )[0]
        present = self._partners_on(day)
        share = rng.uniform(0.6, 1)
        signatories = rng.sample(present, max(1, round(len(present) * share)) if present else 0)
        note = ""
        if not any(p.sector == Sector.LOCAL_GOVERNMENT for p in signatories):
            note = "Wójt gminy" if self.spec.gmina_type == "2" else "Burmistrz"
        elif rng.random() < 0.3:
            note = "Dyrektorka biblioteki (lider partnerstwa)"
        agreement = Agreement(
            partnership=self.story.partnership,
            kind=kind,
            signed_on=day,
            signatories_note=note,
            recorded_by_id=self._logger(day),
        )
        self.story.agreement = (agreement, signatories)
        return agreement

    def _joint_actions(self, reached, withdrawn_on):
        if Stage.PLANNING not in reached:
            return []
        rng = self.rng
        done_first = reached.get(Stage.JOINT_ACTION)
        planned_on = done_first or min(
            self.end,
            max(
                reached[Stage.PLANNING] + 7 * DAY,
                self.round.deadline_joint_action - DAY * rng.randint(0, 20),
            ),
        )
        members = self._partners_on(reached[Stage.PLANNING]) or self.story.partners
        for number, (title, description) in enumerate(
            rng.sample(JOINT_ACTIONS, rng.randint(2, 4))
        ):
            if number:
                planned_on += DAY * rng.randint(10, 35)
                if planned_on > self.end:
                    break
            action = JointAction(
                partnership=self.story.partnership,
                title=title,
                description=description,
                planned_on=planned_on,
            )
            if done_first and (number == 0 or planned_on <= self.cutoff and rng.random() < 0.85):
                action.status = JointActionStatus.DONE
                action.done_on = planned_on
                action.participants_reached = rng.randint(15, 250)
            elif withdrawn_on or planned_on <= self.horizon and rng.random() < 0.25:
                action.status = JointActionStatus.CANCELLED
            elif planned_on <= self.horizon:
                action.status = JointActionStatus.IN_PROGRESS
            self.story.actions.append(
                (action, rng.sample(members, min(len(members), rng.randint(1, 4))))
            )
        return [action for action, _partners in self.story.actions]

    def _meetings(self, reached, agreement, actions):
        rng, spec = self.rng, self.spec
        events = [self.events[day] for day in sorted(self.events)]
        context = {
            "gmina": spec.gmina,
            "seat": spec.seat.locative,
            "action": actions[0].title if actions else "piknik rodzinny",
            "kind": AGREEMENT_GENITIVE[agreement.kind] if agreement else "porozumienia",
        }
        for number, event in enumerate(events):
            eligible = self._partners_on(event.day)
            if event.purpose == "first":
                present = [p for p in eligible if rng.random() < 0.9] or eligible
            elif event.kind == MeetingKind.PARTNERSHIP:
                present = rng.sample(eligible, round(len(eligible) * rng.uniform(0.5, 0.9)))
            elif event.kind == MeetingKind.WORKSHOP:
                present = rng.sample(eligible, round(len(eligible) * rng.uniform(0.3, 0.7)))
            elif event.kind == MeetingKind.VISIT and eligible and rng.random() < 0.4:
                present = [eligible[0]]
            else:
                present = []
            low, high = PARTICIPANTS[event.kind]
            context["n"] = len(eligible) or rng.randint(8, 15)
            purpose = event.purpose
            if purpose == "followup" and (not self.first_day or event.day < self.first_day):
                purpose = "followup_pre"
            summaries = SUMMARIES.get(f"{purpose}:{event.kind.value}") or SUMMARIES[purpose]
            later = [e.day for e in events[number + 1 :] if e.kind == MeetingKind.PARTNERSHIP]
            next_on = None
            if later and event.kind != MeetingKind.VISIT and rng.random() < 0.7:
                next_on = later[0]
            elif number == len(events) - 1 and purpose != "withdrawal" and rng.random() < 0.6:
                # The last meeting may plan one after the round: the partnership goes on
                # (the sustainability check asks for it, partnerships/progress.py).
                next_on = event.day + DAY * rng.randint(10, 30)
            support = ""
            if event.kind == MeetingKind.PARTNERSHIP and present and rng.random() < 0.4:
                support = f"{rng.choice(present).name} {rng.choice(SUPPORT)}"
            decisions = rng.choice(DECISIONS[purpose]) if rng.random() < 0.85 else ""
            meeting = Meeting(
                partnership=self.story.partnership,
                date=event.day,
                kind=event.kind,
                participants=len(present) + rng.randint(low, high),
                summary=rng.choice(summaries).format(**context),
                decisions=decisions.format(**context),
                support_declared=support,
                next_meeting_on=next_on,
                logged_by_id=self._logger(event.day),
            )
            event.meeting = meeting
            self.story.meetings.append((meeting, present))

    def _milestones(self, reached, agreement, actions):
        rng = self.rng
        for stage, day in reached.items():
            milestone = Milestone(
                partnership=self.story.partnership,
                stage=stage,
                reached_on=day,
                recorded_by_id=self._logger(day),
            )
            if stage in self.key_events:
                milestone.meeting = self.key_events[stage].meeting
            if stage == Stage.DIAGNOSIS:
                milestone.note = rng.choice(DIAGNOSIS_NOTES).format(n=rng.randint(9, 24))
            elif stage == Stage.INVITATIONS:
                milestone.note = rng.choice(INVITATION_NOTES).format(n=rng.randint(6, 15))
            elif stage == Stage.PLANNING:
                milestone.note = "Plan działań: " + "; ".join(a.title for a in actions) + "."
            elif stage == Stage.AGREEMENT:
                milestone.agreement = agreement
            elif stage == Stage.JOINT_ACTION:
                milestone.note = f"Pierwsze wspólne działanie: {actions[0].title}."
            self.story.milestones.append(milestone)


def _partner_names(rng, spec, villages, count):
    """`count` distinct partners: (name, sector, contact person, notes); the gmina office
    first in nine partnerships out of ten."""
    sectors = [s for s, _w in PARTNER_SECTOR_WEIGHTS]
    weights = [w for _s, w in PARTNER_SECTOR_WEIGHTS]
    chosen = [Sector.LOCAL_GOVERNMENT] if rng.random() < 0.9 else []
    while len(chosen) < count:
        chosen.append(rng.choices(sectors, weights)[0])
    partners, names = [], set()
    for sector in chosen:
        for _attempt in range(10):
            partner = _partner(rng, sector, spec, villages)
            if partner[0] not in names:
                names.add(partner[0])
                partners.append(partner)
                break
    return partners


def _partner(rng, sector, spec, villages):
    village = rng.choice(villages)
    first, last, female = _person(rng, 0.65)
    person = f"{first} {last}"
    values = {
        "gmina": spec.gmina,
        "seat": spec.seat.locative,
        "loc": village.locative,
        "village": village.name,
        "person": person,
        "patron": rng.choice(PATRONS + SCHOOL_PATRONS),
        "saint": rng.choice(SAINTS),
        "quoted": rng.choice(QUOTED_NAMES[sector]) if sector in QUOTED_NAMES else "",
        "powiat": "-".join(part.capitalize() for part in spec.powiat.split()[0].split("-")),
    }
    templates = PARTNER_TEMPLATES[sector]
    if isinstance(templates, dict):
        templates = templates[spec.gmina_type]
    name = rng.choice(templates).format(**values)
    notes = ""
    if sector == Sector.RESIDENT:
        name, person = person, ""
        notes = rng.choice(RESIDENT_NOTES)[0 if female else 1].format(**values)
    elif rng.random() < 0.2:
        person = ""
    return name, sector, person, notes


# --- writing it all -------------------------------------------------------------------------


def _save_stories(stories, result):
    """Insert the stories in bulk, parents first (children take their parents' new ids)."""
    Partnership.objects.bulk_create([story.partnership for story in stories])
    Assignment.objects.bulk_create([a for story in stories for a in story.assignments])
    Partner.objects.bulk_create([p for story in stories for p in story.partners])
    Meeting.objects.bulk_create([m for story in stories for m, _present in story.meetings])
    Meeting.partners_present.through.objects.bulk_create(
        Meeting.partners_present.through(meeting_id=meeting.pk, partner_id=partner.pk)
        for story in stories
        for meeting, present in story.meetings
        for partner in present
    )
    agreements = [story.agreement for story in stories if story.agreement]
    Agreement.objects.bulk_create([agreement for agreement, _signatories in agreements])
    Agreement.signatories.through.objects.bulk_create(
        Agreement.signatories.through(agreement_id=agreement.pk, partner_id=partner.pk)
        for agreement, signatories in agreements
        for partner in signatories
    )
    JointAction.objects.bulk_create([a for story in stories for a, _partners in story.actions])
    JointAction.partners.through.objects.bulk_create(
        JointAction.partners.through(jointaction_id=action.pk, partner_id=partner.pk)
        for story in stories
        for action, partners in story.actions
        for partner in partners
    )
    Milestone.objects.bulk_create([m for story in stories for m in story.milestones])
    practices = [story.practice for story in stories if story.practice]
    GoodPractice.objects.bulk_create(practices)
    for name, count in [
        ("partnerships", len(stories)),
        ("assignments", sum(len(s.assignments) for s in stories)),
        ("partners", sum(len(s.partners) for s in stories)),
        ("meetings", sum(len(s.meetings) for s in stories)),
        ("milestones", sum(len(s.milestones) for s in stories)),
        ("agreements", len(agreements)),
        ("joint actions", sum(len(s.actions) for s in stories)),
        ("good practices", len(practices)),
    ]:
        result.created[name] += count


@transaction.atomic
def seed_demo(
    *, scale: int = 1, password: str = DEFAULT_PASSWORD, today: datetime.date | None = None
) -> SeedResult:
    """Create whatever of the demo data is missing (see the module docstring); set the demo
    password of every demo user. Returns what was created and the status mix as of `today`."""
    if scale < 1:
        raise DemoDataError("The scale must be at least 1.")
    today = today or timezone.localdate()
    created = Counter()
    round_ = _ensure_round(today, created)
    result = SeedResult(round=round_, today=today, created=created)

    specs = _user_specs(scale)
    user_ids = _ensure_users(specs, password, result)

    geography = _Geography()
    library_specs = [geography.library(n) for n in _numbers(LIBRARIES, scale)]
    voivodeships = dict(Voivodeship.objects.values_list("code", "pk"))
    library_ids = _ensure_libraries(
        library_specs,
        {n: user_ids[librarian_email(n)] for n in _numbers(LIBRARIES, scale)},
        voivodeships,
        result,
    )
    animators = _ensure_animators(scale, user_ids, geography, voivodeships, result)

    has_partnership = set(
        Partnership.objects.filter(round=round_, library_id__in=library_ids.values())
        .values_list("library_id", flat=True)
    )
    stories = []
    for spec in library_specs:
        if library_ids[spec.number] in has_partnership:
            continue
        animator_number = (spec.number - 1) // LIBRARIES_PER_ANIMATOR + 1
        # The other animator working in the same voivodeship took over at the start.
        previous_number = animator_number + 1 if animator_number % 2 else animator_number - 1
        stories.append(
            _StoryWriter(
                spec=spec,
                villages=geography.villages(spec),
                library_id=library_ids[spec.number],
                round_=round_,
                today=today,
                animator=animators[animator_number],
                previous=animators[previous_number],
                withdraws=spec.number % 64 == 45,
                reassigned=spec.number % 32 == 11,
            ).write()
        )
    _save_stories(stories, result)

    counts = dict(
        Partnership.objects.filter(round=round_)
        .with_progress(today)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    result.status_counts = {status: counts.get(status, 0) for status in Status.values}
    # Written in bulk, without the signals that keep the data version current.
    freshness.bump()
    return result


# --- data: places -----------------------------------------------------------------------------

MONTHS = [
    "styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec",
    "lipiec", "sierpień", "wrzesień", "październik", "listopad", "grudzień",
]

# Real gminas of each voivodeship: (gmina = its seat, the seat after "w", powiat, TERC type).
GMINAS = {
    "02": [
        ("Bolków", "Bolkowie", "jaworski", "3"),
        ("Mysłakowice", "Mysłakowicach", "karkonoski", "2"),
        ("Kowary", "Kowarach", "karkonoski", "1"),
        ("Prusice", "Prusicach", "trzebnicki", "3"),
        ("Zawonia", "Zawoni", "trzebnicki", "2"),
        ("Międzylesie", "Międzylesiu", "kłodzki", "3"),
        ("Stoszowice", "Stoszowicach", "ząbkowicki", "2"),
        ("Lubomierz", "Lubomierzu", "lwówecki", "3"),
        ("Marcinowice", "Marcinowicach", "świdnicki", "2"),
        ("Kostomłoty", "Kostomłotach", "średzki", "2"),
        ("Gaworzyce", "Gaworzycach", "polkowicki", "2"),
        ("Wińsko", "Wińsku", "wołowski", "2"),
        ("Cieszków", "Cieszkowie", "milicki", "2"),
        ("Świerzawa", "Świerzawie", "złotoryjski", "3"),
        ("Mściwojów", "Mściwojowie", "jaworski", "2"),
        ("Kąty Wrocławskie", "Kątach Wrocławskich", "wrocławski", "3"),
    ],
    "04": [
        ("Dobrcz", "Dobrczu", "bydgoski", "2"),
        ("Koronowo", "Koronowie", "bydgoski", "3"),
        ("Obrowo", "Obrowie", "toruński", "2"),
        ("Gniewkowo", "Gniewkowie", "inowrocławski", "3"),
        ("Ciechocinek", "Ciechocinku", "aleksandrowski", "1"),
        ("Brzozie", "Brzoziu", "brodnicki", "2"),
        ("Osie", "Osiu", "świecki", "2"),
        ("Kcynia", "Kcyni", "nakielski", "3"),
        ("Kruszwica", "Kruszwicy", "inowrocławski", "3"),
        ("Gostycyn", "Gostycynie", "tucholski", "2"),
        ("Bobrowniki", "Bobrownikach", "lipnowski", "2"),
        ("Płużnica", "Płużnicy", "wąbrzeski", "2"),
        ("Jeziora Wielkie", "Jeziorach Wielkich", "mogileński", "2"),
        ("Skępe", "Skępem", "lipnowski", "3"),
        ("Zbójno", "Zbójnie", "golubsko-dobrzyński", "2"),
        ("Łysomice", "Łysomicach", "toruński", "2"),
    ],
    "06": [
        ("Nałęczów", "Nałęczowie", "puławski", "3"),
        ("Wojciechów", "Wojciechowie", "lubelski", "2"),
        ("Zwierzyniec", "Zwierzyńcu", "zamojski", "3"),
        ("Urszulin", "Urszulinie", "włodawski", "2"),
        ("Rejowiec Fabryczny", "Rejowcu Fabrycznym", "chełmski", "1"),
        ("Józefów", "Józefowie", "biłgorajski", "3"),
        ("Janów Podlaski", "Janowie Podlaskim", "bialski", "2"),
        ("Michów", "Michowie", "lubartowski", "2"),
        ("Kazimierz Dolny", "Kazimierzu Dolnym", "puławski", "3"),
        ("Garbów", "Garbowie", "lubelski", "2"),
        ("Wola Uhruska", "Woli Uhruskiej", "włodawski", "2"),
        ("Sawin", "Sawinie", "chełmski", "2"),
        ("Adamów", "Adamowie", "łukowski", "2"),
        ("Łaszczów", "Łaszczowie", "tomaszowski", "3"),
        ("Frampol", "Frampolu", "biłgorajski", "3"),
        ("Kock", "Kocku", "lubartowski", "3"),
    ],
    "08": [
        ("Łagów", "Łagowie", "świebodziński", "2"),
        ("Bledzew", "Bledzewie", "międzyrzecki", "2"),
        ("Deszczno", "Deszcznie", "gorzowski", "2"),
        ("Łęknica", "Łęknicy", "żarski", "1"),
        ("Nowogród Bobrzański", "Nowogrodzie Bobrzańskim", "zielonogórski", "3"),
        ("Szlichtyngowa", "Szlichtyngowej", "wschowski", "3"),
        ("Cybinka", "Cybince", "słubicki", "3"),
        ("Bytnica", "Bytnicy", "krośnieński", "2"),
        ("Lubrza", "Lubrzy", "świebodziński", "2"),
        ("Trzciel", "Trzcielu", "międzyrzecki", "3"),
        ("Bogdaniec", "Bogdańcu", "gorzowski", "2"),
        ("Brody", "Brodach", "żarski", "2"),
        ("Świdnica", "Świdnicy", "zielonogórski", "2"),
        ("Ośno Lubuskie", "Ośnie Lubuskim", "słubicki", "3"),
        ("Dobiegniew", "Dobiegniewie", "strzelecko-drezdenecki", "3"),
        ("Otyń", "Otyniu", "nowosolski", "2"),
    ],
    "10": [
        ("Inowłódz", "Inowłodzu", "tomaszowski", "2"),
        ("Drzewica", "Drzewicy", "opoczyński", "3"),
        ("Sulejów", "Sulejowie", "piotrkowski", "3"),
        ("Dalików", "Dalikowie", "poddębicki", "2"),
        ("Biała Rawska", "Białej Rawskiej", "rawski", "3"),
        ("Drużbice", "Drużbicach", "bełchatowski", "2"),
        ("Nieborów", "Nieborowie", "łowicki", "2"),
        ("Kodrąb", "Kodrębie", "radomszczański", "2"),
        ("Wola Krzysztoporska", "Woli Krzysztoporskiej", "piotrkowski", "2"),
        ("Uniejów", "Uniejowie", "poddębicki", "3"),
        ("Głuchów", "Głuchowie", "skierniewicki", "2"),
        ("Zduny", "Zdunach", "łowicki", "2"),
        ("Kluki", "Klukach", "bełchatowski", "2"),
        ("Burzenin", "Burzeninie", "sieradzki", "2"),
        ("Brąszewice", "Brąszewicach", "sieradzki", "2"),
        ("Rzgów", "Rzgowie", "łódzki wschodni", "3"),
    ],
    "12": [
        ("Zakliczyn", "Zakliczynie", "tarnowski", "3"),
        ("Lanckorona", "Lanckoronie", "wadowicki", "2"),
        ("Łapanów", "Łapanowie", "bocheński", "2"),
        ("Szczawnica", "Szczawnicy", "nowotarski", "3"),
        ("Grybów", "Grybowie", "nowosądecki", "1"),
        ("Sułkowice", "Sułkowicach", "myślenicki", "3"),
        ("Iwanowice", "Iwanowicach", "krakowski", "2"),
        ("Sękowa", "Sękowej", "gorlicki", "2"),
        ("Ryglice", "Ryglicach", "tarnowski", "3"),
        ("Mucharz", "Mucharzu", "wadowicki", "2"),
        ("Rabka-Zdrój", "Rabce-Zdroju", "nowotarski", "3"),
        ("Łososina Dolna", "Łososinie Dolnej", "nowosądecki", "2"),
        ("Uście Gorlickie", "Uściu Gorlickim", "gorlicki", "2"),
        ("Piwniczna-Zdrój", "Piwnicznej-Zdroju", "nowosądecki", "3"),
        ("Gdów", "Gdowie", "wielicki", "2"),
        ("Czchów", "Czchowie", "brzeski", "3"),
    ],
    "14": [
        ("Jadów", "Jadowie", "wołomiński", "2"),
        ("Stoczek", "Stoczku", "węgrowski", "2"),
        ("Korczew", "Korczewie", "siedlecki", "2"),
        ("Zakroczym", "Zakroczymiu", "nowodworski", "3"),
        ("Brok", "Broku", "ostrowski", "1"),
        ("Glinojeck", "Glinojecku", "ciechanowski", "3"),
        ("Jabłonna Lacka", "Jabłonnie Lackiej", "sokołowski", "2"),
        ("Brochów", "Brochowie", "sochaczewski", "2"),
        ("Łochów", "Łochowie", "węgrowski", "3"),
        ("Mokobody", "Mokobodach", "siedlecki", "2"),
        ("Baranów", "Baranowie", "grodziski", "2"),
        ("Kazanów", "Kazanowie", "zwoleński", "2"),
        ("Przytyk", "Przytyku", "radomski", "2"),
        ("Chynów", "Chynowie", "grójecki", "2"),
        ("Stara Biała", "Starej Białej", "płocki", "2"),
        ("Kołbiel", "Kołbieli", "otwocki", "2"),
    ],
    "16": [
        ("Biała", "Białej", "prudnicki", "3"),
        ("Pokój", "Pokoju", "namysłowski", "2"),
        ("Turawa", "Turawie", "opolski", "2"),
        ("Izbicko", "Izbicku", "strzelecki", "2"),
        ("Walce", "Walcach", "krapkowicki", "2"),
        ("Gorzów Śląski", "Gorzowie Śląskim", "oleski", "3"),
        ("Olszanka", "Olszance", "brzeski", "2"),
        ("Baborów", "Baborowie", "głubczycki", "3"),
        ("Lubrza", "Lubrzy", "prudnicki", "2"),
        ("Popielów", "Popielowie", "opolski", "2"),
        ("Lasowice Wielkie", "Lasowicach Wielkich", "kluczborski", "2"),
        ("Pawłowiczki", "Pawłowiczkach", "kędzierzyńsko-kozielski", "2"),
        ("Kamiennik", "Kamienniku", "nyski", "2"),
        ("Paczków", "Paczkowie", "nyski", "3"),
        ("Radłów", "Radłowie", "oleski", "2"),
        ("Zawadzkie", "Zawadzkiem", "strzelecki", "3"),
    ],
    "18": [
        ("Baligród", "Baligrodzie", "leski", "2"),
        ("Dukla", "Dukli", "krośnieński", "3"),
        ("Krempna", "Krempnej", "jasielski", "2"),
        ("Tyczyn", "Tyczynie", "rzeszowski", "3"),
        ("Kańczuga", "Kańczudze", "przeworski", "3"),
        ("Dynów", "Dynowie", "rzeszowski", "1"),
        ("Horyniec-Zdrój", "Horyńcu-Zdroju", "lubaczowski", "2"),
        ("Wiśniowa", "Wiśniowej", "strzyżowski", "2"),
        ("Cisna", "Cisnej", "leski", "2"),
        ("Rymanów", "Rymanowie", "krośnieński", "3"),
        ("Chmielnik", "Chmielniku", "rzeszowski", "2"),
        ("Jawornik Polski", "Jaworniku Polskim", "przeworski", "2"),
        ("Cieszanów", "Cieszanowie", "lubaczowski", "3"),
        ("Iwierzyce", "Iwierzycach", "ropczycko-sędziszowski", "2"),
        ("Baranów Sandomierski", "Baranowie Sandomierskim", "tarnobrzeski", "3"),
        ("Krasiczyn", "Krasiczynie", "przemyski", "2"),
    ],
    "20": [
        ("Supraśl", "Supraślu", "białostocki", "3"),
        ("Krynki", "Krynkach", "sokólski", "3"),
        ("Narew", "Narwi", "hajnowski", "2"),
        ("Giby", "Gibach", "sejneński", "2"),
        ("Brańsk", "Brańsku", "bielski", "1"),
        ("Goniądz", "Goniądzu", "moniecki", "3"),
        ("Jeleniewo", "Jeleniewie", "suwalski", "2"),
        ("Zbójna", "Zbójnej", "łomżyński", "2"),
        ("Gródek", "Gródku", "białostocki", "2"),
        ("Szudziałowo", "Szudziałowie", "sokólski", "2"),
        ("Białowieża", "Białowieży", "hajnowski", "2"),
        ("Puńsk", "Puńsku", "sejneński", "2"),
        ("Rajgród", "Rajgrodzie", "grajewski", "3"),
        ("Wiżajny", "Wiżajnach", "suwalski", "2"),
        ("Milejczyce", "Milejczycach", "siemiatycki", "2"),
        ("Płaska", "Płaskiej", "augustowski", "2"),
    ],
    "22": [
        ("Stężyca", "Stężycy", "kartuski", "2"),
        ("Lipnica", "Lipnicy", "bytowski", "2"),
        ("Dziemiany", "Dziemianach", "kościerski", "2"),
        ("Czersk", "Czersku", "chojnicki", "3"),
        ("Gniew", "Gniewie", "tczewski", "3"),
        ("Krynica Morska", "Krynicy Morskiej", "nowodworski", "1"),
        ("Smętowo Graniczne", "Smętowie Granicznym", "starogardzki", "2"),
        ("Potęgowo", "Potęgowie", "słupski", "2"),
        ("Sulęczyno", "Sulęczynie", "kartuski", "2"),
        ("Czarna Dąbrówka", "Czarnej Dąbrówce", "bytowski", "2"),
        ("Lipusz", "Lipuszu", "kościerski", "2"),
        ("Brusy", "Brusach", "chojnicki", "3"),
        ("Pelplin", "Pelplinie", "tczewski", "3"),
        ("Stare Pole", "Starym Polu", "malborski", "2"),
        ("Cewice", "Cewicach", "lęborski", "2"),
        ("Krokowa", "Krokowej", "pucki", "2"),
    ],
    "24": [
        ("Koniecpol", "Koniecpolu", "częstochowski", "3"),
        ("Ożarowice", "Ożarowicach", "tarnogórski", "2"),
        ("Istebna", "Istebnej", "cieszyński", "2"),
        ("Rajcza", "Rajczy", "żywiecki", "2"),
        ("Wisła", "Wiśle", "cieszyński", "1"),
        ("Kroczyce", "Kroczycach", "zawierciański", "2"),
        ("Przystajń", "Przystajni", "kłobucki", "2"),
        ("Krzanowice", "Krzanowicach", "raciborski", "3"),
        ("Mykanów", "Mykanowie", "częstochowski", "2"),
        ("Świerklaniec", "Świerklańcu", "tarnogórski", "2"),
        ("Brenna", "Brennej", "cieszyński", "2"),
        ("Ujsoły", "Ujsołach", "żywiecki", "2"),
        ("Irządze", "Irządzach", "zawierciański", "2"),
        ("Pawonków", "Pawonkowie", "lubliniecki", "2"),
        ("Gierałtowice", "Gierałtowicach", "gliwicki", "2"),
        ("Goczałkowice-Zdrój", "Goczałkowicach-Zdroju", "pszczyński", "2"),
    ],
    "26": [
        ("Bodzentyn", "Bodzentynie", "kielecki", "3"),
        ("Tuczępy", "Tuczępach", "buski", "2"),
        ("Bałtów", "Bałtowie", "ostrowiecki", "2"),
        ("Sadowie", "Sadowiu", "opatowski", "2"),
        ("Imielno", "Imielnie", "jędrzejowski", "2"),
        ("Wąchock", "Wąchocku", "starachowicki", "3"),
        ("Smyków", "Smykowie", "konecki", "2"),
        ("Działoszyce", "Działoszycach", "pińczowski", "3"),
        ("Masłów", "Masłowie", "kielecki", "2"),
        ("Solec-Zdrój", "Solcu-Zdroju", "buski", "2"),
        ("Moskorzew", "Moskorzewie", "włoszczowski", "2"),
        ("Sędziszów", "Sędziszowie", "jędrzejowski", "3"),
        ("Mirzec", "Mircu", "starachowicki", "2"),
        ("Łoniów", "Łoniowie", "sandomierski", "2"),
        ("Rytwiany", "Rytwianach", "staszowski", "2"),
        ("Skalbmierz", "Skalbmierzu", "kazimierski", "3"),
    ],
    "28": [
        ("Barczewo", "Barczewie", "olsztyński", "3"),
        ("Lidzbark Warmiński", "Lidzbarku Warmińskim", "lidzbarski", "1"),
        ("Frombork", "Fromborku", "braniewski", "3"),
        ("Ruciane-Nida", "Rucianem-Nidzie", "piski", "3"),
        ("Piecki", "Pieckach", "mrągowski", "2"),
        ("Kurzętnik", "Kurzętniku", "nowomiejski", "2"),
        ("Janowo", "Janowie", "nidzicki", "2"),
        ("Dubeninki", "Dubeninkach", "gołdapski", "2"),
        ("Purda", "Purdzie", "olsztyński", "2"),
        ("Kiwity", "Kiwitach", "lidzbarski", "2"),
        ("Pieniężno", "Pieniężnie", "braniewski", "3"),
        ("Mikołajki", "Mikołajkach", "mrągowski", "3"),
        ("Iłowo-Osada", "Iłowie-Osadzie", "działdowski", "2"),
        ("Wieliczki", "Wieliczkach", "olecki", "2"),
        ("Gronowo Elbląskie", "Gronowie Elbląskim", "elbląski", "2"),
        ("Srokowo", "Srokowie", "kętrzyński", "2"),
    ],
    "30": [
        ("Krzemieniewo", "Krzemieniewie", "leszczyński", "2"),
        ("Kaczory", "Kaczorach", "pilski", "2"),
        ("Jaraczewo", "Jaraczewie", "jarociński", "2"),
        ("Rakoniewice", "Rakoniewicach", "grodziski", "3"),
        ("Pępowo", "Pępowie", "gostyński", "2"),
        ("Obrzycko", "Obrzycku", "szamotulski", "1"),
        ("Rychwał", "Rychwale", "koniński", "3"),
        ("Orchowo", "Orchowie", "słupecki", "2"),
        ("Osieczna", "Osiecznej", "leszczyński", "3"),
        ("Miasteczko Krajeńskie", "Miasteczku Krajeńskim", "pilski", "2"),
        ("Kotlin", "Kotlinie", "jarociński", "2"),
        ("Kamieniec", "Kamieńcu", "grodziski", "2"),
        ("Krobia", "Krobi", "gostyński", "3"),
        ("Ostroróg", "Ostrorogu", "szamotulski", "3"),
        ("Kleszczewo", "Kleszczewie", "poznański", "2"),
        ("Sieraków", "Sierakowie", "międzychodzki", "3"),
    ],
    "32": [
        ("Cedynia", "Cedyni", "gryfiński", "3"),
        ("Dobra", "Dobrej", "łobeski", "3"),
        ("Bierzwnik", "Bierzwniku", "choszczeński", "2"),
        ("Polanów", "Polanowie", "koszaliński", "3"),
        ("Międzyzdroje", "Międzyzdrojach", "kamieński", "3"),
        ("Rewal", "Rewalu", "gryficki", "2"),
        ("Kalisz Pomorski", "Kaliszu Pomorskim", "drawski", "3"),
        ("Przelewice", "Przelewicach", "pyrzycki", "2"),
        ("Widuchowa", "Widuchowej", "gryfiński", "2"),
        ("Radowo Małe", "Radowie Małym", "łobeski", "2"),
        ("Drawno", "Drawnie", "choszczeński", "3"),
        ("Manowo", "Manowie", "koszaliński", "2"),
        ("Brojce", "Brojcach", "gryficki", "2"),
        ("Dolice", "Dolicach", "stargardzki", "2"),
        ("Boleszkowice", "Boleszkowicach", "myśliborski", "2"),
        ("Borne Sulinowo", "Bornem Sulinowie", "szczecinecki", "3"),
    ],
}

NEIGHBOURS = {
    "02": ["08", "30", "16"],
    "04": ["22", "28", "14", "10", "30"],
    "06": ["14", "26", "18", "20"],
    "08": ["32", "30", "02"],
    "10": ["30", "04", "14", "26", "24", "16"],
    "12": ["24", "26", "18"],
    "14": ["28", "20", "06", "26", "10", "04"],
    "16": ["02", "30", "10", "24"],
    "18": ["12", "26", "06"],
    "20": ["28", "14", "06"],
    "22": ["32", "30", "04", "28"],
    "24": ["16", "10", "26", "12"],
    "26": ["24", "10", "14", "06", "18", "12"],
    "28": ["22", "04", "14", "20"],
    "30": ["32", "22", "04", "10", "16", "02", "08"],
    "32": ["22", "30", "08"],
}

POSTAL_PREFIXES = {
    "02": ["55", "56", "57", "58", "59"],
    "04": ["85", "86", "87", "88", "89"],
    "06": ["21", "22", "23", "24"],
    "08": ["66", "67", "68"],
    "10": ["95", "96", "97", "98", "99"],
    "12": ["32", "33", "34"],
    "14": ["05", "06", "07", "08", "09", "26", "27"],
    "16": ["46", "47", "48", "49"],
    "18": ["36", "37", "38", "39"],
    "20": ["15", "16", "17", "18", "19"],
    "22": ["77", "82", "83", "84"],
    "24": ["42", "43", "44"],
    "26": ["26", "27", "28", "29"],
    "28": ["11", "12", "13", "14"],
    "30": ["62", "63", "64"],
    "32": ["72", "73", "74", "75", "78"],
}

AREA_CODES = {
    "02": ["71", "74", "75", "76"],
    "04": ["52", "54", "56"],
    "06": ["81", "82", "83", "84"],
    "08": ["68", "95"],
    "10": ["42", "43", "44", "46"],
    "12": ["12", "14", "18"],
    "14": ["22", "23", "24", "25", "48"],
    "16": ["77"],
    "18": ["13", "15", "16", "17"],
    "20": ["85", "86", "87"],
    "22": ["58", "59"],
    "24": ["32", "33", "34"],
    "26": ["41", "15"],
    "28": ["55", "87", "89"],
    "30": ["61", "62", "63", "65", "67"],
    "32": ["91", "94", "95"],
}

MOBILE_PREFIXES = [
    "501", "502", "504", "505", "506", "509", "512", "515", "516", "519", "530", "533", "535",
    "600", "601", "602", "603", "604", "605", "606", "607", "608", "609", "660", "661", "662",
    "663", "664", "665", "667", "668", "669", "690", "691", "692", "693", "695", "696", "697",
    "720", "721", "722", "723", "724", "725", "726", "727", "728", "781", "782", "783", "784",
    "790", "791", "792", "793", "794", "795", "796", "797", "880", "881", "882", "883", "884",
]

# Village stems: nominative, after "w", grammatical gender (f, m, n, pl).
VILLAGE_STEMS = [
    ("Dąbrowa", "Dąbrowie", "f"), ("Wola", "Woli", "f"), ("Zalesie", "Zalesiu", "n"),
    ("Lipnik", "Lipniku", "m"), ("Borek", "Borku", "m"), ("Olszyny", "Olszynach", "pl"),
    ("Brzeziny", "Brzezinach", "pl"), ("Kamionka", "Kamionce", "f"),
    ("Zawada", "Zawadzie", "f"), ("Górka", "Górce", "f"), ("Dąbrówka", "Dąbrówce", "f"),
    ("Łęka", "Łęce", "f"), ("Grabowiec", "Grabowcu", "m"), ("Jasionka", "Jasionce", "f"),
    ("Bukowiec", "Bukowcu", "m"), ("Podgaje", "Podgajach", "pl"), ("Rudnik", "Rudniku", "m"),
    ("Sosnowica", "Sosnowicy", "f"), ("Zagórze", "Zagórzu", "n"), ("Przyłęk", "Przyłęku", "m"),
    ("Brzozów", "Brzozowie", "m"), ("Jabłonka", "Jabłonce", "f"),
    ("Wierzbica", "Wierzbicy", "f"), ("Lipie", "Lipiu", "n"), ("Chełmiec", "Chełmcu", "m"),
    ("Strzelce", "Strzelcach", "pl"), ("Niwiska", "Niwiskach", "pl"), ("Łazy", "Łazach", "pl"),
    ("Rybno", "Rybnie", "n"), ("Bielany", "Bielanach", "pl"), ("Jeziorko", "Jeziorku", "n"),
    ("Kłodawa", "Kłodawie", "f"), ("Radomyśl", "Radomyślu", "m"), ("Skała", "Skale", "f"),
    ("Mszana", "Mszanie", "f"), ("Trzcianka", "Trzciance", "f"), ("Kamień", "Kamieniu", "m"),
    ("Brzezie", "Brzeziu", "n"), ("Osiek", "Osieku", "m"), ("Grodziec", "Grodźcu", "m"),
    ("Jeżów", "Jeżowie", "m"), ("Słupia", "Słupi", "f"), ("Sokolniki", "Sokolnikach", "pl"),
    ("Pniewy", "Pniewach", "pl"), ("Olszanica", "Olszanicy", "f"), ("Modlnica", "Modlnicy", "f"),
    ("Łopuszno", "Łopusznie", "n"), ("Tarnawa", "Tarnawie", "f"),
    ("Krzczonów", "Krzczonowie", "m"),
]
VILLAGE_SUFFIXES = ["Górn", "Doln", "Wielk", "Mał", "Kościeln", "Szlacheck", "Królewsk"]
VILLAGE_PREFIXES = ["Now", "Star"]

LIBRARY_NAMES = {
    "2": [
        ("Gminna Biblioteka Publiczna w {loc}", 6),
        ("Gminna Biblioteka Publiczna im. {patron} w {loc}", 3),
        ("Biblioteka Publiczna Gminy {gmina}", 3),
    ],
    "3": [
        ("Miejsko-Gminna Biblioteka Publiczna w {loc}", 6),
        ("Miejsko-Gminna Biblioteka Publiczna im. {patron} w {loc}", 3),
        ("Biblioteka Publiczna Miasta i Gminy {gmina}", 3),
    ],
    "1": [
        ("Miejska Biblioteka Publiczna w {loc}", 6),
        ("Miejska Biblioteka Publiczna im. {patron} w {loc}", 4),
    ],
}

PATRONS = [
    "Marii Konopnickiej", "Jana Kochanowskiego", "Henryka Sienkiewicza", "Adama Mickiewicza",
    "Juliana Tuwima", "Władysława Reymonta", "Kornela Makuszyńskiego", "Marii Dąbrowskiej",
    "Elizy Orzeszkowej", "Stefana Żeromskiego", "Józefa Ignacego Kraszewskiego",
    "Bolesława Prusa", "Wisławy Szymborskiej", "Jana Brzechwy", "Juliusza Słowackiego",
    "Cypriana Kamila Norwida", "Marii Skłodowskiej-Curie",
]
SCHOOL_PATRONS = [
    "Jana Pawła II", "Tadeusza Kościuszki", "Orła Białego", "Janusza Korczaka",
    "Polskich Olimpijczyków", "Armii Krajowej", "Kawalerów Orderu Uśmiechu",
]
SAINTS = [
    "św. Jana Chrzciciela", "św. Stanisława Biskupa i Męczennika", "św. Wojciecha",
    "św. Michała Archanioła", "Najświętszego Serca Pana Jezusa",
    "Wniebowzięcia Najświętszej Maryi Panny", "św. Józefa", "św. Mikołaja",
    "św. Katarzyny Aleksandryjskiej", "św. Andrzeja Apostoła", "Matki Bożej Częstochowskiej",
    "Świętej Trójcy",
]
STREETS = [
    "ul. Szkolna", "Rynek", "ul. Kościuszki", "ul. Mickiewicza", "ul. 3 Maja", "ul. Kościelna",
    "ul. Ogrodowa", "ul. Parkowa", "pl. Wolności", "ul. Sienkiewicza", "ul. Jana Pawła II",
    "ul. Długa", "ul. Polna", "ul. Lipowa", "ul. Słoneczna", "ul. Zielona", "ul. Kolejowa",
    "ul. Główna", "ul. Konopnickiej", "ul. Spacerowa",
]

# --- data: people -----------------------------------------------------------------------------

FIRST_NAMES_FEMALE = [
    "Anna", "Małgorzata", "Ewa", "Agnieszka", "Katarzyna", "Barbara", "Joanna", "Beata",
    "Dorota", "Elżbieta", "Magdalena", "Monika", "Renata", "Iwona", "Jolanta", "Grażyna",
    "Teresa", "Bożena", "Marta", "Justyna", "Aleksandra", "Krystyna", "Danuta", "Halina",
    "Urszula", "Sylwia", "Karolina", "Edyta", "Marzena", "Aneta", "Wioletta", "Izabela",
    "Dominika", "Paulina", "Natalia", "Kinga", "Lucyna", "Alicja", "Jadwiga", "Emilia",
]
FIRST_NAMES_MALE = [
    "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Marcin", "Michał", "Jan", "Grzegorz",
    "Marek", "Adam", "Łukasz", "Rafał", "Wojciech", "Robert", "Mariusz", "Dariusz", "Jacek",
    "Jerzy", "Zbigniew", "Stanisław", "Tadeusz", "Janusz", "Artur", "Sławomir", "Kamil",
]
SURNAMES = [
    "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
    "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur",
    "Wojciechowski", "Kwiatkowski", "Krawczyk", "Kaczmarek", "Piotrowski", "Grabowski",
    "Zając", "Pawłowski", "Michalski", "Król", "Wieczorek", "Jabłoński", "Wróbel",
    "Nowakowski", "Majewski", "Olszewski", "Stępień", "Malinowski", "Jaworski", "Adamczyk",
    "Dudek", "Nowicki", "Pawlak", "Górski", "Witkowski", "Walczak", "Sikora", "Baran",
    "Rutkowski", "Michalak", "Szewczyk", "Ostrowski", "Tomaszewski", "Pietrzak", "Zalewski",
    "Wróblewski", "Marciniak", "Jasiński", "Zawadzki", "Bąk", "Jakubowski", "Sadowski",
    "Duda", "Włodarczyk", "Wilk", "Chmielewski", "Borkowski", "Sokołowski", "Szczepański",
    "Sawicki", "Lis", "Kucharski", "Kalinowski", "Wysocki", "Mazurek", "Kubiak", "Maciejewski",
    "Czarnecki", "Kołodziej", "Urbański", "Kaczmarczyk", "Sobczak", "Konieczny", "Głowacki",
    "Zakrzewski", "Krupa", "Wasilewski", "Krajewski", "Adamski", "Sikorski", "Mróz",
    "Laskowski", "Ziółkowski", "Gajewski", "Szulc", "Makowski", "Czerwiński", "Baranowski",
    "Kaźmierczak", "Brzeziński", "Kowalewski", "Szczepaniak", "Kasprzak", "Cieślak", "Banaś",
    "Mikołajczyk", "Gołębiowski",
]
RESIDENT_NOTES = [
    ("Sołtyska wsi {village}.", "Sołtys wsi {village}."),
    ("Emerytowana nauczycielka, prowadzi kronikę wsi.",
     "Emerytowany nauczyciel, prowadzi kronikę wsi."),
    ("Pasjonatka historii lokalnej, zbiera stare fotografie.",
     "Lokalny historyk, kolekcjoner starych fotografii."),
    ("Rękodzielniczka, prowadzi warsztaty haftu.", "Rzeźbiarz ludowy, prowadzi warsztaty."),
    ("Radna gminy.", "Radny gminy."),
    ("Przewodniczka turystyczna.", "Przewodnik turystyczny."),
    ("Studentka, wolontariuszka biblioteki.", "Student, wolontariusz biblioteki."),
    ("Prowadzi zespół śpiewaczy.", "Muzyk, prowadzi kapelę ludową."),
]

# --- data: partners, meetings, actions --------------------------------------------------------

PARTNER_SECTOR_WEIGHTS = [
    (Sector.SCHOOL, 12), (Sector.CULTURE, 9), (Sector.NGO, 9), (Sector.VOLUNTEER_FIRE, 8),
    (Sector.RURAL_WOMEN, 9), (Sector.SENIORS, 7), (Sector.YOUTH, 5), (Sector.SOCIAL_CARE, 6),
    (Sector.PARISH, 5), (Sector.BUSINESS, 7), (Sector.MEDIA, 3), (Sector.RESIDENT, 10),
    (Sector.LIBRARY, 3), (Sector.OTHER, 3),
]

PARTNER_TEMPLATES = {
    Sector.LOCAL_GOVERNMENT: {
        "1": ["Urząd Miasta {gmina}", "Urząd Miejski w {seat}"],
        "2": ["Urząd Gminy {gmina}"],
        "3": ["Urząd Miasta i Gminy {gmina}", "Urząd Miejski w {seat}"],
    },
    Sector.SCHOOL: [
        "Szkoła Podstawowa w {loc}", "Szkoła Podstawowa im. {patron} w {loc}",
        "Zespół Szkolno-Przedszkolny w {loc}", "Przedszkole Samorządowe w {loc}",
    ],
    Sector.CULTURE: {
        "1": ["Miejski Dom Kultury w {seat}", "Izba Regionalna w {seat}"],
        "2": ["Gminny Ośrodek Kultury w {seat}", "Świetlica wiejska w {loc}",
              "Izba Regionalna w {loc}"],
        "3": ["Miejsko-Gminny Ośrodek Kultury w {seat}", "Centrum Kultury w {seat}",
              "Świetlica wiejska w {loc}"],
    },
    Sector.LIBRARY: [
        "Biblioteka szkolna Szkoły Podstawowej w {loc}", "Filia biblioteczna w {loc}",
        "Biblioteka parafialna w {seat}",
    ],
    Sector.NGO: [
        "Stowarzyszenie Rozwoju Gminy {gmina}", "Stowarzyszenie Przyjaciół Biblioteki w {seat}",
        "Stowarzyszenie na rzecz Rozwoju Wsi {village}", "Fundacja „{quoted}”",
        "Stowarzyszenie „{quoted}”",
    ],
    Sector.VOLUNTEER_FIRE: ["Ochotnicza Straż Pożarna w {loc}", "OSP w {loc}"],
    Sector.RURAL_WOMEN: [
        "Koło Gospodyń Wiejskich w {loc}", "Koło Gospodyń Wiejskich „{quoted}” w {loc}",
    ],
    Sector.SENIORS: [
        "Klub Seniora „{quoted}”", "Uniwersytet Trzeciego Wieku w {seat}",
        "Koło Emerytów i Rencistów w {seat}",
    ],
    Sector.YOUTH: [
        "Młodzieżowa Rada Gminy {gmina}", "Drużyna harcerska ZHP w {loc}",
        "Uczniowski Klub Sportowy „{quoted}”", "Grupa młodzieżowa przy parafii w {loc}",
    ],
    Sector.SOCIAL_CARE: {
        "1": ["Miejski Ośrodek Pomocy Społecznej w {seat}", "Dzienny Dom Seniora w {seat}"],
        "2": ["Gminny Ośrodek Pomocy Społecznej w {seat}", "Ośrodek Zdrowia w {loc}"],
        "3": ["Miejsko-Gminny Ośrodek Pomocy Społecznej w {seat}",
              "Środowiskowy Dom Samopomocy w {seat}", "Ośrodek Zdrowia w {loc}"],
    },
    Sector.PARISH: ["Parafia pw. {saint} w {loc}"],
    Sector.BUSINESS: [
        "Piekarnia „{quoted}”", "Bank Spółdzielczy w {seat}", "Zakład Stolarski {person}",
        "Gospodarstwo agroturystyczne „{quoted}”", "Usługi Transportowe {person}",
        "Sklep spożywczy „{quoted}” w {loc}",
    ],
    Sector.MEDIA: [
        "Biuletyn gminny „Wieści Gminne”", "Gazeta Powiatowa „Kurier {powiat}”",
        "Telewizja internetowa TV {gmina}",
    ],
    Sector.RESIDENT: ["{person}"],
    Sector.OTHER: [
        "Rada Sołecka wsi {village}", "Koło Łowieckie „{quoted}”", "Koło Pszczelarzy w {seat}",
    ],
}
QUOTED_NAMES = {
    Sector.NGO: ["Aktywni Razem", "Zielony Zakątek", "Nasza Wieś", "Pod Lipą", "Wspólna Sprawa",
                 "Dobre Miejsce", "Przystań", "Tęcza"],
    Sector.RURAL_WOMEN: ["Jarzębinki", "Malwy", "Kaliny", "Sasanki", "Stokrotki",
                         "Słoneczniki", "Babeczki"],
    Sector.SENIORS: ["Złota Jesień", "Pogodna Jesień", "Wrzos", "Niezapominajka", "Radość"],
    Sector.YOUTH: ["Orlik", "Sokół", "Iskra", "Olimp"],
    Sector.BUSINESS: ["Złoty Kłos", "Pod Kasztanem", "Zacisze", "Leśna Polana", "Stara Kuźnia",
                      "Groszek", "Pod Lipami"],
    Sector.OTHER: ["Szarak", "Knieja", "Bażant"],
}

PARTNERSHIP_NAMES = [
    "Gminna Koalicja „Razem”", "Partnerstwo „Działamy Razem”", "Koalicja dla Biblioteki",
    "Partnerstwo „Sąsiedzi”", "Gminna Koalicja „Wspólna Sprawa”", "Partnerstwo „Pod Lipą”",
    "Koalicja „Nasza Biblioteka – Nasza Wieś”", "Partnerstwo „Otwarte Drzwi”",
]

WITHDRAWAL_REASONS = [
    "Zmiana dyrekcji biblioteki; nowa dyrekcja nie kontynuuje udziału w programie.",
    "Długotrwałe zwolnienie lekarskie jedynej bibliotekarki; brak zastępstwa.",
    "Remont budynku biblioteki – działalność zawieszona do końca roku.",
    "Decyzja organizatora biblioteki o rezygnacji z udziału w programie.",
]
REASSIGNMENT_REASONS = [
    "Dotychczasowa animatorka przejęła inne zadania w projekcie.",
    "Krótszy dojazd do biblioteki – nowy animator mieszka w sąsiednim powiecie.",
    "Prośba biblioteki o spotkania w innych dniach tygodnia.",
    "Długotrwałe zwolnienie lekarskie dotychczasowego animatora.",
]

AGREEMENT_GENITIVE = {
    AgreementKind.AGREEMENT: "porozumienia o partnerstwie",
    AgreementKind.DECLARATION: "deklaracji współpracy",
    AgreementKind.REGULATION: "regulaminu partnerstwa",
    AgreementKind.LETTER: "listu intencyjnego",
}

PARTICIPANTS = {
    MeetingKind.VISIT: (1, 4),
    MeetingKind.REMOTE: (1, 2),
    MeetingKind.PARTNERSHIP: (2, 12),
    MeetingKind.WORKSHOP: (6, 30),
}

SUMMARIES = {
    "kickoff": [
        "Pierwsza wizyta w bibliotece. Omówiliśmy cele programu, harmonogram rundy i to, kto "
        "w gminie już dziś współpracuje z biblioteką.",
        "Wizyta na początek: spacer z bibliotekarką po miejscowości, rozmowy w urzędzie gminy "
        "i w szkole. Zebraliśmy pierwsze pomysły na mapę partnerów.",
        "Spotkanie organizacyjne w bibliotece: jak będziemy się kontaktować, kiedy biblioteka "
        "przygotuje diagnozę lokalną i kogo warto o nią zapytać.",
    ],
    "diagnosis:remote": [
        "Konsultacja online: przegląd wyników diagnozy lokalnej i wstępnej listy partnerów "
        "({n} pozycji).",
        "Rozmowa telefoniczna o ankiecie dla mieszkańców i o tym, czego brakuje w gminie: "
        "oferty dla młodzieży, miejsca spotkań, transportu.",
    ],
    "diagnosis:workshop": [
        "Warsztat diagnostyczny z mieszkańcami: spacer badawczy i mapa zasobów gminy {gmina}.",
        "Warsztat w bibliotece: mieszkańcy zaznaczali na mapie miejsca ważne i zaniedbane.",
    ],
    "invitations": [
        "Rozmowa o zaproszeniach: treść listu, lista adresatów, podział telefonów między "
        "bibliotekę a urząd gminy.",
        "Omówienie, kto przyjdzie na pierwsze spotkanie i jak zachęcić lokalne firmy.",
        "Przegląd listy zaproszonych ({n}) i plan pierwszego spotkania partnerstwa.",
    ],
    "first": [
        "Pierwsze spotkanie partnerstwa w bibliotece. Przedstawienie programu, runda "
        "zapoznawcza, rozmowa o tym, czego brakuje w gminie i co każdy może wnieść.",
        "Pierwsze spotkanie przy kawie. Partnerzy opowiedzieli o swoich działaniach; wspólnie "
        "wypisaliśmy potrzeby mieszkańców gminy {gmina}.",
        "Spotkanie inaugurujące partnerstwo: prezentacja diagnozy lokalnej przygotowanej przez "
        "bibliotekę i dyskusja o wspólnych celach.",
    ],
    "planning": [
        "Spotkanie planistyczne: wizja partnerstwa i wybór obszarów działania (integracja "
        "międzypokoleniowa, historia lokalna, oferta dla młodzieży).",
        "Warsztat planowania: drzewo problemów, wybór priorytetów, pierwsze pomysły na wspólne "
        "działania.",
        "Praca nad planem działań: kto, co, kiedy. Rozmowa o kosztach i możliwych źródłach "
        "wsparcia (fundusz sołecki, lokalne firmy).",
    ],
    "plan_adopted": [
        "Przyjęcie planu działań partnerstwa. Partnerzy zaakceptowali wspólne działania "
        "i podział zadań; pierwsze będzie „{action}”.",
        "Ostatnie spotkanie planistyczne: poprawki do planu działań i jego przyjęcie.",
    ],
    "signing": [
        "Podpisanie {kind} przez partnerów; zdjęcie do lokalnej gazety.",
        "Spotkanie partnerstwa zakończone podpisaniem {kind}. Ustalono, kto reprezentuje "
        "partnerstwo na zewnątrz.",
    ],
    "action_prep": [
        "Przygotowania do wspólnego działania „{action}”: podział zadań, promocja, lista "
        "potrzebnych rzeczy.",
        "Ostatnie ustalenia przed działaniem „{action}”: program, dyżury, pogoda – plan B.",
    ],
    "action_visit": [
        "Wizyta podczas działania „{action}”. Dobra frekwencja, partnerzy chcą powtórzyć "
        "wydarzenie.",
    ],
    "evaluation": [
        "Spotkanie podsumowujące rundę: co się udało, czego się nauczyliśmy, jak partnerstwo "
        "będzie działać po zakończeniu programu.",
        "Ewaluacja z partnerami: ankieta, rozmowa o działaniach i plan na kolejny rok.",
    ],
    "followup:partnership": [
        "Spotkanie robocze partnerów: bieżące sprawy, informacje o wydarzeniach w gminie.",
        "Spotkanie partnerstwa w świetlicy: omówienie postępów i kolejnych kroków.",
        "Spotkanie partnerów w bibliotece: co udało się zrobić od ostatniego razu.",
    ],
    "followup:remote": [
        "Konsultacja online z liderką partnerstwa: postępy w realizacji planu.",
        "Rozmowa telefoniczna o przygotowaniach do kolejnego spotkania partnerstwa.",
        "Konsultacja telefoniczna: jak zachęcić nowych partnerów do udziału.",
    ],
    "followup:workshop": [
        "Warsztat z partnerami: jak promować wspólne działania w mediach społecznościowych.",
        "Warsztat o pozyskiwaniu środków na działania (fundusz sołecki, małe granty).",
        "Warsztat z mieszkańcami: zbieranie pomysłów na wspólne działania.",
    ],
    "followup:visit": [
        "Wizyta w bibliotece: rozmowa o finansowaniu działań i o nowych partnerach.",
        "Wizyta w bibliotece i w urzędzie gminy: omówienie postępów partnerstwa.",
    ],
    "followup_pre:visit": [
        "Wizyta w bibliotece: przegląd materiałów i plan kolejnych kroków.",
        "Wizyta: rozmowa z bibliotekarką, potem wspólnie do szkoły i ośrodka pomocy społecznej.",
    ],
    "followup_pre:remote": [
        "Kontakt telefoniczny: jak idzie diagnoza i zbieranie kontaktów do partnerów.",
        "Konsultacja online z bibliotekarką: mapa partnerów, trudne rozmowy, terminy.",
    ],
    "stalled:remote": [
        "Rozmowa telefoniczna: biblioteka zgłasza trudności (urlopy, brak czasu partnerów). "
        "Wrócimy do spotkań po przerwie.",
    ],
    "stalled:visit": [
        "Krótka wizyta: remont w budynku, spotkania partnerstwa zawieszone na kilka tygodni.",
    ],
    "withdrawal": [
        "Rozmowa z dyrekcją biblioteki i organizatorem o rezygnacji z udziału w programie.",
    ],
}
DECISIONS = {
    "kickoff": [
        "Biblioteka przygotuje mapę potencjalnych partnerów do końca miesiąca.",
        "Bibliotekarka przeprowadzi krótkie rozmowy z czytelnikami (ankieta przy wypożyczeniach).",
        "Kolejny kontakt telefoniczny za dwa tygodnie.",
    ],
    "diagnosis": [
        "Do mapy partnerów dopisujemy parafię i klub seniora.",
        "Diagnozę uzupełni rozmowa z dyrekcją szkoły.",
        "Wyniki ankiety zostaną pokazane na pierwszym spotkaniu.",
    ],
    "invitations": [
        "Zaproszenia wyjdą w tym tygodniu pocztą i e-mailem; do sołtysów – osobiście.",
        "Biblioteka zadzwoni do każdego zaproszonego dzień przed spotkaniem.",
    ],
    "first": [
        "Partnerzy spotkają się ponownie za miesiąc, by wybrać obszary działania.",
        "Powstaje grupa na komunikatorze dla partnerów.",
        "Urząd gminy udostępni salę na kolejne spotkania.",
    ],
    "planning": [
        "Projekt planu działań zostanie rozesłany partnerom do uwag.",
        "Priorytet na ten rok: oferta dla seniorów i młodzieży.",
        "Sołtysi zgłoszą wspólne działanie do funduszu sołeckiego.",
    ],
    "plan_adopted": [
        "Plan działań przyjęty; każdy partner odpowiada za jedno działanie.",
        "Biblioteka koordynuje plan i zbiera informacje o postępach.",
    ],
    "signing": [
        "Tekst dokumentu zostanie opublikowany na stronie biblioteki i gminy.",
        "Partnerzy wybrali osobę do kontaktu z mediami.",
    ],
    "action_prep": [
        "OSP zapewni namiot i ławki; KGW – poczęstunek.",
        "Plakaty rozniesie młodzież ze szkoły; informacja w biuletynie gminy.",
    ],
    "action_visit": ["Zdjęcia i relacja trafią na stronę biblioteki."],
    "evaluation": [
        "Partnerstwo będzie się spotykać raz na kwartał; koordynuje biblioteka.",
        "Partnerzy przygotują wspólny wniosek grantowy na przyszły rok.",
    ],
    "followup": [
        "Następne spotkanie w świetlicy wiejskiej.",
        "Biblioteka roześle notatkę ze spotkania.",
        "Zapraszamy na kolejne spotkanie nowych partnerów: OSP i radę sołecką.",
    ],
    "followup_pre": [
        "Bibliotekarka dokończy listę kontaktów.",
        "Kolejna konsultacja za dwa tygodnie.",
    ],
    "stalled": ["Kontakt ponownie po powrocie bibliotekarki z urlopu."],
    "withdrawal": ["Biblioteka prześle pisemną rezygnację do CAL."],
}
SUPPORT = [
    "– udostępni salę i nagłośnienie.",
    "– przygotuje poczęstunek na wspólne działanie.",
    "– pokryje koszt materiałów plastycznych.",
    "– zajmie się promocją w mediach społecznościowych.",
    "– zapewni transport dla seniorów.",
    "– przekaże nagrody w konkursie dla dzieci.",
]
DIAGNOSIS_NOTES = [
    "Mapa potencjalnych partnerów: {n} instytucji, organizacji i osób.",
    "Diagnoza lokalna: ankieta wśród czytelników i rozmowy z sołtysami; na mapie {n} partnerów.",
    "Diagnoza przygotowana z pomocą urzędu gminy; {n} potencjalnych partnerów.",
]
INVITATION_NOTES = [
    "Zaproszenia wysłane do {n} partnerów (listy, telefony, rozmowy osobiste).",
    "Zaproszono {n} instytucji i osób; ogłoszenie w kościele i na tablicach sołeckich.",
]
JOINT_ACTIONS = [
    ("Piknik rodzinny „Poznajmy się”", "Gry i zabawy dla rodzin, stoiska partnerów, kiermasz "
     "książek."),
    ("Dzień Seniora w bibliotece", "Spotkanie przy kawie, wspomnienia i warsztaty rękodzieła."),
    ("Gra terenowa „Śladami historii gminy”", "Drużyny rodzinne rozwiązują zagadki o miejscach "
     "ważnych dla miejscowości."),
    ("Międzypokoleniowe warsztaty kulinarne", "Babcie i wnuki gotują według dawnych przepisów "
     "z okolicy."),
    ("Wieczór filmowy w świetlicy", "Pokaz filmu i rozmowa; nagłośnienie zapewnia OSP."),
    ("Warsztaty cyfrowe dla seniorów", "Smartfon, bankowość internetowa i bezpieczeństwo "
     "w sieci – trenerami są uczniowie."),
    ("Sąsiedzka wymiana książek i roślin", "Stoiska przed biblioteką, wymiana sadzonek "
     "i książek."),
    ("Zbiórka wspomnień i starych fotografii", "Skanowanie zdjęć mieszkańców i spisywanie "
     "historii do kroniki gminy."),
    ("Rajd rowerowy szlakiem kapliczek", "Przejazd z przewodnikiem, ognisko na zakończenie."),
    ("Dzień Rodziny w bibliotece", "Animacje, pokaz sprzętu strażackiego, głośne czytanie."),
    ("Spotkanie autorskie z lokalną pisarką", "Rozmowa o książce i warsztaty pisania dla "
     "młodzieży."),
    ("Sadzenie drzew przy szkole", "Akcja ekologiczna z udziałem uczniów, leśników "
     "i rodziców."),
    ("Potańcówka w remizie", "Wieczór z muzyką kapeli ludowej i poczęstunkiem KGW."),
    ("Noc w bibliotece", "Nocne czytanie, gra detektywistyczna i wspólne śniadanie dla "
     "dzieci."),
    ("Warsztaty rękodzieła ludowego", "Wycinanki, haft i plecionkarstwo z miejscowymi "
     "twórczyniami."),
    ("Turniej gier planszowych", "Rodzinny turniej w świetlicy wiejskiej, nagrody od "
     "lokalnych firm."),
    ("Wystawa „Nasza wieś dawniej i dziś”", "Zdjęcia z archiwów rodzinnych i współczesne "
     "fotografie młodzieży."),
    ("Sprzątanie świata w gminie", "Wspólne sprzątanie lasu i brzegów rzeki."),
]

PRACTICE_REASONS = [
    "Każdy partner wziął na siebie jedną część: szkoła przygotowała uczniów, koło gospodyń "
    "poczęstunek, OSP nagłośnienie. Nikt nie był tylko gościem, więc wszyscy czuli, że to "
    "ich wydarzenie.",
    "Zaczęliśmy od pytania mieszkańców, czego im brakuje, a nie od gotowego pomysłu. Dzięki "
    "temu przyszli ludzie, którzy wcześniej nie zaglądali do biblioteki.",
    "Młodzież sama poprowadziła warsztaty dla seniorów. Role się odwróciły i obie strony "
    "chcą spotkać się znowu – umówiliśmy kolejny termin na miejscu.",
    "Wójt był od początku i od razu zadeklarował salę i transport. Jedna rozmowa w urzędzie "
    "przed spotkaniem oszczędziła nam tygodni ustaleń.",
    "Spotkanie odbyło się w remizie, nie w bibliotece – na neutralnym gruncie łatwiej było "
    "zaprosić organizacje, które dotąd ze sobą nie współpracowały.",
    "Krótka, konkretna lista zadań z nazwiskami i terminami na koniec spotkania. Po dwóch "
    "tygodniach wszystko było zrobione.",
    "Zdjęcia i relacja z działania trafiły do gazetki parafialnej i na stronę gminy; "
    "po publikacji zgłosili się dwaj nowi partnerzy.",
    "Połączyliśmy działanie z wydarzeniem, które i tak się odbywa (dożynki), więc nie "
    "trzeba było przekonywać ludzi, by przyszli drugi raz.",
]
