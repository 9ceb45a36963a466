"""The rules of a partnership's state (partnerships/progress.py) at their edges, and the same
words on every page that shows them."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from partnerships.models import Partnership, Stage, Status
from partnerships.progress import QUIET_DAYS
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


def state(partnership, day):
    return Partnership.objects.with_progress(day).get(pk=partnership.pk).progress


def test_quiet_from_day_21_counted_from_the_last_meeting(partnership):
    factories.reach_stages(partnership, 2)
    factories.MeetingFactory(partnership=partnership, date=D(2026, 4, 1))

    assert QUIET_DAYS == 21
    day_20, day_21 = state(partnership, D(2026, 4, 21)), state(partnership, D(2026, 4, 22))
    assert (day_20.days_quiet, day_20.quiet) == (20, False)
    assert (day_21.days_quiet, day_21.quiet) == (21, True)


def test_quiet_counts_from_the_assignment_when_it_is_later(partnership):
    factories.MeetingFactory(partnership=partnership, date=D(2026, 3, 2))
    factories.AssignmentFactory(
        partnership=partnership,
        assigned_at=timezone.make_aware(datetime.datetime(2026, 4, 10, 12)),
    )

    assert state(partnership, D(2026, 4, 30)).quiet is False  # day 20 of the new animator
    assert state(partnership, D(2026, 5, 1)).quiet_since == D(2026, 4, 10)
    assert state(partnership, D(2026, 5, 1)).quiet is True


def test_quiet_counts_from_the_round_start_without_meetings(partnership):
    assert state(partnership, D(2026, 3, 21)).quiet is False
    assert state(partnership, D(2026, 3, 22)).quiet is True


def test_late_the_day_after_the_deadline_not_on_it(partnership):
    factories.reach_stages(partnership, 1, days=[D(2026, 3, 20)])

    on_deadline = state(partnership, D(2026, 4, 15))
    day_after = state(partnership, D(2026, 4, 16))

    assert (on_deadline.status, on_deadline.overdue) == (Status.ON_TRACK, False)
    assert (on_deadline.next_stage, on_deadline.deadline) == (Stage.INVITATIONS, D(2026, 4, 15))
    assert on_deadline.days_to_deadline == 0
    assert (day_after.status, day_after.overdue) == (Status.LATE, True)
    assert day_after.overdue_since == D(2026, 4, 15)
    assert day_after.days_to_deadline is None


def test_python_and_sql_agree_on_late_every_day_of_the_round(partnership):
    factories.reach_stages(partnership, 3, days=[D(2026, 3, 20), D(2026, 4, 20), D(2026, 4, 28)])
    day = partnership.round.start
    while day <= partnership.round.end:
        progress = state(partnership, day)
        assert (progress.status == Status.LATE) == progress.overdue, day
        day += datetime.timedelta(days=7)


def test_a_planned_meeting_today_is_not_missed_yesterday_is(partnership):
    factories.MeetingFactory(partnership=partnership, date=D(2026, 3, 10),
                             next_meeting_on=D(2026, 3, 24))

    assert state(partnership, D(2026, 3, 24)).missed_meeting_on is None
    assert state(partnership, D(2026, 3, 24)).planned_meeting_on == D(2026, 3, 24)
    assert state(partnership, D(2026, 3, 25)).missed_meeting_on == D(2026, 3, 24)


def test_a_withdrawn_partnership_is_neither_late_quiet_nor_missing_a_meeting(partnership):
    factories.MeetingFactory(partnership=partnership, date=D(2026, 3, 10),
                             next_meeting_on=D(2026, 3, 24))
    partnership.withdrawn_on = D(2026, 4, 1)
    partnership.save()

    progress = state(partnership, D(2026, 6, 1))

    assert progress.status == Status.WITHDRAWN
    assert (progress.overdue, progress.quiet, progress.missed_meeting_on) == (False, False, None)
    assert progress.next_stage is None


def test_a_done_partnership_has_nothing_pending(partnership):
    factories.reach_stages(partnership, 7)

    progress = state(partnership, D(2026, 9, 30))

    assert progress.status == Status.DONE
    assert (progress.next_stage, progress.overdue, progress.quiet) == (None, False, False)


class TestOverdueIsSaidAsOverdue:
    """On 16 April, a partnership at stage 1 is late since the 15 April deadline."""

    @pytest.fixture(autouse=True)
    def _sixteenth_of_april(self, monkeypatch, partnership):
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: D(2026, 4, 16))
        factories.reach_stages(partnership, 1, days=[D(2026, 3, 20)])

    WORDS = "po terminie od 15 kwietnia: zaproszenie partnerów"

    def test_on_the_card_for_the_animator_and_the_librarian(self, client, animator, librarian,
                                                           library):
        for user in (animator.user, librarian):
            client.force_login(user)
            content = client.get(f"/libraries/{library.pk}/").content.decode()
            assert self.WORDS in content
            assert 'class="overdue"' in content

    def test_in_the_print_view(self, client, animator, library):
        client.force_login(animator.user)
        assert self.WORDS in client.get(f"/libraries/{library.pk}/?print=1").content.decode()

    def test_on_the_animators_home_and_the_list(self, client, animator, expert):
        client.force_login(animator.user)
        assert self.WORDS in client.get("/libraries/mine/").content.decode()
        client.force_login(expert)
        assert self.WORDS in client.get("/libraries/").content.decode()

    def test_never_as_a_next_deadline(self, client, animator, library):
        client.force_login(animator.user)
        content = client.get(f"/libraries/{library.pk}/").content.decode()
        # The stage line lists every deadline; the next-stage line never shows a past one.
        assert "— termin 15 kwietnia" not in content

    def test_in_the_export_of_the_list(self, client, expert):
        client.force_login(expert)
        text = client.get("/libraries/export.csv").content.decode("utf-8-sig")
        header, row = list(csv.reader(io.StringIO(text)))[1:3]  # after the row of filters
        assert row[header.index("Po terminie od")] == "2026-04-15"
        assert row[header.index("Następny etap")] == "zaproszenie partnerów"


def test_quiet_on_a_past_day_counts_from_the_animator_of_that_day(partnership):
    moment = timezone.make_aware
    first = factories.AssignmentFactory(
        partnership=partnership, assigned_at=moment(datetime.datetime(2026, 3, 1, 9)),
        ended_at=moment(datetime.datetime(2026, 5, 1, 9)),
    )
    factories.AssignmentFactory(
        partnership=partnership, animator=factories.AnimatorFactory(),
        assigned_at=moment(datetime.datetime(2026, 5, 1, 9)),
    )

    assert first.ended_at is not None
    assert state(partnership, D(2026, 4, 10)).quiet_since == D(2026, 3, 1)
    assert state(partnership, D(2026, 5, 10)).quiet_since == D(2026, 5, 1)
