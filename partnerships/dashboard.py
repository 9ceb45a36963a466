"""What the experts' dashboard shows about one round on one day ("as of").

Everything is computed from dated facts (milestones, meetings, assignments, agreements,
partners), so any past day of the round can be shown. A fixed number of queries, whatever the
number of partnerships; the rows are few hundred at most, so the sums are done in Python.

Scope: the whole programme, or one expert's partnerships — those whose active assignment's
animator she supervises, exactly what the `expert` filter of `/libraries/` lists.

Every figure that counts partnerships carries the address of `/libraries/` filtered to exactly
those partnerships (the round, the day as `as_of`, the expert in her scope, then `status`,
`stage`, `voivodeship`, `animator` or `attention`), so the list opens on the same number. A
withdrawn partnership is counted at the stage it reached, as the list's `stage` filter does.
The sustainability check's figures (partnerships/lasting.py) are the exception: the list has no
filter for them, so they link each partnership missing one condition to its card instead.
The animators' loads follow the assignments of the day shown, while the list's `animator`
filter follows today's: on a past day, after a reassignment, the two can differ.
"""

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from animators.models import Animator
from libraries.models import Voivodeship
from partnerships import lasting
from partnerships.filters import NOT_STARTED
from partnerships.models import (
    STAGE_ORDER,
    Agreement,
    Assignment,
    Meeting,
    Milestone,
    Partner,
    Partnership,
    Sector,
    Stage,
    Status,
)
from partnerships.next_round import compare_rounds
from partnerships.progress import QUIET_DAYS, lasting_annotations, stage_rank_on

# Voivodeships on a 4 × 4 tile map of Poland: TERYT code → (column, row).
TILE_MAP = {
    "32": (0, 0), "22": (1, 0), "28": (2, 0), "20": (3, 0),
    "08": (0, 1), "30": (1, 1), "04": (2, 1), "14": (3, 1),
    "02": (0, 2), "10": (1, 2), "26": (2, 2), "06": (3, 2),
    "16": (0, 3), "24": (1, 3), "12": (2, 3), "18": (3, 3),
}  # fmt: skip

# The voivodeships' letter codes (ISO 3166-2:PL), shown on the tiles of a phone.
ABBREVIATIONS = {
    "02": "DS", "04": "KP", "06": "LU", "08": "LB", "10": "LD", "12": "MA", "14": "MZ", "16": "OP",
    "18": "PK", "20": "PD", "22": "PM", "24": "SL", "26": "SK", "28": "WN", "30": "WP", "32": "ZP",
}  # fmt: skip


# Where the long single-word names may break: zachodnio-pomorskie, święto-krzyskie …
SOFT_HYPHEN = re.compile(r"^(zachodnio|święto|wielko|dolno|mało|pod)(?=\w{5})")


class ListLinks:
    """Addresses of `/libraries/` showing the partnerships behind a figure of the dashboard."""

    def __init__(self, *, round_, as_of, expert=None):
        self.base = {"round": round_.pk, "as_of": as_of.isoformat()}
        if expert is not None:
            self.base["expert"] = expert.pk

    def __call__(self, **filters) -> str:
        return f"{reverse('libraries:library_list')}?{urlencode({**self.base, **filters})}"


def status_label(status, count: int) -> str:
    """What follows the number on a status tile, in the number's plural form."""
    if status == Status.ON_TRACK:
        return ngettext("partnership on track", "partnerships on track", count)
    if status == Status.LATE:
        return ngettext("late partnership", "late partnerships", count)
    if status == Status.DONE:
        return ngettext("finished partnership", "finished partnerships", count)
    return ngettext("withdrawn partnership", "withdrawn partnerships", count)


@dataclass
class AnimatorRow:
    animator: Animator
    links: ListLinks
    partnerships: list = field(default_factory=list)

    @property
    def url(self):
        return self.links(animator=self.animator.pk)

    @property
    def late_url(self):
        return self.links(animator=self.animator.pk, status=Status.LATE.value)

    @property
    def load(self):
        return len(self.partnerships)

    @property
    def over_capacity(self):
        return self.load > self.animator.capacity

    @property
    def late(self):
        return sum(1 for p in self.partnerships if p.status == Status.LATE)

    @property
    def last_meeting_on(self):
        days = [p.last_meeting_on for p in self.partnerships if p.last_meeting_on]
        return max(days, default=None)


