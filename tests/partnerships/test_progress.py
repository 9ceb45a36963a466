"""Stage and status of a partnership as they stood on any day of the round."""

import datetime
import functools

import pytest
from django.utils import timezone

from partnerships.models import Partnership, Stage, Status
from partnerships.progress import late_q, missed_meeting_q, quiet_q
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date


def progress(partnership, day):
    p = Partnership.objects.with_progress(day).get(pk=partnership.pk)
    return p.stage, p.status


def reach(partnership, stage, day):
    factories.MilestoneFactory(partnership=partnership, stage=stage, reached_on=day)


def test_a_partnership_day_by_day(partnership):
    reach(partnership, Stage.DIAGNOSIS, D(2026, 3, 20))
    reach(partnership, Stage.INVITATIONS, D(2026, 4, 20))  # deadline 15 April: 5 days late

    assert progress(partnership, D(2026, 3, 1)) == (None, Status.ON_TRACK)
    assert progress(partnership, D(2026, 3, 20)) == (Stage.DIAGNOSIS, Status.ON_TRACK)
    assert progress(partnership, D(2026, 4, 15)) == (Stage.DIAGNOSIS, Status.ON_TRACK)
    assert progress(partnership, D(2026, 4, 16)) == (Stage.DIAGNOSIS, Status.LATE)
    assert progress(partnership, D(2026, 4, 20)) == (Stage.INVITATIONS, Status.ON_TRACK)
    assert progress(partnership, D(2026, 5, 1)) == (Stage.INVITATIONS, Status.LATE)


def test_missing_the_first_deadline_is_late(partnership):
    assert progress(partnership, D(2026, 3, 31)) == (None, Status.ON_TRACK)
    assert progress(partnership, D(2026, 4, 1)) == (None, Status.LATE)


def test_the_last_stage_reached_is_done(partnership):
    days = [D(2026, 3, 10), D(2026, 4, 10), D(2026, 4, 25), D(2026, 6, 1), D(2026, 6, 20),
            D(2026, 8, 20), D(2026, 9, 18)]
    for stage, day in zip(Stage, days, strict=True):
        reach(partnership, stage, day)

    assert progress(partnership, D(2026, 9, 18)) == (Stage.EVALUATION, Status.DONE)
    assert progress(partnership, D(2026, 9, 17)) == (Stage.JOINT_ACTION, Status.ON_TRACK)


def test_a_skipped_stage_still_counts_the_highest_reached(partnership):
    reach(partnership, Stage.DIAGNOSIS, D(2026, 3, 10))
    reach(partnership, Stage.FIRST_MEETING, D(2026, 3, 25))

    assert progress(partnership, D(2026, 4, 20)) == (Stage.FIRST_MEETING, Status.ON_TRACK)


def test_withdrawn_from_the_day_of_withdrawal(partnership):
    partnership.withdrawn_on = D(2026, 5, 10)
    partnership.save()

    assert progress(partnership, D(2026, 5, 9))[1] == Status.LATE
    assert progress(partnership, D(2026, 5, 10))[1] == Status.WITHDRAWN


def _local(year, month, day, hour, minute=0):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def test_the_sql_filters_agree_with_progress_on_every_day_of_the_round(round_):
    """Lists filter on `late_q`, `quiet_q` and `missed_meeting_q`; pages read `Progress`. On
    each day from before the round's start to after its end both pick the same partnerships."""
    make = functools.partial(factories.PartnershipFactory, round=round_)
    silent = make()  # nothing at all: quiet from day 21 of the round
    meeting_often = make()
    for day in (D(2026, 3, 5), D(2026, 3, 20), D(2026, 4, 8), D(2026, 5, 30), D(2026, 7, 1)):
        factories.MeetingFactory(partnership=meeting_often, date=day,
                                 next_meeting_on=day + datetime.timedelta(days=10))
    # Reassigned: the first animator from the round's start, a new one late in the evening of
    # 10 April (local time), who logs a meeting on 20 May that plans nothing further.
    reassigned = make()
    factories.AssignmentFactory(partnership=reassigned, assigned_at=_local(2026, 2, 20, 9),
                                ended_at=_local(2026, 4, 10, 23, 30))
    factories.AssignmentFactory(partnership=reassigned, assigned_at=_local(2026, 4, 10, 23, 30))
    factories.MeetingFactory(partnership=reassigned, date=D(2026, 5, 20))
    # Assigned just after midnight (the previous day in UTC), a meeting planned for 1 June.
    after_midnight = make()
    factories.AssignmentFactory(partnership=after_midnight, assigned_at=_local(2026, 5, 2, 0, 15))
    factories.MeetingFactory(partnership=after_midnight, date=D(2026, 5, 12),
                             next_meeting_on=D(2026, 6, 1))
    withdrawn = make(withdrawn_on=D(2026, 6, 10))
    factories.MeetingFactory(partnership=withdrawn, date=D(2026, 4, 1),
                             next_meeting_on=D(2026, 4, 20))
    done = make()
    factories.reach_stages(done, 7, days=[D(2026, 3, 10), D(2026, 3, 20), D(2026, 4, 2),
                                          D(2026, 5, 5), D(2026, 6, 1), D(2026, 7, 1),
                                          D(2026, 8, 3)])
    late = make()
    factories.reach_stages(late, 1, days=[D(2026, 3, 30)])
    rules = {
        "late": (late_q, lambda p: p.status == Status.LATE),
        "quiet": (quiet_q, lambda p: p.progress.quiet),
        "missed_meeting": (missed_meeting_q, lambda p: p.progress.missed_meeting_on is not None),
    }
    seen = {name: set() for name in rules}

    day = round_.start - datetime.timedelta(days=3)
    while day <= round_.end + datetime.timedelta(days=3):
        partnerships = Partnership.objects.filter(round=round_).with_progress(day)
        rows = list(partnerships)
        for name, (sql, python) in rules.items():
            in_python = {p.pk for p in rows if python(p)}
            sql_q = late_q() if name == "late" else sql(day)
            in_sql = set(partnerships.filter(sql_q).values_list("pk", flat=True))
            assert in_sql == in_python, (name, day)
            seen[name] |= in_python
        day += datetime.timedelta(days=1)

    # Each rule picked partnerships on some day, so the comparison compared something.
    assert seen["quiet"] >= {silent.pk, reassigned.pk, after_midnight.pk, late.pk}
    assert seen["missed_meeting"] >= {meeting_often.pk, after_midnight.pk, withdrawn.pk}
    assert seen["late"] >= {late.pk, silent.pk} and done.pk not in seen["missed_meeting"]
