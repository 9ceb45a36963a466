"""A picture of a partnership, and of the sectors that join the partnerships of a voivodeship.

The card draws one partnership: its library in the middle, the partners around it grouped by
sector (in the order of `Sector`), each line as thick as the number of the partnership's
meetings the partner attended (the number is also written in the partner's circle), a second
ring round each signatory of the agreement, and the partners who left faded with a dashed line.
The dashboard draws the same kind of picture for a voivodeship: the voivodeship in the middle,
one circle per sector, the line as thick as the number of partnerships with an active partner
of that sector.

Everything is laid out here, on the server, as coordinates of an SVG that the templates only
write out (`templates/partnerships/_picture_svg.html`); nothing is left to JavaScript. Each
picture is drawn twice: a narrow drawing for a phone (one column: the middle between the
partners above and below it) and a wide one (two columns on either side of the middle). The
page shows one of them (static/css/app.css). Text is 14 units high: the phone's drawing is 320
units wide, so at 360 px (about 294 px for the drawing) a label is still 12.9 px high.

Labels are wrapped at word boundaries by an estimate of their width (`text_width`: each
character's width in DejaVu Sans, the widest usual sans-serif; no font is measured on the
server); what does not fit in two lines (three on a phone) ends with "…", the whole name being
in the `<title>` of the partner's circle and in the table under the picture.
"""

import datetime
import unicodedata
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partnerships.models import Agreement, Partner, Sector, Status
from prb_partnerships.collation import polish

FONT = 14  # every label, in drawing units
HUB_FONT = 15  # the name in the middle, bold
LINE = 17  # from one line of a label to the next
NODE_R = 13  # a partner's circle (two digits fit in it)
RING_GAP = 4  # the signatory's second ring, outside the circle
MAX_LINE_WIDTH = 11  # the thickest line (the most meetings)
MIN_LINE_WIDTH = 1.5  # a partner at no meeting yet
PAD = 12  # above and below the drawing

VARIANTS = {
    # One column: the middle (hub_x) on the left, the partners' circles at node_x, their names
    # from label_x to the right edge; the middle's row between the partners above and below.
    "phone": {"width": 320, "hub_x": 27, "hub_r": 20, "node_x": 86},
    # Two columns: the middle at the centre, circles at centre ± node_dx, names outside them.
    "wide": {"width": 760, "hub_r": 28, "node_dx": 128},
}


@dataclass
class Spoke:
    """One circle around the middle: a partner (the card) or a sector (the dashboard)."""

    key: str  # unique within the picture (an element's id)
    name: str
    group: str  # the heading it stands under ("" for none)
    count: int  # meetings attended, or partnerships
    title: str  # the whole story, for the circle's tooltip
    signed: bool = False
    left: bool = False


# Advance widths in ems of DejaVu Sans, the widest of the usual sans-serif fonts (what a Linux
# browser falls back to): an estimate that holds for Segoe UI, Roboto or Helvetica too.
WIDTHS = {
    **dict.fromkeys("ijl.,:;'|!", 0.28),
    **dict.fromkeys(" ftI/-()[]\"„”“«»", 0.36),
    "r": 0.42, "s": 0.53, "c": 0.55, "z": 0.53, "J": 0.3,
    **dict.fromkeys("kvxyF", 0.6),
    **dict.fromkeys("abdeghnopqu0123456789LPST", 0.64),
    **dict.fromkeys("ABCEKRXYZ", 0.7),
    **dict.fromkeys("DGHNOQUV", 0.79),
    "w": 0.82, "m": 0.98, "M": 0.87, "W": 0.99, "…": 1.0, "—": 1.0, "–": 0.5,
}  # fmt: skip
BOLD = 1.12  # bold is that much wider


def text_width(text: str, font: float = FONT, bold: bool = False) -> float:
    """The estimated width of `text` in drawing units (a letter with a diacritic as its base
    letter: ś as s, Ł as L)."""
    ems = sum(WIDTHS.get(unicodedata.normalize("NFD", c)[0], 0.7) for c in text)
    return ems * font * (BOLD if bold else 1)