@dataclass
class VoivodeshipRow:
    voivodeship: Voivodeship
    links: ListLinks
    statuses: Counter = field(default_factory=Counter)

    @property
    def tile_name(self):
        """The name with a soft hyphen where a long one may break on a narrow tile."""
        return SOFT_HYPHEN.sub("\\1\u00ad", self.voivodeship.name)

    @property
    def abbreviation(self):
        return ABBREVIATIONS.get(self.voivodeship.code, self.voivodeship.code)

    @property
    def total(self):
        return sum(self.statuses.values())

    @property
    def url(self):
        return self.links(voivodeship=self.voivodeship.code)

    @property
    def cells(self):
        """[(status, count, address of the list)] in the order of the table's columns."""
        return [
            (
                status,
                self.statuses[status.value],
                self.links(voivodeship=self.voivodeship.code, status=status.value),
            )
            for status in Status
        ]

    @property
    def active(self):
        return sum(n for status, n in self.statuses.items() if status != Status.WITHDRAWN)

    @property
    def share_on_track(self):
        """Share of the active partnerships that are on track or done, 0–100, or None."""
        if not self.active:
            return None
        good = self.statuses[Status.ON_TRACK] + self.statuses[Status.DONE]
        return round(100 * good / self.active)


def _month_ends(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    ends, day = [], start
    while day <= end:
        next_month = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        ends.append(min(next_month - datetime.timedelta(days=1), end))
        day = next_month
    return ends


def _end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def build(*, round_, as_of: datetime.date, expert=None) -> dict:
    """The dashboard of `round_` on `as_of`: the whole programme, or only `expert`'s
    partnerships and animators when given."""
    in_round = Partnership.objects.filter(round=round_)
    if expert is not None:
        in_round = in_round.filter(Assignment.objects.active_exists(animator__expert=expert))
    partnerships = list(
        in_round.with_progress(as_of)
        .annotate(**lasting_annotations(as_of))
        .with_activity(as_of)
        .select_related("library__voivodeship")
        .order_by("library__name", "pk")
    )
    # What hangs on the partnerships shown (a subquery in an expert's scope, no extra query).
    of_scope = (
        Q(partnership__round=round_) if expert is None else Q(partnership__in=in_round.values("pk"))
    )
    links = ListLinks(round_=round_, as_of=as_of, expert=expert)
    by_pk = {p.pk: p for p in partnerships}
    active = [p for p in partnerships if p.status != Status.WITHDRAWN]

    stage_counts = Counter(p.stage_rank for p in partnerships)
    status_counts = Counter(p.status for p in partnerships)
    month_start = as_of.replace(day=1)
    meetings = Meeting.objects.filter(of_scope, date__lte=as_of).aggregate(
        in_round=Count("pk"), this_month=Count("pk", filter=Q(date__gte=month_start))
    )
    agreements = Agreement.objects.filter(of_scope, signed_on__lte=as_of).count()
    sectors = dict(
        Partner.objects.filter(of_scope)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=as_of))
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=as_of))
        .values_list("sector")
        .annotate(n=Count("pk"))
    )
    late = [p for p in active if p.status == Status.LATE]
    quiet = [p for p in active if p.progress.quiet]
    missed_meetings = [p for p in active if p.progress.missed_meeting_on]
    voivodeships = _voivodeships(partnerships, links)

    return {
        "partnerships": partnerships,
        "total_count": len(partnerships),
        "active_count": len(active),
        "stages": [
            {"rank": 0, "stage": None, "count": stage_counts[0], "url": links(stage=NOT_STARTED)},
            *[
                {
                    "rank": s.rank,
                    "stage": s,
                    "count": stage_counts[s.rank],
                    "url": links(stage=s.value),
                }
                for s in Stage
            ],
        ],
        "statuses": [
            {
                "status": s,
                "count": status_counts[s.value],
                "label": status_label(s, status_counts[s.value]),
                "url": links(status=s.value),
            }
            for s in Status
        ],
        "meetings_in_round": meetings["in_round"],
        "meetings_this_month": meetings["this_month"],
        "agreements": agreements,
        "sectors": sorted(
            ({"sector": s, "count": sectors.get(s.value, 0)} for s in Sector),
            key=lambda row: -row["count"],
        ),
        "quiet": quiet,
        "quiet_days": QUIET_DAYS,
        "late": late,
        "missed_meetings": missed_meetings,
        "attention_urls": {
            "late": links(attention="late"),
            "quiet": links(attention="quiet"),
            "missed": links(attention="missed_meeting"),
        },
        "burnup": _burnup(round_, as_of, by_pk, len(active)),
        "voivodeships": voivodeships,
        # An expert's table lists only the voivodeships of her partnerships.
        "voivodeship_rows": (
            voivodeships if expert is None else [row for row in voivodeships if row.total]
        ),
        "tiles": sorted(voivodeships, key=lambda row: TILE_MAP[row.voivodeship.code][::-1]),
        "animator_groups": _animators(round_.pk, as_of, by_pk, expert, links),
        # The round before on the same day of its round (partnerships/next_round.py).
        "round_comparison": compare_rounds(
            round_=round_, as_of=as_of, partnerships=partnerships, expert=expert
        ),
        **lasting.dashboard(partnerships, voivodeships, round_, as_of),
    }


