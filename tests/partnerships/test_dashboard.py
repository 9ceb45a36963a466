"""/dashboard/: where the round stands, on any day of it."""

import datetime

import pytest
from django.utils import timezone

from partnerships import dashboard
from partnerships.models import MeetingKind, Stage, Status
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
URL = "/dashboard/"


def at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def story(round_, expert):
    """Three partnerships in małopolskie with a known history, day by day.

    A: diagnosis 20 March, invitations 10 April, first meeting 25 April (a partnership meeting).
    B: diagnosis 5 April (late from 1 April to 4 April), then nothing: late again from 16 April.
    C: withdrawn on 10 May, never started.
    """
    animator = factories.AnimatorFactory(expert=expert, user__first_name="Ola",
                                         user__last_name="Animatorka")
    a, b, c = (factories.PartnershipFactory(round=round_) for _ in range(3))
    for partnership in (a, b, c):
        factories.AssignmentFactory(partnership=partnership, animator=animator,
                                    assigned_at=at(D(2026, 3, 2)))
    factories.MilestoneFactory(partnership=a, stage=Stage.DIAGNOSIS, reached_on=D(2026, 3, 20))
    factories.MilestoneFactory(partnership=a, stage=Stage.INVITATIONS, reached_on=D(2026, 4, 10))
    meeting = factories.MeetingFactory(partnership=a, date=D(2026, 4, 25),
                                       kind=MeetingKind.PARTNERSHIP,
                                       next_meeting_on=D(2026, 5, 20))
    factories.MilestoneFactory(partnership=a, stage=Stage.FIRST_MEETING,
                               reached_on=D(2026, 4, 25), meeting=meeting)
    factories.MilestoneFactory(partnership=b, stage=Stage.DIAGNOSIS, reached_on=D(2026, 4, 5))
    factories.MeetingFactory(partnership=b, date=D(2026, 3, 15))
    c.withdrawn_on = D(2026, 5, 10)
    c.save()
    factories.PartnerFactory(partnership=a, sector="school", joined_on=D(2026, 4, 1))
    factories.PartnerFactory(partnership=a, sector="local_government", joined_on=D(2026, 5, 1))
    return {"a": a, "b": b, "c": c, "animator": animator}


def figures(round_, day, **kwargs):
    data = dashboard.build(round_=round_, as_of=day, **kwargs)
    return {
        "status": {row["status"]: row["count"] for row in data["statuses"]},
        "stage": {row["rank"]: row["count"] for row in data["stages"]},
        "data": data,
    }


class TestAsOf:
    def test_end_of_march(self, story, round_):
        f = figures(round_, D(2026, 3, 31))

        assert f["status"] == {Status.ON_TRACK: 3, Status.LATE: 0, Status.DONE: 0,
                               Status.WITHDRAWN: 0}
        assert f["stage"][0] == 2 and f["stage"][1] == 1
        assert f["data"]["meetings_in_round"] == 1
        assert f["data"]["meetings_this_month"] == 1
        assert f["data"]["late"] == []

    def test_first_of_april_two_are_late(self, story, round_):
        f = figures(round_, D(2026, 4, 1))

        assert f["status"][Status.LATE] == 2
        assert {p.pk for p in f["data"]["late"]} == {story["b"].pk, story["c"].pk}

    def test_mid_may(self, story, round_):
        f = figures(round_, D(2026, 5, 15))

        assert f["status"] == {Status.ON_TRACK: 1, Status.LATE: 1, Status.DONE: 0,
                               Status.WITHDRAWN: 1}
        assert f["stage"][3] == 1  # A: first meeting
        assert f["data"]["meetings_this_month"] == 0
        assert f["data"]["meetings_in_round"] == 2
        # B's last meeting was on 15 March: no contact for 30 days.
        assert [p.pk for p in f["data"]["quiet"]] == [story["b"].pk]
        sectors = {row["sector"]: row["count"] for row in f["data"]["sectors"]}
        assert sectors["school"] == 1 and sectors["local_government"] == 1

    def test_a_planned_meeting_that_passed_with_nothing_logged(self, story, round_):
        assert figures(round_, D(2026, 5, 20))["data"]["missed_meetings"] == []
        missed = figures(round_, D(2026, 5, 21))["data"]["missed_meetings"]
        assert [p.pk for p in missed] == [story["a"].pk]

    def test_burnup_month_by_month(self, story, round_):
        months = figures(round_, D(2026, 5, 15))["data"]["burnup"]["months"]

        # counts[k]: partnerships (withdrawn left out) that reached stage k+1 or later.
        assert months[0]["counts"][:3] == [1, 0, 0]  # March: A's diagnosis
        assert months[1]["counts"][:3] == [2, 1, 1]  # April: B's diagnosis, A to first meeting
        assert months[2]["counts"][:3] == [2, 1, 1]  # May, up to the 15th
        assert months[3]["counts"] is None  # June has not come yet

    def test_voivodeship_share_on_track(self, story, round_):
        rows = figures(round_, D(2026, 5, 15))["data"]["voivodeships"]

        malopolskie = next(r for r in rows if r.voivodeship.code == "12")
        assert malopolskie.share_on_track == 50  # A of A and B; C withdrawn
        assert all(r.share_on_track is None for r in rows if r.voivodeship.code != "12")

    def test_animator_view_counts_load_and_late(self, story, round_, expert):
        groups = figures(round_, D(2026, 5, 15), expert=expert)["data"]["animator_groups"]

        assert len(groups) == 1 and groups[0][0] == expert
        row = groups[0][1][0]
        assert (row.load, row.late, row.last_meeting_on) == (3, 1, D(2026, 4, 25))

    def test_assignments_are_taken_as_of_the_day(self, story, round_, expert):
        groups = figures(round_, D(2026, 3, 1), expert=expert)["data"]["animator_groups"]

        assert groups[0][1][0].load == 0  # assigned on 2 March