def wrap(text: str, width: float, *, font: float = FONT, bold: bool = False,
         lines: int = 2) -> list[str]:
    """`text` in at most `lines` lines no wider than `width`, broken between words (a word too
    long for a line is cut with a hyphen); what does not fit ends with "…"."""

    def fits(line):
        return text_width(line, font, bold) <= width

    out: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if fits(candidate):
            current = candidate
            continue
        if current:
            out.append(current)
        while not fits(word):  # a word longer than a line: cut it
            cut = len(word) - 1
            while cut > 1 and not fits(word[:cut] + "-"):
                cut -= 1
            out.append(word[:cut] + "-")
            word = word[cut:]
        current = word
    if current:
        out.append(current)
    if len(out) > lines:
        last = out[lines - 1].rstrip(" -")
        while last and not fits(last + "…"):
            last = last[:-1].rstrip(" -")
        out = out[: lines - 1] + [last + "…"]
    return out or [""]


def _line_width(count: int, most: int) -> float:
    """Proportional to `count`, the thickest for the most (but not thicker than needed for a
    few): 0 → a hairline, each meeting a step thicker."""
    return round(MIN_LINE_WIDTH + (MAX_LINE_WIDTH - MIN_LINE_WIDTH) * count / max(most, 5), 1)


def _text(lines, x, y, line=LINE, font=FONT):
    """Baselines of `lines` centred on `y`."""
    first = y - (len(lines) - 1) * line / 2 + 0.35 * font
    return [
        {"x": round(x, 1), "y": round(first + i * line, 1), "text": text}
        for i, text in enumerate(lines)
    ]


class _Column:
    """Rows stacked from the top: headings and spokes, each with its height."""

    def __init__(self, label_width, node_r, label_lines=2):
        self.label_width = label_width
        self.label_lines = label_lines
        self.node_r = node_r

    def rows(self, spokes):
        """[(kind, spoke or heading text, lines, height)] in order, a heading before each group."""
        rows, group = [], None
        for spoke in spokes:
            if spoke.group and spoke.group != group:
                lines = wrap(spoke.group, self.label_width, bold=True, lines=3)
                rows.append(("heading", spoke.group, lines, len(lines) * LINE + 14))
            group = spoke.group
            lines = wrap(spoke.name, self.label_width, lines=self.label_lines)
            rows.append(("spoke", spoke, lines, max(2 * self.node_r + 10, len(lines) * LINE + 10)))
        return rows


def _split(spokes, column):
    """Where to cut the spokes into two parts of about the same height (left and right, or above
    and below the middle): between two groups if that is nearly as even; in a group its heading
    is repeated."""
    if len(spokes) < 2:
        return [], list(spokes)
    best = None
    for at in range(1, len(spokes)):
        first, second = column.rows(spokes[:at]), column.rows(spokes[at:])
        height = [sum(r[3] for r in part) for part in (first, second)]
        inside = spokes[at - 1].group == spokes[at].group and spokes[at].group
        cost = abs(height[0] - height[1]) + (40 if inside else 0)
        if best is None or cost < best[0]:
            best = (cost, at)
    return spokes[: best[1]], spokes[best[1] :]