def _burnup(round_, as_of, by_pk, total):
    """Per month end of the round (up to `as_of`): how many partnerships had reached each stage
    (or a later one). Withdrawn partnerships are left out."""
    reached = defaultdict(dict)  # partnership → {rank: day}
    for partnership_id, stage, day in Milestone.objects.filter(
        partnership__round=round_, reached_on__lte=as_of
    ).values_list("partnership_id", "stage", "reached_on"):
        partnership = by_pk.get(partnership_id)
        if partnership is not None and partnership.status != Status.WITHDRAWN:
            reached[partnership_id][Stage(stage).rank] = day
    months = []
    for month_end in _month_ends(round_.start, round_.end):
        if month_end.replace(day=1) > as_of:
            months.append({"end": month_end, "day": None, "counts": None})
            continue
        day = min(month_end, as_of)
        counts = [0] * len(STAGE_ORDER)  # counts[k]: reached stage k + 1 or a later one
        for ranks in reached.values():
            for rank in range(stage_rank_on(ranks, day)):
                counts[rank] += 1
        months.append({"end": month_end, "day": day, "counts": counts})
    return {"months": months, "total": total, "deadlines": round_.deadlines}


def _voivodeships(partnerships, links):
    rows = {v.code: VoivodeshipRow(v, links) for v in Voivodeship.objects.all()}
    for partnership in partnerships:
        rows[partnership.library.voivodeship_id].statuses[partnership.status] += 1
    return list(rows.values())


def _animators(round_id, as_of, by_pk, expert, links):
    """Animators with the partnerships shown that were assigned to them on `as_of`, grouped by
    expert."""
    animators = Animator.objects.filter(is_active=True).select_related("user", "expert")
    if expert is not None:
        animators = animators.filter(expert=expert)
    rows = {a.pk: AnimatorRow(a, links) for a in animators}
    end = _end_of_day(as_of)
    for partnership_id, animator_id in (
        Assignment.objects.filter(partnership__round_id=round_id, assigned_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=end))
        .values_list("partnership_id", "animator_id")
    ):
        # In an expert's scope a partnership reassigned since to another expert's animator is
        # not among those shown.
        if animator_id in rows and partnership_id in by_pk:
            rows[animator_id].partnerships.append(by_pk[partnership_id])
    groups = defaultdict(list)
    for row in rows.values():
        groups[row.animator.expert].append(row)
    return sorted(
        groups.items(),
        key=lambda item: (item[0] is None, item[0] and (item[0].last_name, item[0].first_name)),
    )


STAGE_COLOURS = ["#9a6700", "#1f78b4", "#2e7d32", "#6a3d9a", "#c62828", "#00838f", "#333333"]
# Two drawings of the burn-up: a phone's is narrower, so that its labels (14 units) stay at
# least 12 px high when the drawing is scaled down to a 360 px wide screen.
CHARTS = {
    "wide": {"width": 640, "height": 300, "left": 52, "right": 16, "top": 28, "bottom": 40},
    "phone": {"width": 320, "height": 260, "left": 44, "right": 10, "top": 26, "bottom": 32},
}


def burnup_chart(burnup, round_, as_of, variant="wide"):
    """Coordinates of the burn-up SVG: one line per stage, the deadlines, the as-of day."""
    size = CHARTS[variant]
    left, top = size["left"], size["top"]
    plot_w = size["width"] - size["left"] - size["right"]
    plot_h = size["height"] - size["top"] - size["bottom"]
    span = (round_.end - round_.start).days or 1
    total = max(burnup["total"], 1)

    def x(day):
        return round(left + (day - round_.start).days / span * plot_w, 1)

    def y(count):
        return round(top + plot_h - count / total * plot_h, 1)

    known = [m for m in burnup["months"] if m["counts"] is not None]
    lines = []
    for index, stage in enumerate(Stage):
        points = [(x(round_.start), y(0))] + [(x(m["day"]), y(m["counts"][index])) for m in known]
        lines.append(
            {
                "stage": stage,
                "colour": STAGE_COLOURS[index],
                "points": " ".join(f"{px},{py}" for px, py in points),
                "deadline": round_.deadlines[stage],
                "deadline_x": x(round_.deadlines[stage]),
            }
        )
    step = max(1, round(total / 4))
    values = list(range(0, total + 1, step))
    if values[-1] != total:
        # The total replaces a tick too close to it, so that their labels do not overlap.
        if total - values[-1] < step / 2 and len(values) > 1:
            values.pop()
        values.append(total)
    return {
        **size,
        "variant": variant,
        "plot_bottom": top + plot_h,
        "plot_right": left + plot_w,
        "y_label_x": left - 6,
        "x_label_y": top + plot_h + 20,
        "stage_label_y": top - 8,
        "lines": lines,
        "x_ticks": [{"day": m["end"], "x": x(m["end"])} for m in burnup["months"]],
        "y_ticks": [{"value": n, "y": y(n)} for n in values],
        "target_y": y(total),
        "as_of_x": x(round_.clamp(as_of)),
    }