class TestPage:
    def test_expert_sees_the_figures_in_polish(self, client, expert, story):
        client.force_login(expert)

        response = client.get(URL, {"as_of": "2026-05-15"})

        content = response.content.decode()
        assert response.status_code == 200
        assert "stan na 15 maja 2026" in content
        assert story["b"].library.name in content  # needs attention
        assert "<svg" in content and "<table" in content

    def test_coordinator_sees_all_animators(self, client, coordinator, story):
        client.force_login(coordinator)

        response = client.get(URL)

        assert response.status_code == 200
        assert f"Nadzoruje: {story['animator'].expert.get_full_name()}" in (
            response.content.decode()
        )

    def test_expert_sees_only_their_animators_by_default(self, client, story, round_):
        other_expert = factories.UserFactory(role="expert")
        client.force_login(other_expert)

        mine = client.get(URL).content.decode()
        everyone = client.get(URL, {"animators": "all"}).content.decode()

        assert "Brak animatorów do pokazania." in mine
        assert "Brak animatorów do pokazania." not in everyone

    def test_a_day_outside_the_round_is_refused_with_a_message(self, client, expert, story):
        client.force_login(expert)

        response = client.get(URL, {"as_of": "2027-01-15"})

        assert response.status_code == 200
        assert "Wybierz dzień rundy: od 1 marca 2026 do 30 września 2026." in (
            response.content.decode()
        )

    @pytest.mark.parametrize("role", ["animator", "librarian"])
    def test_other_roles_get_403(self, client, request, role):
        person = request.getfixturevalue(role)
        client.force_login(getattr(person, "user", person))

        assert client.get(URL).status_code == 403

    def test_login_required(self, client, db):
        response = client.get(URL)

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    @pytest.mark.parametrize("size", [2, 8])
    def test_query_count_does_not_grow(self, client, expert, round_, size,
                                       django_assert_num_queries):
        build_round(round_, expert, size)
        client.force_login(expert)

        # 1 session, 2 user, 3 groups, 4 current round, 5 rounds for the selector,
        # 6 partnerships with progress and activity, 7 meetings, 8 agreements, 9 partners by
        # sector, 10 milestones (burn-up), 11 voivodeships, 12 animators, 13 assignments
        with django_assert_num_queries(13):
            response = client.get(URL, {"as_of": "2026-06-10"})

        assert response.status_code == 200


def build_round(round_, expert, size):
    """`size` complete partnerships: animator, partners, meetings, milestones, agreement."""
    for _ in range(size):
        partnership = factories.PartnershipFactory(round=round_)
        animator = factories.AnimatorFactory(expert=expert)
        factories.AssignmentFactory(partnership=partnership, animator=animator,
                                    assigned_at=at(D(2026, 3, 2)))
        factories.PartnerFactory(partnership=partnership)
        factories.MeetingFactory(partnership=partnership)
        factories.MilestoneFactory(partnership=partnership)
        factories.AgreementFactory(partnership=partnership)