def layout(hub_name: str, spokes: list[Spoke], variant: str) -> dict:
    """The coordinates of one drawing (`variant` of VARIANTS) of `spokes` around `hub_name`."""
    size = VARIANTS[variant]
    width = size["width"]
    most = max((s.count for s in spokes), default=0)
    digits = len(str(most))
    node_r = NODE_R + 4 * max(0, digits - 2)
    gap = node_r + RING_GAP + 6  # from a circle's centre to its label
    if variant == "phone":
        node_x = size["node_x"]
        label_x = node_x + gap
        # A phone has room below rather than beside: a name may take three lines.
        column = _Column(width - label_x - 4, node_r, 3)
        above, below = _split(spokes, column)
        hub_lines = wrap(hub_name, width - label_x - 4, font=HUB_FONT, bold=True, lines=3)
        hub_height = max(2 * size["hub_r"] + 24, len(hub_lines) * (LINE + 1) + 24)
        parts = [column.rows(above), column.rows(below)]
        height = PAD * 2 + hub_height + sum(r[3] for part in parts for r in part)
        hub_y = PAD + sum(r[3] for r in parts[0]) + hub_height / 2
        hub = {
            "x": size["hub_x"],
            "y": round(hub_y, 1),
            "r": size["hub_r"],
            "lines": _text(hub_lines, label_x, hub_y, LINE + 1, HUB_FONT),
            "anchor": "start",
        }
        placed = _place(parts[0], PAD, node_x, label_x, "start", column) + _place(
            parts[1], hub_y + hub_height / 2, node_x, label_x, "start", column
        )
    else:
        centre = width / 2
        label_room = centre - size["node_dx"] - gap - 4
        column = _Column(label_room, node_r)
        left, right = _split(spokes, column)
        parts = [column.rows(left), column.rows(right)]
        heights = [sum(r[3] for r in part) for part in parts]
        hub_lines = wrap(
            hub_name, 2 * (size["node_dx"] - gap), font=HUB_FONT, bold=True, lines=3
        )
        hub_height = 2 * size["hub_r"] + 16 + len(hub_lines) * (LINE + 1)
        inner = max(*heights, hub_height + 2 * size["hub_r"])
        height = inner + 2 * PAD
        hub_y = PAD + inner / 2
        # The name under the circle, on a white plate that hides the lines passing behind it.
        name_y = hub_y + size["hub_r"] + 10 + len(hub_lines) * (LINE + 1) / 2
        plate_w = max(text_width(line, HUB_FONT, bold=True) for line in hub_lines) + 12
        plate_h = len(hub_lines) * (LINE + 1) + 8
        hub = {
            "x": centre,
            "y": round(hub_y, 1),
            "r": size["hub_r"],
            "lines": _text(hub_lines, centre, name_y, LINE + 1, HUB_FONT),
            "anchor": "middle",
            "plate": {
                "x": round(centre - plate_w / 2, 1),
                "y": round(name_y - plate_h / 2, 1),
                "width": round(plate_w, 1),
                "height": plate_h,
            },
        }
        placed = []
        for part, part_height, side in zip(parts, heights, (-1, 1), strict=True):
            node_x = centre + side * size["node_dx"]
            placed += _place(
                part,
                PAD + (inner - part_height) / 2,
                node_x,
                node_x + side * gap,
                "end" if side < 0 else "start",
                column,
            )
    spokes_out, headings = [], []
    for kind, item, lines, x, y, anchor, node_x in placed:
        if kind == "heading":
            headings.append({"lines": _text(lines, x, y), "anchor": anchor})
            continue
        spokes_out.append(
            {
                "spoke": item,
                "x": node_x,
                "y": round(y, 1),
                "r": node_r,
                "ring": node_r + RING_GAP,
                "width": _line_width(item.count, most),
                "label": _text(lines, x, y),
                "anchor": anchor,
                "count_y": round(y + 0.35 * FONT, 1),
            }
        )
    return {
        "variant": variant,
        "width": width,
        "height": round(height),
        "hub": hub,
        "spokes": spokes_out,
        "headings": headings,
    }


def _place(rows, top, node_x, label_x, anchor, column):
    """Rows stacked from `top`: (kind, item, lines, label x, centre y, anchor, circle x)."""
    out, y = [], top
    for kind, item, lines, height in rows:
        if kind == "heading":
            # The heading sits low in its row, near the group it names.
            out.append((kind, item, lines, label_x, y + height / 2 + 3, anchor, node_x))
        else:
            out.append((kind, item, lines, label_x, y + height / 2, anchor, node_x))
        y += height
    return out


# ----- The card: one partnership -----


def partners_of(partnership):
    """The partners of `partnership` in the order of the picture (sector, then name), each with
    `meetings_attended` (the partnership's meetings they were present at) and `signed` (a
    signatory of its agreement): one query."""
    signatories = Agreement.signatories.through.objects.filter(
        partner=OuterRef("pk"), agreement__partnership=partnership
    )
    partners = (
        Partner.objects.filter(partnership=partnership)
        .annotate(
            meetings_attended=Count(
                "meetings", filter=Q(meetings__partnership=partnership), distinct=True
            ),
            signed=Exists(signatories),
        )
        .order_by(polish("name"), "pk")
    )
    order = {sector.value: index for index, sector in enumerate(Sector)}
    return sorted(partners, key=lambda p: order.get(p.sector, len(order)))


