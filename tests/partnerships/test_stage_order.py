"""Stages are reached only in order; a wrong click is refused, a mistake can be corrected."""

import datetime

import pytest
from django.utils import timezone

from partnerships import services
from partnerships.models import Agreement, Meeting, MeetingKind, Milestone, Partnership, Stage
from partnerships.progress import StageOrderError, plan_milestones
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 7, 20)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


def stages(partnership):
    return sorted(Stage(m.stage).rank for m in Milestone.objects.filter(partnership=partnership))


def new_stage(library):
    return f"/libraries/{library.pk}/milestones/new/"


class TestTheWrongClick:
    def test_stage_7_on_a_late_partnership_at_stage_4_is_refused(self, client, animator,
                                                                  partnership, library):
        factories.reach_stages(partnership, 4)
        client.force_login(animator.user)

        response = client.post(new_stage(library), {
            "stage": Stage.EVALUATION, "reached_on": "2026-07-20"})

        assert response.status_code == 400
        assert "tylko po kolei" in response.content.decode()  # not even offered
        assert stages(partnership) == [1, 2, 3, 4]
        home = client.get("/libraries/mine/").content.decode()
        assert "zakończone" not in home and "opóźnione" in home

    def test_the_form_offers_only_the_next_stage_with_today(self, client, animator, partnership,
                                                            library):
        factories.reach_stages(partnership, 1)
        client.force_login(animator.user)

        form = client.get(new_stage(library)).context["form"]

        assert [value for value, _label in form.fields["stage"].choices] == [Stage.INVITATIONS]
        assert form.initial["reached_on"] == TODAY

    def test_a_next_stage_proved_by_a_fact_links_to_its_form(self, client, animator, partnership,
                                                             library):
        factories.reach_stages(partnership, 4)
        client.force_login(animator.user)

        content = client.get(new_stage(library)).content.decode()

        assert f"/libraries/{library.pk}/agreement/" in content
        assert "<form method=\"post\" class=\"form" not in content

    def test_a_day_before_the_previous_stage_is_refused(self, client, animator, partnership,
                                                        library):
        factories.reach_stages(partnership, 1, days=[D(2026, 3, 20)])
        client.force_login(animator.user)

        response = client.post(new_stage(library), {
            "stage": Stage.INVITATIONS, "reached_on": "2026-03-19"})

        assert response.status_code == 400
        assert "nie może zostać osiągnięty przed etapem" in response.content.decode()
        assert stages(partnership) == [1]

    @pytest.mark.parametrize("day", ["2026-07-21", "2026-02-27", "2026-10-01"])
    def test_a_day_in_the_future_or_outside_the_round_is_refused(self, client, animator,
                                                                 partnership, library, day):
        client.force_login(animator.user)

        response = client.post(new_stage(library), {"stage": Stage.DIAGNOSIS, "reached_on": day})

        assert response.status_code == 400
        assert not Milestone.objects.exists()

    def test_the_service_refuses_a_stage_out_of_order_too(self, partnership, expert):
        with pytest.raises(StageOrderError):
            services.milestone_record(partnership=partnership, stage=Stage.PLANNING,
                                      reached_on=D(2026, 5, 1), note="", by=expert)
        assert not Milestone.objects.exists()


class TestFactsReachTheirStagesInOrder:
    def test_a_first_meeting_waits_for_the_stages_before_it(self, client, animator, partnership,
                                                            library):
        client.force_login(animator.user)
        response = client.post(
            f"/libraries/{library.pk}/meetings/new/",
            factories.meeting_post(date="2026-04-20", participants="8"),
            follow=True,
        )

        assert "nie jest jeszcze osiągnięty" in response.content.decode()
        assert stages(partnership) == []

        for stage, day in ((Stage.DIAGNOSIS, "2026-03-20"), (Stage.INVITATIONS, "2026-04-10")):
            client.post(new_stage(library), {"stage": stage, "reached_on": day})

        milestone = Milestone.objects.get(stage=Stage.FIRST_MEETING)
        assert (milestone.reached_on, milestone.meeting) == (D(2026, 4, 20), Meeting.objects.get())

    def test_deleting_the_meeting_a_later_stage_needs_is_refused(self, client, expert,
                                                                 partnership):
        factories.reach_stages(partnership, 4)
        meeting = Meeting.objects.get(kind=MeetingKind.PARTNERSHIP)
        client.force_login(expert)

        response = client.post(f"/meetings/{meeting.pk}/delete/", follow=True)

        assert "Spotkanie nie zostało usunięte" in response.content.decode()
        assert Meeting.objects.filter(pk=meeting.pk).exists()
        assert stages(partnership) == [1, 2, 3, 4]

    def test_an_agreement_dated_before_planning_is_kept_but_reaches_nothing(
            self, client, animator, partnership, library):
        factories.reach_stages(partnership, 4, days=[D(2026, 3, 5), D(2026, 3, 7),
                                                     D(2026, 3, 9), D(2026, 6, 10)])
        client.force_login(animator.user)

        response = client.post(f"/libraries/{library.pk}/agreement/", {
            "kind": "agreement", "signed_on": "2026-06-01"}, follow=True)

        assert Agreement.objects.filter(partnership=partnership).exists()
        assert stages(partnership) == [1, 2, 3, 4]
        assert "nie jest jeszcze osiągnięty" in response.content.decode()


