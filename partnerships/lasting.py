"""Will it last? What the dashboard and the round report show of the sustainability check.

The rule itself (the day the check starts, its four conditions, their wording) lives in
`partnerships.progress` (`Lasting`, `lasting_from`, `lasting_annotations`); this module only
sums it up:

- the dashboard (`dashboard`): from the day the check starts, the share of sustainable
  partnerships among those not withdrawn, for the partnerships shown (the expert's or the whole
  programme's) and per voivodeship (each row of the voivodeship table gets its `lasting`), and
  the partnerships missing exactly one condition, with what is missing;
- the round report (`report_sheet`): one row per partnership not withdrawn, its four
  conditions (yes / no), what is missing and whether it is sustainable, as of the report's day
  (also before the check starts, as a preview).

Both read the check from the partnerships they already read, annotated with
`lasting_annotations`: no query of their own.
"""

from dataclasses import dataclass

import tablib
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from partnerships.progress import LASTING_CONDITIONS, lasting_checked, lasting_from


@dataclass
class Share:
    """How many partnerships are judged (not withdrawn) and how many of them are sustainable."""

    judged: int = 0
    sustainable: int = 0

    @property
    def percent(self) -> int | None:
        """The share of sustainable partnerships, 0–100, or None when none is judged."""
        return round(100 * self.sustainable / self.judged) if self.judged else None


def dashboard(partnerships, voivodeship_rows, round_, as_of) -> dict:
    """The dashboard's part: {"lasting": {...}} for the template, and each of
    `voivodeship_rows` given its `lasting` Share. `partnerships` are those shown, read with
    `lasting_annotations(as_of)`."""
    starts_on = lasting_from(round_)
    checked = lasting_checked(round_, as_of)
    total = Share()
    rows = {}
    for row in voivodeship_rows:
        row.lasting = rows[row.voivodeship.code] = Share()
    missing_one = []
    if checked:
        for partnership in partnerships:
            check = partnership.progress.lasting
            if check is None:  # withdrawn: not judged
                continue
            for share in (total, rows[partnership.library.voivodeship_id]):
                share.judged += 1
                share.sustainable += check.sustainable
            if check.missing_one:
                missing_one.append((partnership, check.missing[0]))
    return {
        "lasting": {
            "checked": checked,
            "starts_on": starts_on,
            "total": total,
            "missing_one": missing_one,
        }
    }


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def report_sheet(partnerships) -> tablib.Dataset:
    """The round report's sheet: each partnership not withdrawn with its check (`partnerships`
    read with `lasting_annotations` and `with_activity`, in the report's order)."""
    headers = [
        _("Library"),
        _("TERC code"),
        _("Voivodeship"),
        _("Animator"),
        *[capfirst(str(label)) for label in LASTING_CONDITIONS.values()],
        _("Sustainable"),
        _("What is missing"),
    ]
    sheet = tablib.Dataset(headers=[str(h) for h in headers], title=_("Sustainability")[:31])
    for partnership in partnerships:
        check = partnership.progress.lasting
        if check is None:
            continue
        sheet.append(
            [
                partnership.library.name,
                partnership.library.terc,
                partnership.library.voivodeship.name,
                partnership.animator_name or "",
                *[_yes_no(condition.holds) for condition in check.conditions],
                _yes_no(check.sustainable),
                " ".join(condition.text for condition in check.missing),
            ]
        )
    return sheet
