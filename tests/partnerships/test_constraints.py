"""Each rule the database holds, tried and refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from libraries.models import Library
from partnerships.models import Assignment, Meeting, Milestone, Partnership, Round, Stage
from tests import factories

pytestmark = pytest.mark.django_db


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


class TestLibrary:
    def test_terc_code_has_seven_digits(self):
        refused(lambda: factories.LibraryFactory(terc="12060"))
        refused(lambda: factories.LibraryFactory(terc="12060x2"))

    def test_terc_code_starts_with_the_voivodeship_code(self):
        refused(lambda: factories.LibraryFactory(voivodeship=factories.voivodeship("12"),
                                                 terc="1406022"))

    def test_gmina_type_is_the_last_digit_of_the_terc_code(self):
        refused(lambda: factories.LibraryFactory(terc="1206022", gmina_type="3"))

    def test_terc_code_is_unique(self):
        factories.LibraryFactory(terc="1206022")
        refused(lambda: factories.LibraryFactory(terc="1206022"))

    def test_form_validation_explains_a_terc_code_of_another_voivodeship(self):
        library = factories.LibraryFactory.build(
            voivodeship=factories.voivodeship("12"), terc="1406022", gmina_type="2"
        )

        with pytest.raises(ValidationError) as error:
            library.full_clean()

        assert "kodem TERYT województwa (12)" in str(error.value.message_dict["terc"])

    def test_form_validation_refuses_a_malformed_terc_code(self):
        library = factories.LibraryFactory.build(terc="12-06-02")

        with pytest.raises(ValidationError) as error:
            library.full_clean()

        assert "terc" in error.value.message_dict

    def test_a_valid_library_passes(self):
        library = factories.LibraryFactory.build(
            voivodeship=factories.voivodeship("12"), terc="1206023", gmina_type="3"
        )

        library.full_clean()  # raises nothing
        library.save()
        assert Library.objects.filter(terc="1206023").exists()


class TestRound:
    def test_start_before_end(self):
        refused(lambda: factories.RoundFactory(start=datetime.date(2026, 3, 1),
                                               end=datetime.date(2026, 2, 1)))

    def test_deadline_inside_the_round(self):
        refused(lambda: factories.RoundFactory(deadline_evaluation=datetime.date(2026, 10, 31)))

    def test_deadlines_in_stage_order(self):
        refused(lambda: factories.RoundFactory(deadline_invitations=datetime.date(2026, 3, 10)))

    def test_default_round_is_march_to_september_with_the_programme_deadlines(self):
        round_ = factories.RoundFactory(start=datetime.date(2026, 3, 1))

        assert (round_.start, round_.end) == (datetime.date(2026, 3, 1), datetime.date(2026, 9, 30))
        assert list(round_.deadlines.values()) == [
            datetime.date(2026, 3, 31), datetime.date(2026, 4, 15), datetime.date(2026, 4, 30),
            datetime.date(2026, 6, 15), datetime.date(2026, 6, 30), datetime.date(2026, 8, 31),
            datetime.date(2026, 9, 30),
        ]


class TestPartnership:
    def test_one_partnership_per_library_and_round(self, partnership):
        refused(lambda: Partnership.objects.create(
            library=partnership.library, round=partnership.round))

    def test_the_same_library_may_take_part_in_another_round(self, partnership):
        later = factories.RoundFactory(name="Runda 2027", start=datetime.date(2027, 3, 1))

        Partnership.objects.create(library=partnership.library, round=later)

        assert partnership.library.partnerships.count() == 2


class TestAssignment:
    def test_at_most_one_active_assignment_per_partnership(self, partnership):
        factories.AssignmentFactory(partnership=partnership)
        refused(lambda: factories.AssignmentFactory(partnership=partnership))

    def test_ended_assignments_stay_as_history(self, partnership):
        day = datetime.timedelta(days=1)
        start = timezone.now() - 10 * day
        for ended_at in (start + day, start + 2 * day, None):
            factories.AssignmentFactory(
                partnership=partnership, assigned_at=start, ended_at=ended_at
            )

        assert Assignment.objects.filter(partnership=partnership).count() == 3

    def test_cannot_end_before_it_started(self, partnership):
        now = timezone.now()
        refused(lambda: factories.AssignmentFactory(
            partnership=partnership, assigned_at=now, ended_at=now - datetime.timedelta(days=1)))

    def test_animator_capacity_is_in_range(self):
        refused(lambda: factories.AnimatorFactory(capacity=0))


class TestMeeting:
    @pytest.mark.parametrize("participants", [-1, 100_000])
    def test_participants_not_negative_nor_absurd(self, partnership, participants):
        refused(lambda: factories.MeetingFactory(partnership=partnership,
                                                 participants=participants))

    def test_next_meeting_not_before_the_meeting(self, partnership):
        refused(lambda: factories.MeetingFactory(
            partnership=partnership, date=datetime.date(2026, 5, 10),
            next_meeting_on=datetime.date(2026, 5, 9)))

    @pytest.mark.parametrize("day", [datetime.date(2026, 2, 28), datetime.date(2026, 10, 1)])
    def test_date_inside_the_round(self, partnership, day):
        refused(lambda: factories.MeetingFactory(partnership=partnership, date=day))

    def test_date_cannot_be_moved_outside_the_round(self, partnership):
        meeting = factories.MeetingFactory(partnership=partnership, date=datetime.date(2026, 5, 5))

        refused(lambda: Meeting.objects.filter(pk=meeting.pk).update(
            date=datetime.date(2025, 12, 1)))
        meeting.refresh_from_db()
        assert meeting.date == datetime.date(2026, 5, 5)

    @pytest.mark.parametrize("day", [datetime.date(2026, 3, 1), datetime.date(2026, 9, 30)])
    def test_first_and_last_day_of_the_round_are_inside(self, partnership, day):
        factories.MeetingFactory(partnership=partnership, date=day)

        assert Meeting.objects.filter(partnership=partnership, date=day).exists()


class TestMilestone:
    def test_one_milestone_per_stage(self, partnership):
        factories.MilestoneFactory(partnership=partnership, stage=Stage.DIAGNOSIS)
        refused(lambda: factories.MilestoneFactory(partnership=partnership,
                                                   stage=Stage.DIAGNOSIS))

    def test_reached_inside_the_round(self, partnership):
        refused(lambda: Milestone.objects.create(
            partnership=partnership, stage=Stage.DIAGNOSIS, reached_on=datetime.date(2025, 1, 1)))


class TestPartnerAndJointAction:
    def test_partner_leaves_after_joining(self, partnership):
        refused(lambda: factories.PartnerFactory(
            partnership=partnership, joined_on=datetime.date(2026, 5, 1),
            left_on=datetime.date(2026, 4, 1)))

    def test_a_done_joint_action_has_its_date(self, partnership):
        refused(lambda: factories.JointActionFactory(partnership=partnership, status="done",
                                                     done_on=None))

    def test_participants_reached_not_absurd(self, partnership):
        refused(lambda: factories.JointActionFactory(partnership=partnership,
                                                     participants_reached=1_000_000))


def test_round_lookup_prefers_the_round_under_way(db):
    earlier = factories.RoundFactory(name="2025", start=datetime.date(2025, 3, 1))
    current = factories.RoundFactory(name="2026", start=datetime.date(2026, 3, 1))

    assert Round.objects.current(datetime.date(2026, 5, 1)) == current
    assert Round.objects.current(datetime.date(2025, 11, 1)) == earlier
    assert Round.objects.current(datetime.date(2024, 1, 1)) == earlier