class TestCorrectingAMistake:
    def test_an_expert_removes_a_stage_with_the_later_ones_after_confirming(
            self, client, expert, partnership, library):
        factories.reach_stages(partnership, 4)
        invitations = Milestone.objects.get(stage=Stage.INVITATIONS)
        client.force_login(expert)

        confirm = client.get(f"/milestones/{invitations.pk}/delete/").content.decode()
        assert [m.rank for m in services.milestone_removal(invitations)] == [2, 3, 4]
        assert "Planowanie" in confirm or "planowanie" in confirm
        assert stages(partnership) == [1, 2, 3, 4]  # nothing removed by looking

        client.post(f"/milestones/{invitations.pk}/delete/")

        assert stages(partnership) == [1]
        # Recording the invitations again brings back the stage the meeting proves.
        services.milestone_record(partnership=partnership, stage=Stage.INVITATIONS,
                                  reached_on=D(2026, 3, 4), note="", by=expert)
        assert stages(partnership) == [1, 2, 3]

    def test_a_stage_proved_by_a_fact_is_not_removed_by_hand(self, client, expert, partnership):
        factories.reach_stages(partnership, 3)
        first_meeting = Milestone.objects.get(stage=Stage.FIRST_MEETING)
        client.force_login(expert)

        client.post(f"/milestones/{first_meeting.pk}/delete/")

        assert stages(partnership) == [1, 2, 3]

    def test_animators_and_librarians_cannot_remove_stages(self, client, animator, librarian,
                                                          partnership):
        factories.reach_stages(partnership, 1)
        milestone = Milestone.objects.get()
        for user in (animator.user, librarian):
            client.force_login(user)
            assert client.post(f"/milestones/{milestone.pk}/delete/").status_code == 403
        assert stages(partnership) == [1]

    def test_an_unknown_milestone_is_404(self, client, expert):
        client.force_login(expert)
        assert client.get("/milestones/999999/delete/").status_code == 404


def test_done_means_stage_7_with_all_six_before_it(partnership):
    factories.reach_stages(partnership, 7)

    progress = Partnership.objects.with_progress(TODAY).get(pk=partnership.pk).progress

    assert stages(partnership) == [1, 2, 3, 4, 5, 6, 7]
    assert progress.status == "done"


def test_the_plan_refuses_a_hand_stage_without_the_one_before():
    with pytest.raises(StageOrderError):
        plan_milestones(recorded={Stage.DIAGNOSIS: D(2026, 3, 1), Stage.PLANNING: D(2026, 5, 1)},
                        facts={})


def test_the_plan_takes_the_first_fact_not_before_the_previous_stage():
    meeting_early, meeting_late = object(), object()

    planned, waiting = plan_milestones(
        recorded={Stage.DIAGNOSIS: D(2026, 3, 1), Stage.INVITATIONS: D(2026, 4, 1)},
        facts={Stage.FIRST_MEETING: [(D(2026, 3, 20), meeting_early),
                                     (D(2026, 4, 5), meeting_late)]},
    )

    assert [(p.stage, p.day, p.evidence) for p in planned][-1] == (
        Stage.FIRST_MEETING, D(2026, 4, 5), meeting_late)
    assert waiting == {}


def test_the_link_to_record_a_joint_action_carried_out_opens_it_as_done(client, animator,
                                                                       partnership, library):
    factories.reach_stages(partnership, 5)
    client.force_login(animator.user)

    page = client.get(new_stage(library)).content.decode()
    link = f"/libraries/{library.pk}/actions/new/?status=done"
    assert link in page

    form = client.get(link).context["form"]
    assert (form.initial["status"], form.initial["done_on"]) == ("done", TODAY)
    assert client.get(f"/libraries/{library.pk}/actions/new/").context["form"].initial == {}


def test_the_stage_page_of_a_finished_partnership_says_so(client, animator, partnership,
                                                          library):
    factories.reach_stages(partnership, 7)
    client.force_login(animator.user)

    response = client.get(new_stage(library))

    assert response.status_code == 200
    assert "Osiągnięto wszystkie siedem etapów." in response.content.decode()
