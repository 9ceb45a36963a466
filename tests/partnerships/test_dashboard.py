"""/dashboard/: where the round stands, on any day of it."""

import datetime
import re

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

    def test_an_expert_who_supervises_no_one_sees_no_partnership_of_hers(self, client, story):
        other_expert = factories.UserFactory(role="expert")
        client.force_login(other_expert)

        mine = client.get(URL, {"as_of": "2026-05-15"})
        everyone = client.get(URL, {"as_of": "2026-05-15", "scope": "all"})

        assert mine.context["scope"] == "mine" and mine.context["total_count"] == 0
        assert "Brak animatorów do pokazania." in mine.content.decode()
        assert everyone.context["total_count"] == 3
        assert "Brak animatorów do pokazania." not in everyone.content.decode()

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

    @pytest.mark.parametrize("scope", ["mine", "all"])
    @pytest.mark.parametrize("size", [2, 8])
    def test_query_count_does_not_grow(self, client, expert, round_, size, scope,
                                       django_assert_num_queries):
        build_round(round_, expert, size)
        build_round(round_, factories.UserFactory(role="expert"), size)  # someone else's
        client.force_login(expert)

        # 1 session, 2 user, 3 groups, 4 current round, 5 rounds for the selector,
        # 6 partnerships with progress and activity, 7 meetings, 8 agreements, 9 partners by
        # sector, 10 milestones (burn-up), 11 voivodeships, 12 animators, 13 assignments,
        # 14 the sectors of the active partners (the sectors' picture, partnerships/picture.py)
        with django_assert_num_queries(14):
            response = client.get(URL, {"as_of": "2026-06-10", "scope": scope})

        assert response.status_code == 200
        assert response.context["total_count"] == (size if scope == "mine" else 2 * size)

    @pytest.mark.parametrize("size", [2, 8])
    def test_query_count_of_the_coordinator(self, client, coordinator, expert, round_, size,
                                            django_assert_num_queries):
        build_round(round_, expert, size)
        client.force_login(coordinator)

        # The same 14 as an expert's.
        with django_assert_num_queries(14):
            response = client.get(URL, {"as_of": "2026-06-10"})

        assert response.context["total_count"] == size


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


@pytest.fixture
def two_experts(round_, expert):
    """`expert` supervises an animator of two partnerships (one late on 15 May); another expert
    supervises an animator of three, in another voivodeship."""
    other = factories.UserFactory(role="expert", first_name="Beata", last_name="Inna")
    mine = factories.AnimatorFactory(expert=expert)
    theirs = factories.AnimatorFactory(expert=other)
    for _ in range(2):
        factories.AssignmentFactory(partnership=factories.PartnershipFactory(round=round_),
                                    animator=mine, assigned_at=at(D(2026, 3, 2)))
    for _ in range(3):
        partnership = factories.PartnershipFactory(
            round=round_, library__voivodeship=factories.voivodeship("02")
        )
        factories.AssignmentFactory(partnership=partnership, animator=theirs,
                                    assigned_at=at(D(2026, 3, 2)))
        factories.reach_stages(partnership, 3)
    return {"other": other}


class TestScope:
    def test_an_expert_sees_her_partnerships_and_can_see_the_whole_programme(
        self, client, expert, two_experts
    ):
        client.force_login(expert)

        mine = client.get(URL, {"as_of": "2026-05-15"})
        everyone = client.get(URL, {"as_of": "2026-05-15", "scope": "all"})

        assert mine.context["scope"] == "mine"
        assert mine.context["total_count"] == 2
        assert [r.voivodeship.code for r in mine.context["voivodeship_rows"]] == ["12"]
        assert everyone.context["total_count"] == 5
        assert len(everyone.context["voivodeship_rows"]) == 16
        # Her figures are hers: the other expert's animator is not among the animators.
        assert [e for e, _rows in mine.context["animator_groups"]] == [expert]

    def test_the_switch_says_which_is_shown(self, client, expert, two_experts):
        expert.first_name, expert.last_name = "Anna", "Nowak"
        expert.save()
        client.force_login(expert)

        html = client.get(URL, {"as_of": "2026-05-15"}, HTTP_ACCEPT_LANGUAGE="en")

        content = html.content.decode()
        assert 'aria-current="page">My partnerships (expert: Anna Nowak)</a>' in content
        assert "scope=all" in content and ">Whole programme</a>" in content
        # The day's form keeps the scope.
        assert '<input type="hidden" name="scope" value="mine">' in content

    def test_the_coordinator_sees_the_whole_programme_without_a_switch(
        self, client, coordinator, two_experts
    ):
        client.force_login(coordinator)

        response = client.get(URL, {"as_of": "2026-05-15", "scope": "mine"})

        assert response.context["scope"] == "all"
        assert response.context["total_count"] == 5
        assert "scope-switch" not in response.content.decode()

    def test_an_unknown_scope_is_the_default(self, client, expert, two_experts):
        client.force_login(expert)

        response = client.get(URL, {"scope": "everything"})

        assert response.context["scope"] == "mine"


class TestWording:
    def test_numbers_meet_their_nouns_in_the_right_form(self, client, expert, story):
        client.force_login(expert)

        content = client.get(
            URL, {"as_of": "2026-05-15"}, HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()

        for text in ("1</span> partnership on track", "1</span> late partnership</a>",
                     "0</span> finished partnerships", "1</span> withdrawn partnership</a>",
                     "0</span> meetings this month", "2</span> meetings in the round",
                     "0</span> agreements signed",
                     "1</span> partnership with no meeting for 21 days or more</a>"):
            assert text in content


class TestLayout:
    def test_needs_attention_is_open_where_it_has_items(self, client, expert, story):
        client.force_login(expert)

        content = client.get(URL, {"as_of": "2026-05-15"}).content.decode()

        # One late (B), one quiet (B), no missed meeting (A's next one is on 20 May).
        assert content.count("<details open>") == 2
        assert content.count("<details>") == 1

    def test_scrolling_tables_are_focusable_labelled_regions(self, client, expert, story):
        client.force_login(expert)

        content = client.get(URL).content.decode()

        regions = re.findall(r'<div class="table-wrap" tabindex="0" role="region" '
                             r'aria-labelledby="([\w-]+)">', content)
        assert regions == ["months-caption", "voivodeships-caption"]
        for title in regions:  # a title outside the scroll, so that it does not scroll away
            assert f'<h3 id="{title}" class="table-title">' in content

    def test_the_burnup_is_drawn_for_a_phone_too(self, client, expert, story):
        client.force_login(expert)

        response = client.get(URL)

        charts = {chart["variant"]: chart for chart in response.context["charts"]}
        assert charts["phone"]["width"] < charts["wide"]["width"]
        assert 'viewBox="0 0 320 260"' in response.content.decode()

    def test_voivodeship_tiles_name_each_voivodeship(self, client, expert, story):
        client.force_login(expert)

        content = client.get(URL).content.decode()

        assert '<abbr class="tilemap__abbr" title="małopolskie" aria-hidden="true">MA</abbr>' in (
            content
        )
        assert '<span class="tilemap__name">zachodnio\u00adpomorskie</span>' in content


def test_the_total_replaces_a_y_tick_too_close_to_it(round_):
    burnup = {"months": [], "total": 130}

    chart = dashboard.burnup_chart(burnup, round_, D(2026, 5, 1))

    assert [tick["value"] for tick in chart["y_ticks"]] == [0, 32, 64, 96, 130]