def partner_title(partner) -> str:
    """What the circle's tooltip says about a partner: name, meetings, signed, left."""
    parts = [
        partner.name,
        ngettext("%(n)d meeting attended", "%(n)d meetings attended", partner.meetings_attended)
        % {"n": partner.meetings_attended},
    ]
    if partner.signed:
        parts.append(_("signed the agreement"))
    if partner.left_on:
        parts.append(
            _("left on %(day)s") % {"day": date_format(partner.left_on, "j E Y")}
        )
    return " — ".join(parts)


def partnership_picture(partnership, library) -> dict | None:
    """The picture of `partnership` (of `library`) for the card: its partners with their facts
    (the table) and the two drawings; None without partners."""
    partners = partners_of(partnership)
    if not partners:
        return None
    labels = dict(Sector.choices)
    spokes = [
        Spoke(
            key=f"partner-{p.pk}",
            name=p.name,
            group=capfirst(str(labels.get(p.sector, p.sector))),
            count=p.meetings_attended,
            title=partner_title(p),
            signed=p.signed,
            left=p.left_on is not None,
        )
        for p in partners
    ]
    return {
        "partners": partners,
        "count": len(partners),
        "signatories": sum(1 for p in partners if p.signed),
        "left": sum(1 for p in partners if p.left_on),
        "drawings": [layout(library.name, spokes, variant) for variant in ("wide", "phone")],
    }


# ----- The dashboard: the sectors that join the partnerships of a voivodeship -----


def sector_counts(partnerships, as_of: datetime.date) -> dict:
    """Sector value → how many of `partnerships` had an active partner of that sector on
    `as_of` (joined by then, not left): one query, whatever their number."""
    ids = [p.pk for p in partnerships]
    if not ids:
        return {}
    pairs = (
        Partner.objects.filter(partnership_id__in=ids)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=as_of))
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=as_of))
        .order_by()  # (the model's ordering would be part of DISTINCT)
        .values_list("sector", "partnership_id")
        .distinct()
    )
    counts: dict = {}
    for sector, _partnership in pairs:
        counts[sector] = counts.get(sector, 0) + 1
    return counts


def sector_picture(data: dict, *, as_of: datetime.date, code: str | None, scope: str) -> dict:
    """The dashboard's picture of the sectors that join partnerships: in the voivodeship of
    TERYT `code` (or the whole scope shown without one) among the partnerships of the dashboard's
    `data` (its scope, round and day) that had not withdrawn by `as_of`."""
    rows = {row.voivodeship.code: row for row in data["voivodeships"]}
    code = (code or "").strip()
    chosen = rows.get(code)
    partnerships = [p for p in data["partnerships"] if p.status != Status.WITHDRAWN]
    if chosen is not None:
        partnerships = [p for p in partnerships if p.library.voivodeship_id == code]
        hub_name = _("%(name)s voivodeship") % {"name": chosen.voivodeship.name}
    else:
        hub_name = _("Your partnerships") if scope == "mine" else _("Whole programme")
    counts = sector_counts(partnerships, as_of)
    total = len(partnerships)
    table = []
    for sector in Sector:
        n = counts.get(sector.value, 0)
        table.append(
            {
                "sector": sector,
                "label": capfirst(str(sector.label)),
                "count": n,
                "share": round(100 * n / total) if total else None,
            }
        )
    table.sort(key=lambda row: -row["count"])  # stable: sectors of equal count keep their order
    spokes = [
        Spoke(
            key=f"sector-{row['sector'].value}",
            name=row["label"],
            group="",
            count=row["count"],
            title=ngettext(
                "%(sector)s: %(n)d of %(total)d partnership (%(share)d%%)",
                "%(sector)s: %(n)d of %(total)d partnerships (%(share)d%%)",
                total,
            )
            % {"sector": row["label"], "n": row["count"], "total": total, "share": row["share"]},
        )
        for row in table
        if row["count"]
    ]
    return {
        "code": code if chosen else "",
        "unknown": code if code and chosen is None else "",
        "name": hub_name,
        "choices": [row.voivodeship for row in data["voivodeship_rows"] if row.total],
        "total": total,
        "rows": table,
        "drawings": (
            [layout(hub_name, spokes, variant) for variant in ("wide", "phone")] if spokes else []
        ),
    }
