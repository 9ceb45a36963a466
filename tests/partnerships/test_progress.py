"""Stage and status of a partnership as they stood on any day of the round."""

import datetime

import pytest

from partnerships.models import Partnership, Stage, Status
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
