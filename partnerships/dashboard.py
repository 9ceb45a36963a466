"""What the experts' dashboard shows about one round on one day ("as of").

Everything is computed from dated facts (milestones, meetings, assignments, agreements,
partners), so any past day of the round can be shown. A fixed number of queries, whatever the
number of partnerships; the rows are few hundred at most, so the sums are done in Python.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from animators.models import Animator
from libraries.models import Voivodeship
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
from partnerships.progress import QUIET_DAYS, stage_rank_on

# Voivodeships on a 4 × 4 tile map of Poland: TERYT code → (column, row).
TILE_MAP = {
    "32": (0, 0), "22": (1, 0), "28": (2, 0), "20": (3, 0),
    "08": (0, 1), "30": (1, 1), "04": (2, 1), "14": (3, 1),
    "02": (0, 2), "10": (1, 2), "26": (2, 2), "06": (3, 2),
    "16": (0, 3), "24": (1, 3), "12": (2, 3), "18": (3, 3),
}  # fmt: skip


@dataclass
class AnimatorRow:
    animator: Animator
    partnerships: list = field(default_factory=list)

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
    statuses: Counter = field(default_factory=Counter)

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
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1),
                                                         datetime.time.min))


def build(*, round_, as_of: datetime.date, expert=None) -> dict:
    """The dashboard of `round_` on `as_of`; the animator view limited to `expert`'s animators
    when given."""
    partnerships = list(
        Partnership.objects.filter(round=round_)
        .with_progress(as_of)
        .with_activity(as_of)
        .select_related("library__voivodeship")
        .order_by("library__name", "pk")
    )
    by_pk = {p.pk: p for p in partnerships}
    active = [p for p in partnerships if p.status != Status.WITHDRAWN]

    stage_counts = Counter(p.stage_rank for p in active)
    status_counts = Counter(p.status for p in partnerships)
    month_start = as_of.replace(day=1)
    meetings = Meeting.objects.filter(partnership__round=round_, date__lte=as_of).aggregate(
        in_round=Count("pk"), this_month=Count("pk", filter=Q(date__gte=month_start))
    )
    agreements = Agreement.objects.filter(
        partnership__round=round_, signed_on__lte=as_of
    ).count()
    sectors = dict(
        Partner.objects.filter(partnership__round=round_)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=as_of))
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=as_of))
        .values_list("sector")
        .annotate(n=Count("pk"))
    )
    quiet = [p for p in active if p.progress.quiet]
    missed_meetings = [p for p in active if p.progress.missed_meeting_on]

    return {
        "partnerships": partnerships,
        "active_count": len(active),
        "stages": [
            {"rank": 0, "stage": None, "count": stage_counts[0]},
            *[{"rank": s.rank, "stage": s, "count": stage_counts[s.rank]} for s in Stage],
        ],
        "statuses": [{"status": s, "count": status_counts[s.value]} for s in Status],
        "meetings_in_round": meetings["in_round"],
        "meetings_this_month": meetings["this_month"],
        "agreements": agreements,
        "sectors": sorted(
            ({"sector": s, "count": sectors.get(s.value, 0)} for s in Sector),
            key=lambda row: -row["count"],
        ),
        "quiet": quiet,
        "quiet_days": QUIET_DAYS,
        "late": [p for p in active if p.status == Status.LATE],
        "missed_meetings": missed_meetings,
        "burnup": _burnup(round_, as_of, by_pk, len(active)),
        "voivodeships": _voivodeships(partnerships),
        "animator_groups": _animators(round_.pk, as_of, by_pk, expert),
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


def _voivodeships(partnerships):
    rows = {v.code: VoivodeshipRow(v) for v in Voivodeship.objects.all()}
    for partnership in partnerships:
        rows[partnership.library.voivodeship_id].statuses[partnership.status] += 1
    return list(rows.values())


def _animators(round_id, as_of, by_pk, expert):
    """Animators with the partnerships assigned to them on `as_of`, grouped by expert."""
    animators = Animator.objects.filter(is_active=True).select_related("user", "expert")
    if expert is not None:
        animators = animators.filter(expert=expert)
    rows = {a.pk: AnimatorRow(a) for a in animators}
    end = _end_of_day(as_of)
    for partnership_id, animator_id in Assignment.objects.filter(
        partnership__round_id=round_id, assigned_at__lt=end
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=end)).values_list(
        "partnership_id", "animator_id"
    ):
        if animator_id in rows:
            rows[animator_id].partnerships.append(by_pk[partnership_id])
    groups = defaultdict(list)
    for row in rows.values():
        groups[row.animator.expert].append(row)
    return sorted(
        groups.items(),
        key=lambda item: (item[0] is None, item[0] and (item[0].last_name, item[0].first_name)),
    )


STAGE_COLOURS = ["#9a6700", "#1f78b4", "#2e7d32", "#6a3d9a", "#c62828", "#00838f", "#333333"]
CHART = {"width": 640, "height": 300, "left": 48, "right": 16, "top": 28, "bottom": 40}


def burnup_chart(burnup, round_, as_of):
    """Coordinates of the burn-up SVG: one line per stage, the deadlines, the as-of day."""
    left, top = CHART["left"], CHART["top"]
    plot_w = CHART["width"] - CHART["left"] - CHART["right"]
    plot_h = CHART["height"] - CHART["top"] - CHART["bottom"]
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
    y_ticks = [{"value": n, "y": y(n)} for n in range(0, total + 1, step)]
    if y_ticks[-1]["value"] != total:
        y_ticks.append({"value": total, "y": y(total)})
    return {
        **CHART,
        "plot_bottom": top + plot_h,
        "plot_right": left + plot_w,
        "lines": lines,
        "x_ticks": [{"day": m["end"], "x": x(m["end"])} for m in burnup["months"]],
        "y_ticks": y_ticks,
        "target_y": y(total),
        "as_of_x": x(round_.clamp(as_of)),
    }
