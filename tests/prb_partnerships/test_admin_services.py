"""Every write path of the admin gives what the same change made on the card gives: the
same services, so the same stage rules, milestones from facts and refusals."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from partnerships.models import (
    Agreement,
    Assignment,
    JointAction,
    Meeting,
    MeetingKind,
    Milestone,
    Stage,
)
from tests import factories
from tests.prb_partnerships.test_admin import form_data

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 7, 20)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


def admin(model, view, *args):
    return reverse(f"admin:partnerships_{model}_{view}", args=args)


def stages(partnership):
    return {Stage(m.stage).rank: m.reached_on for m in partnership.milestones.all()}


@pytest.fixture
def two(round_, expert):
    """Two partnerships at the same point: one changed on the card, one in the admin."""
    return [factories.PartnershipFactory(round=round_) for _ in range(2)]


# ----- The same change made both ways -----


def add_meeting(client, way, partnership, **data):
    data = {"date": "2026-05-04", "kind": MeetingKind.PARTNERSHIP, "participants": "9",
            "summary": "Spotkanie.", **data}
    if way == "card":
        return client.post(f"/libraries/{partnership.library_id}/meetings/new/",
                           data | factories.NO_NEW_PARTNERS)
    return client.post(admin("meeting", "add"), data | {"partnership": partnership.pk})


def delete_meeting(client, way, meeting):
    if way == "card":
        return client.post(f"/meetings/{meeting.pk}/delete/")
    return client.post(admin("meeting", "delete", meeting.pk), {"post": "yes"})


def record_agreement(client, way, partnership, signed_on):
    data = {"kind": "agreement", "signed_on": signed_on, "signatories_note": ""}
    if way == "card":
        return client.post(f"/libraries/{partnership.library_id}/agreement/", data)
    return client.post(admin("agreement", "add"), data | {"partnership": partnership.pk})


def add_done_action(client, way, partnership, done_on):
    data = {"title": "Piknik", "planned_on": done_on, "status": "done", "done_on": done_on,
            "participants_reached": "40", "description": ""}
    if way == "card":
        return client.post(f"/libraries/{partnership.library_id}/actions/new/", data)
    return client.post(admin("jointaction", "add"), data | {"partnership": partnership.pk})


def record_stage(client, way, partnership, stage, day):
    data = {"stage": stage, "reached_on": day, "note": ""}
    if way == "card":
        return client.post(f"/libraries/{partnership.library_id}/milestones/new/", data)
    return client.post(admin("milestone", "add"), data | {"partnership": partnership.pk})


WAYS = ["card", "admin"]


def test_a_first_partnership_meeting_sets_its_stage_either_way(client, expert, two):
    client.force_login(expert)
    for partnership, way in zip(two, WAYS, strict=True):
        factories.reach_stages(partnership, 2)
        assert add_meeting(client, way, partnership).status_code == 302

    card, admin_ = (stages(p) for p in two)
    assert card == admin_ and card[3] == D(2026, 5, 4)
    assert {m.logged_by for m in Meeting.objects.all()} == {expert}


def test_a_meeting_before_the_stages_it_needs_reaches_nothing_either_way(client, expert, two):
    client.force_login(expert)
    for partnership, way in zip(two, WAYS, strict=True):
        assert add_meeting(client, way, partnership).status_code == 302
        assert stages(partnership) == {}
    assert Meeting.objects.count() == 2


@pytest.mark.parametrize("way", WAYS)
def test_deleting_the_meeting_a_later_stage_needs_is_refused(client, expert, partnership, way):
    factories.reach_stages(partnership, 4)
    meeting = Meeting.objects.get()
    client.force_login(expert)

    response = delete_meeting(client, way, meeting)

    assert response.status_code == 302
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    assert list(stages(partnership)) == [1, 2, 3, 4]
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("nie może pozostać zapisany" in m for m in messages)


@pytest.mark.parametrize("way", WAYS)
def test_deleting_a_meeting_withdraws_the_stage_it_alone_proved(client, expert, partnership,
                                                               way):
    factories.reach_stages(partnership, 3)
    client.force_login(expert)

    delete_meeting(client, way, Meeting.objects.get())

    assert list(stages(partnership)) == [1, 2]


def test_the_agreement_sets_its_stage_either_way(client, expert, two):
    client.force_login(expert)
    for partnership, way in zip(two, WAYS, strict=True):
        factories.reach_stages(partnership, 4)
        assert record_agreement(client, way, partnership, "2026-06-20").status_code == 302
    assert stages(two[0]) == stages(two[1]) and stages(two[0])[5] == D(2026, 6, 20)
    assert Agreement.objects.filter(milestones__stage=Stage.AGREEMENT).count() == 2


def test_a_joint_action_carried_out_sets_its_stage_either_way(client, expert, two):
    client.force_login(expert)
    for partnership, way in zip(two, WAYS, strict=True):
        factories.reach_stages(partnership, 5)
        assert add_done_action(client, way, partnership, "2026-07-10").status_code == 302
    assert stages(two[0]) == stages(two[1]) and stages(two[0])[6] == D(2026, 7, 10)


@pytest.mark.parametrize("way", WAYS)
def test_stage_7_on_a_partnership_at_stage_4_is_refused_either_way(client, expert,
                                                                   partnership, way):
    factories.reach_stages(partnership, 4)
    client.force_login(expert)

    response = record_stage(client, way, partnership, Stage.EVALUATION, "2026-07-15")

    assert response.status_code in (200, 400)  # the form again, with the reason
    assert "po kolei" in response.content.decode() or "dopiero po etapie" in (
        response.content.decode())
    assert list(stages(partnership)) == [1, 2, 3, 4]


@pytest.mark.parametrize("way", WAYS)
def test_the_next_stage_is_recorded_either_way(client, expert, partnership, way):
    factories.reach_stages(partnership, 1)
    client.force_login(expert)

    assert record_stage(client, way, partnership, Stage.INVITATIONS, "2026-07-15").status_code \
        == 302

    milestone = partnership.milestones.get(stage=Stage.INVITATIONS)
    assert (milestone.reached_on, milestone.recorded_by) == (D(2026, 7, 15), expert)


# ----- Corrections in the admin -----


def test_a_meeting_corrected_in_the_admin_works_its_stage_out_again(client, expert,
                                                                   partnership):
    factories.reach_stages(partnership, 3)
    meeting = Meeting.objects.get()
    client.force_login(expert)
    url = admin("meeting", "change", meeting.pk)
    data = admin_form_data(client, url)

    response = client.post(url, data | {"kind": MeetingKind.VISIT,
                                        "date": "2026-03-10", "participants": "5"})

    assert response.status_code == 302
    assert list(stages(partnership)) == [1, 2]


def test_a_correction_that_would_leave_a_hole_is_refused_on_the_form(client, expert,
                                                                    partnership):
    factories.reach_stages(partnership, 4)
    meeting = Meeting.objects.get()
    client.force_login(expert)
    url = admin("meeting", "change", meeting.pk)
    data = admin_form_data(client, url)

    response = client.post(url, data | {"kind": MeetingKind.VISIT, "participants": "5"})

    assert response.status_code == 200
    assert "nie może pozostać zapisany" in response.content.decode()
    assert Meeting.objects.get().kind == MeetingKind.PARTNERSHIP
    assert list(stages(partnership)) == [1, 2, 3, 4]


def test_removing_a_stage_in_the_admin_lists_and_removes_the_later_ones(client, expert,
                                                                      partnership):
    factories.reach_stages(partnership, 4)
    invitations = partnership.milestones.get(stage=Stage.INVITATIONS)
    client.force_login(expert)
    url = admin("milestone", "delete", invitations.pk)

    confirmation = client.get(url).content.decode()
    assert "Planowanie" in confirmation or "planowanie" in confirmation

    assert client.post(url, {"post": "yes"}).status_code == 302
    assert list(stages(partnership)) == [1]


def test_a_stage_proved_by_a_fact_cannot_be_deleted_in_the_admin(client, expert, partnership):
    factories.reach_stages(partnership, 3)
    first_meeting = partnership.milestones.get(stage=Stage.FIRST_MEETING)
    client.force_login(expert)

    response = client.post(admin("milestone", "delete", first_meeting.pk), {"post": "yes"})

    assert response.status_code == 403
    assert Milestone.objects.filter(pk=first_meeting.pk).exists()


def test_deleting_a_joint_action_a_later_stage_needs_is_refused(client, expert, partnership):
    factories.reach_stages(partnership, 7)
    action = JointAction.objects.get()
    client.force_login(expert)

    client.post(admin("jointaction", "delete", action.pk), {"post": "yes"})

    assert JointAction.objects.filter(pk=action.pk).exists()
    assert list(stages(partnership)) == [1, 2, 3, 4, 5, 6, 7]


def test_the_assign_action_goes_through_the_assignment_service(client, expert, round_):
    partnerships = [factories.PartnershipFactory(round=round_) for _ in range(2)]
    old = factories.AnimatorFactory()
    factories.AssignmentFactory(partnership=partnerships[0], animator=old)
    new = factories.AnimatorFactory()
    client.force_login(expert)

    client.post(admin("partnership", "changelist"), {
        "action": "assign_animator", "_selected_action": [p.pk for p in partnerships],
        "apply": "1", "animator": new.pk, "reason": "Nowy podział."})

    active = Assignment.objects.filter(ended_at__isnull=True)
    assert {a.animator for a in active} == {new}
    assert {a.assigned_by for a in active} == {expert}
    ended = Assignment.objects.get(animator=old)
    assert (ended.ended_by, ended.ended_at is not None) == (expert, True)


def admin_form_data(client, url):
    return form_data(client.get(url))


def test_an_agreement_corrected_in_the_admin_moves_its_stage(client, expert, partnership):
    factories.reach_stages(partnership, 5)
    agreement = Agreement.objects.get()
    client.force_login(expert)
    url = admin("agreement", "change", agreement.pk)

    response = client.post(url, admin_form_data(client, url) | {"signed_on": "2026-06-25"})

    assert response.status_code == 302
    assert stages(partnership)[5] == D(2026, 6, 25)


def test_deleting_the_agreement_in_the_admin_withdraws_its_stage(client, expert, partnership):
    factories.reach_stages(partnership, 5)
    client.force_login(expert)

    client.post(admin("agreement", "delete", Agreement.objects.get().pk), {"post": "yes"})

    assert not Agreement.objects.exists()
    assert list(stages(partnership)) == [1, 2, 3, 4]


def test_a_joint_action_set_back_to_planned_in_the_admin_withdraws_its_stage(client, expert,
                                                                           partnership):
    factories.reach_stages(partnership, 6)
    action = JointAction.objects.get()
    client.force_login(expert)
    url = admin("jointaction", "change", action.pk)
    data = admin_form_data(client, url) | {"status": "planned"}
    data.pop("done_on", None)

    assert client.post(url, data).status_code == 302

    assert list(stages(partnership)) == [1, 2, 3, 4, 5]


def test_a_refused_delete_returns_to_the_record(client, expert, partnership):
    factories.reach_stages(partnership, 4)
    meeting = Meeting.objects.get()
    client.force_login(expert)

    response = client.post(admin("meeting", "delete", meeting.pk), {"post": "yes"})

    assert response.url == admin("meeting", "change", meeting.pk)


@pytest.mark.parametrize("day", ["2026-12-01", "2026-07-25"])  # after the round; in the future
def test_an_agreement_dated_outside_the_round_or_ahead_is_refused_on_the_form(
        client, expert, partnership, day):
    factories.reach_stages(partnership, 4)
    client.force_login(expert)

    response = record_agreement(client, "admin", partnership, day)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["signed_on"]
    assert not Agreement.objects.exists()


def test_a_joint_action_carried_out_after_the_round_is_refused_on_the_form(client, expert,
                                                                          partnership):
    factories.reach_stages(partnership, 5)
    client.force_login(expert)

    response = add_done_action(client, "admin", partnership, "2026-12-01")

    assert response.status_code == 200
    assert not JointAction.objects.exists()


def test_partners_of_another_partnership_are_refused(client, expert, partnership, round_):
    stranger = factories.PartnerFactory(partnership=factories.PartnershipFactory(round=round_))
    client.force_login(expert)

    response = add_meeting(client, "admin", partnership, partners_present=[stranger.pk])

    assert response.status_code == 200
    assert "należą do innego" in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_partnership_never_moves_to_another_round(client, expert, partnership):
    client.force_login(expert)
    page = client.get(admin("partnership", "change", partnership.pk))

    assert "round" not in page.context["adminform"].form.fields


def test_a_refusal_after_the_forms_check_is_said_and_saves_nothing(client, expert, partnership,
                                                                  monkeypatch):
    """Someone else changes the partnership between the admin form's check and its save: the
    service refuses at the save; nothing is saved and the refusal is said."""
    from partnerships import services
    from partnerships.progress import StageOrderError

    factories.reach_stages(partnership, 3)
    meeting = Meeting.objects.get()
    calls = []
    real_update = services.meeting_update

    def update_refused_the_second_time(**kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise StageOrderError("Zmieniono w międzyczasie.")
        return real_update(**kwargs)

    monkeypatch.setattr(services, "meeting_update", update_refused_the_second_time)
    client.force_login(expert)
    url = admin("meeting", "change", meeting.pk)

    response = client.post(url, admin_form_data(client, url) | {"participants": "77"})

    assert response.status_code == 302 and response.url == url
    assert any("Zmieniono w międzyczasie." in str(m) for m in response.wsgi_request._messages)
    assert Meeting.objects.get().participants != 77
