"""/assignments/: who supports whom; assigning, reassigning, and the balanced proposal."""

import datetime
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from partnerships import services
from partnerships.models import Assignment
from partnerships.proposal import Candidate, propose
from prb_partnerships.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db
BOARD = "/assignments/"


def form_url(partnership):
    return f"/assignments/partnership/{partnership.pk}/"


class TestBoard:
    def test_lists_the_unassigned_and_the_animators_load(self, client, expert, animator,
                                                         other_partnership, partnership):
        client.force_login(expert)

        response = client.get(BOARD)

        content = response.content.decode()
        assert response.status_code == 200
        assert list(response.context["unassigned"]) == [other_partnership]
        assert "1 / 5" in content  # the animator's load against capacity

    def test_a_deactivated_animators_libraries_wait_for_someone_new(self, client, expert,
                                                                 animator, partnership):
        animator.user.is_active = False
        animator.user.save()
        newcomer = factories.AnimatorFactory()
        client.force_login(expert)

        assert partnership in client.get(BOARD).context["unassigned"]

        response = client.post(BOARD + "accept/", {"choice": [f"{partnership.pk}:{newcomer.pk}"]})

        assert response.status_code == 302
        assert Assignment.objects.active().get(partnership=partnership).animator == newcomer
        assert Assignment.objects.get(animator=animator).ended_at is not None

    def test_withdrawn_partnerships_need_no_animator(self, client, expert, round_):
        factories.PartnershipFactory(round=round_, withdrawn_on=round_.start)
        client.force_login(expert)

        assert client.get(BOARD).context["unassigned"] == []

    def test_proposal_is_shown_and_accepted_in_part(self, client, expert, round_):
        animator = factories.AnimatorFactory()
        animator.voivodeships.add(factories.voivodeship("12"))
        first, second = (factories.PartnershipFactory(round=round_) for _ in range(2))
        client.force_login(expert)

        response = client.get(BOARD, {"propose": 1})
        assert [p.animator for p in response.context["proposals"]] == [animator, animator]

        response = client.post(BOARD + "accept/", {"choice": [f"{first.pk}:{animator.pk}"]})

        assert response.status_code == 302
        assert Assignment.objects.active().get(partnership=first).animator == animator
        assert not Assignment.objects.filter(partnership=second).exists()

    def test_accepting_is_all_or_nothing(self, client, expert, round_):
        animator = factories.AnimatorFactory()
        free, taken = (factories.PartnershipFactory(round=round_) for _ in range(2))
        factories.AssignmentFactory(partnership=taken)  # assigned meanwhile by someone else
        client.force_login(expert)

        response = client.post(
            BOARD + "accept/",
            {"choice": [f"{free.pk}:{animator.pk}", f"{taken.pk}:{animator.pk}"]},
            follow=True,
        )

        assert "Ktoś właśnie zmienił" in response.content.decode()
        assert not Assignment.objects.filter(animator=animator).exists()

    def test_a_forged_choice_is_404(self, client, expert, partnership):
        client.force_login(expert)

        response = client.post(BOARD + "accept/", {"choice": [f"{partnership.pk}:999999"]})

        assert response.status_code == 404

    @pytest.mark.parametrize("role", ["animator", "librarian"])
    def test_other_roles_get_403(self, client, request, role):
        person = request.getfixturevalue(role)
        client.force_login(getattr(person, "user", person))

        assert client.get(BOARD).status_code == 403
        assert client.post(BOARD + "accept/", {}).status_code == 403

    def test_login_required(self, client):
        assert client.get(BOARD)["Location"].startswith("/accounts/login/")

    @pytest.mark.parametrize("scope", ["mine", "all"])
    @pytest.mark.parametrize("size", [2, 8])
    def test_query_count_does_not_grow(self, client, expert, round_, size, scope,
                                       django_assert_num_queries):
        for index in range(size):
            animator = factories.AnimatorFactory(expert=expert if index % 2 else None)
            animator.voivodeships.add(factories.voivodeship("12"))
            factories.AssignmentFactory(
                partnership=factories.PartnershipFactory(round=round_), animator=animator
            )
            factories.PartnershipFactory(round=round_)
        client.force_login(expert)

        # 1 session, 2 user, 3 groups, 4 current round, 5 unassigned partnerships,
        # 6 animators with load (all of them: the proposal draws on everyone), 7 their
        # voivodeships, 8 their libraries in the round
        with django_assert_num_queries(8):
            response = client.get(BOARD, {"propose": 1, "scope": scope})

        assert len(response.context["proposals"]) == size  # drawn on every animator
        assert len(response.context["animators"]) == (size // 2 if scope == "mine" else size)

    def test_an_expert_opens_on_her_animators_and_can_switch_to_all(
        self, client, expert, animator, partnership, other_partnership
    ):
        someone_elses = factories.AnimatorFactory(expert=factories.UserFactory(role=Role.EXPERT))
        client.force_login(expert)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

        mine = client.get(BOARD)
        everyone = client.get(BOARD, {"scope": "all"})

        assert mine.context["animators"] == [animator]
        assert set(everyone.context["animators"]) == {animator, someone_elses}
        for response in (mine, everyone):  # waiting libraries are shown in both scopes
            assert response.context["unassigned"] == [other_partnership]
        content = mine.content.decode()
        assert 'href="?scope=mine" aria-current="page">My animators</a>' in content
        assert 'href="?scope=all">All</a>' in content

    def test_the_coordinator_sees_every_animator_by_default(self, client, coordinator, animator):
        other = factories.AnimatorFactory()
        client.force_login(coordinator)

        response = client.get(BOARD)

        assert set(response.context["animators"]) == {animator, other}

    def test_an_expert_with_no_animators_is_shown_the_way_to_all(self, client, round_):
        lonely = factories.UserFactory(role=Role.EXPERT)
        factories.AnimatorFactory()
        client.force_login(lonely)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

        content = client.get(BOARD).content.decode()

        assert "No active animator has you as their supervising expert." in content
        assert '<a href="?scope=all">Show all animators</a>' in content

    def test_the_expert_heads_the_row_and_libraries_link_to_their_cards(
        self, client, expert, animator, partnership, other_partnership
    ):
        client.force_login(expert)

        content = client.get(BOARD).content.decode()

        row = content[content.index(str(animator)):]
        assert row.index(expert.get_full_name()) < row.index(partnership.library.name)
        for library in (partnership.library, other_partnership.library):
            assert f'href="/libraries/{library.pk}/">{library.name}</a>' in content

    def test_each_library_of_an_animator_can_be_moved_from_the_board(
        self, client, expert, animator, partnership
    ):
        client.force_login(expert)

        content = client.get(BOARD).content.decode()

        assert f'href="{form_url(partnership)}?from=board"' in content
        assert partnership.library.name in content

    def test_people_are_named_by_name_never_by_email(self, client, expert, animator, partnership):
        client.force_login(expert)

        content = client.get(BOARD).content.decode()

        assert str(animator) in content and expert.get_full_name() in content
        assert "@example.org" not in content


class TestAssignOne:
    def test_reassigning_ends_the_previous_assignment_and_keeps_history(
        self, client, expert, animator, partnership, library
    ):
        successor = factories.AnimatorFactory(user__first_name="Zofia", user__last_name="Nowa")
        client.force_login(expert)
        current = Assignment.objects.active().get(partnership=partnership)

        response = client.post(form_url(partnership), {
            "animator": successor.pk, "reason": "Długie zwolnienie", "current": current.pk,
        })

        assert response.status_code == 302
        current.refresh_from_db()
        assert current.ended_at is not None and current.ended_by == expert
        new = Assignment.objects.active().get(partnership=partnership)
        assert (new.animator, new.reason, new.assigned_by) == (successor, "Długie zwolnienie",
                                                               expert)
        card = client.get(f"/libraries/{library.pk}/").content.decode()
        assert "Długie zwolnienie" in card and "Historia przypisań" in card

    def test_the_reason_is_required(self, client, expert, partnership):
        animator = factories.AnimatorFactory()
        client.force_login(expert)

        response = client.post(form_url(partnership), {"animator": animator.pk, "reason": ""})

        assert response.status_code == 400
        assert response.context["form"].has_error("reason", "required")
        assert not Assignment.objects.filter(partnership=partnership).exists()

    def test_two_experts_at_once_one_wins_the_other_is_told(self, client, expert, partnership):
        """Expert A opens the form; expert B assigns meanwhile; A's save is refused."""
        anna, bartek = factories.AnimatorFactory(), factories.AnimatorFactory()
        client.force_login(expert)
        seen_by_a = client.get(form_url(partnership)).context["form"].initial["current"]
        services.assignment_create(partnership=partnership, animator=bartek,
                                   by=factories.UserFactory(role="expert"), reason="B",
                                   expected_current=None)

        response = client.post(form_url(partnership), {
            "animator": anna.pk, "reason": "A", "current": seen_by_a or "",
        })

        assert response.status_code == 400
        assert "Ktoś właśnie zmienił animatora" in response.content.decode()
        assert Assignment.objects.active().get(partnership=partnership).animator == bartek

    def test_over_capacity_is_allowed_with_a_warning(self, client, expert, round_, partnership):
        animator = factories.AnimatorFactory(capacity=1)
        factories.AssignmentFactory(animator=animator,
                                    partnership=factories.PartnershipFactory(round=round_))
        client.force_login(expert)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

        response = client.post(form_url(partnership), {"animator": animator.pk, "reason": "x"},
                               follow=True)

        assert "now has 2 libraries, above their capacity of 1" in response.content.decode()

    def test_unknown_partnership_is_404(self, client, expert):
        client.force_login(expert)

        assert client.get("/assignments/partnership/999999/").status_code == 404

    def test_animator_gets_403(self, client, animator, partnership):
        client.force_login(animator.user)

        assert client.get(form_url(partnership)).status_code == 403


def offered(response):
    """The animators the reassignment form offers, in its order."""
    groups = response.context["form"].fields["animator"].widget.groups
    return [option["candidate"].animator for group in groups for option in group["options"]]


def animator_in(code, *, load=0, round_, **fields):
    person = factories.AnimatorFactory(**fields)
    person.voivodeships.add(factories.voivodeship(code))
    for _ in range(load):
        factories.AssignmentFactory(
            animator=person, partnership=factories.PartnershipFactory(round=round_)
        )
    return person


@pytest.fixture
def today_round(db):
    """A round under way today, for end dates that must lie after today and within it."""
    start = timezone.localdate() - datetime.timedelta(days=40)
    return factories.RoundFactory(name="Runda bieżąca", start=start)


@pytest.fixture
def under_way(today_round, expert):
    """A partnership of the round under way, supported by Anna (who goes on sick leave)."""
    partnership = factories.PartnershipFactory(round=today_round)
    anna = factories.AnimatorFactory(user__first_name="Anna", user__last_name="Chora",
                                     expert=expert)
    factories.AssignmentFactory(partnership=partnership, animator=anna)
    return partnership


class TestReassignmentForm:
    """/assignments/partnership/<id>/: the facts at hand, and every wrong click refused."""

    def test_offers_who_can_take_the_library_first_in_the_proposals_order(
        self, client, expert, animator, partnership, round_
    ):
        busy_local = animator_in("12", load=3, round_=round_)
        free_local = animator_in("12", load=0, round_=round_)
        elsewhere = animator_in("20", load=0, round_=round_)
        full_local = animator_in("12", load=1, round_=round_, capacity=1)
        client.force_login(expert)

        response = client.get(form_url(partnership))

        assert offered(response) == [free_local, busy_local, elsewhere, full_local]
        assert animator not in offered(response)  # the current one is not offered

    def test_each_animator_comes_with_load_voivodeships_and_expert(
        self, client, expert, animator, partnership, round_
    ):
        other = animator_in("12", load=2, round_=round_, expert=expert, capacity=4)
        client.force_login(expert)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

        content = client.get(form_url(partnership)).content.decode()

        assert str(other) in content
        assert "2 of 4 libraries" in content
        assert factories.voivodeship("12").name in content
        assert f"expert: {expert.get_full_name()}" in content
        assert "@example.org" not in content  # people are named by name
        assert "novalidate" in content  # the server's messages, not the browser's bubbles

    def test_the_same_animator_again_is_refused(self, client, expert, animator, partnership):
        client.force_login(expert)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

        response = client.post(form_url(partnership), {"animator": animator.pk, "reason": "x"})

        assert response.status_code == 400
        assert "already supports this library" in response.content.decode()
        assert Assignment.objects.filter(partnership=partnership).count() == 1

    def test_a_missing_reason_is_refused_with_a_message(self, client, expert, partnership):
        other = factories.AnimatorFactory()
        client.force_login(expert)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

        response = client.post(form_url(partnership), {"animator": other.pk, "reason": " "})

        assert response.status_code == 400
        assert "Give the reason" in response.content.decode()
        assert not Assignment.objects.filter(partnership=partnership).exists()

    @pytest.mark.parametrize("outside", ["inactive animator", "deactivated account", "unknown"])
    def test_an_animator_outside_reach_is_refused(self, client, expert, animator, partnership,
                                                   outside):
        other = factories.AnimatorFactory(is_active=outside != "inactive animator")
        if outside == "deactivated account":
            other.user.is_active = False
            other.user.save()
        client.force_login(expert)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        chosen = 999999 if outside == "unknown" else other.pk

        response = client.post(form_url(partnership), {"animator": chosen, "reason": "x"})

        assert response.status_code == 400
        assert "Choose one of the active animators listed" in response.content.decode()
        assert Assignment.objects.active().get(partnership=partnership).animator == animator
        if outside != "unknown":
            assert other not in offered(response)

    def test_a_forged_partnership_is_404_and_saves_nothing(self, client, expert):
        other = factories.AnimatorFactory()
        client.force_login(expert)

        response = client.post("/assignments/partnership/999999/",
                               {"animator": other.pk, "reason": "x"})

        assert response.status_code == 404
        assert not Assignment.objects.exists()

    def test_opened_from_the_board_it_returns_there(self, client, expert, animator, partnership):
        other = factories.AnimatorFactory()
        client.force_login(expert)

        response = client.post(form_url(partnership) + "?from=board", {
            "animator": other.pk, "reason": "Zwolnienie lekarskie",
            "current": Assignment.objects.get(animator=animator).pk,
        })

        assert response.status_code == 302 and response["Location"] == BOARD
        assert Assignment.objects.active().get(partnership=partnership).animator == other

    def test_the_message_names_the_library_in_quotes_and_links_its_card(
        self, client, expert, animator, partnership
    ):
        partnership.library.name = "Biblioteka <Gminy> & Miasta"
        partnership.library.save()
        other = factories.AnimatorFactory()
        client.force_login(expert)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

        response = client.post(form_url(partnership), {
            "animator": other.pk, "reason": "Bliżej",
            "current": Assignment.objects.get(animator=animator).pk,
        }, follow=True)

        assert (
            f'{other} now supports the library “<a href="/libraries/{partnership.library_id}/">'
            "Biblioteka &lt;Gminy&gt; &amp; Miasta</a>”."
        ) in response.content.decode()

    def test_a_temporary_replacement_names_its_end_on_the_card(self, client, expert, under_way):
        anna = Assignment.objects.get(partnership=under_way).animator
        stand_in = factories.AnimatorFactory()
        until = timezone.localdate() + datetime.timedelta(days=30)
        client.force_login(expert)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

        response = client.post(form_url(under_way), {
            "animator": stand_in.pk, "reason": "Zwolnienie lekarskie", "until": until.isoformat(),
            "current": Assignment.objects.get(animator=anna).pk,
        }, follow=True)

        new = Assignment.objects.active().get(partnership=under_way)
        assert (new.animator, new.until, new.replaces.animator) == (stand_in, until, anna)
        content = response.content.decode()
        assert (
            f'now supports the library “<a href="/libraries/{under_way.library_id}/">'
            f'{under_way.library.name}</a>” (standing in until {until:%-d %B %Y}); '
            "then Anna Chora supports it again."
        ) in content
        card = client.get(f"/libraries/{under_way.library_id}/").content.decode()
        assert "temporary replacement until" in card

    @pytest.mark.parametrize("days", [0, -1])
    def test_an_end_date_not_after_today_is_refused(self, client, expert, under_way, days):
        stand_in = factories.AnimatorFactory()
        until = timezone.localdate() + datetime.timedelta(days=days)
        client.force_login(expert)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

        response = client.post(form_url(under_way), {
            "animator": stand_in.pk, "reason": "x", "until": until.isoformat(),
        })

        assert response.status_code == 400
        assert "must be after today" in response.content.decode()
        assert not Assignment.objects.filter(animator=stand_in).exists()

    def test_an_end_date_after_the_round_is_refused(self, client, expert, under_way):
        stand_in = factories.AnimatorFactory()
        until = under_way.round.end + datetime.timedelta(days=1)
        client.force_login(expert)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

        response = client.post(form_url(under_way), {
            "animator": stand_in.pk, "reason": "x", "until": until.isoformat(),
        })

        assert response.status_code == 400
        assert "must be within the round" in response.content.decode()
        assert not Assignment.objects.filter(animator=stand_in).exists()

    def test_a_temporary_replacement_needs_someone_to_come_back(self, client, expert,
                                                                today_round):
        nobody_yet = factories.PartnershipFactory(round=today_round)
        stand_in = factories.AnimatorFactory()
        until = timezone.localdate() + datetime.timedelta(days=10)
        client.force_login(expert)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

        assert "until" not in client.get(form_url(nobody_yet)).context["form"].fields
        response = client.post(form_url(nobody_yet), {
            "animator": stand_in.pk, "reason": "x", "until": until.isoformat(),
        })

        assert response.status_code == 400
        assert "needs an active animator who comes back" in response.content.decode()
        assert not Assignment.objects.filter(partnership=nobody_yet).exists()

    def test_the_service_refuses_what_the_form_refuses(self, expert, under_way):
        """For callers without the form (the admin, imports): the same rules."""
        anna = Assignment.objects.get(partnership=under_way).animator
        stand_in = factories.AnimatorFactory()
        today = timezone.localdate()
        for animator, until in [
            (anna, today + datetime.timedelta(days=5)),
            (stand_in, today),
            (stand_in, under_way.round.end + datetime.timedelta(days=1)),
        ]:
            with pytest.raises(services.AssignmentError):
                services.assignment_create(partnership=under_way, animator=animator, by=expert,
                                           reason="x", until=until)
        assert Assignment.objects.filter(partnership=under_way).count() == 1

    @pytest.mark.parametrize("size", [2, 8])
    def test_query_count_does_not_grow(self, client, expert, animator, partnership, round_,
                                       size, django_assert_num_queries):
        for _ in range(size):
            animator_in("12", load=1, round_=round_, expert=expert)
        client.force_login(expert)

        # 1 session, 2 user, 3 groups, 4 partnership, 5 its active assignment,
        # 6 animators with load, 7 their voivodeships, 8 the library's voivodeship, 9 history
        with django_assert_num_queries(9):
            response = client.get(form_url(partnership))

        assert len(offered(response)) == size


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_transactions_at_once_one_succeeds_the_other_is_refused(reference_data, round_):
    partnership = factories.PartnershipFactory(round=round_)
    animators = [factories.AnimatorFactory(), factories.AnimatorFactory()]
    expert = factories.UserFactory(role="expert")
    barrier, results = threading.Barrier(2), []

    def assign(animator):
        try:
            barrier.wait()
            services.assignment_create(partnership=partnership, animator=animator, by=expert,
                                       reason="x", expected_current=None)
            results.append("ok")
        except services.AssignmentError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(a,)) for a in animators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == ["ok", "refused"]
    assert Assignment.objects.filter(partnership=partnership).count() == 1


class TestProposalRule:
    """The rule of partnerships.proposal, on made-up data."""

    class P:
        def __init__(self, pk, code):
            self.pk = pk
            self.library = type("L", (), {"voivodeship_id": code, "name": f"lib{pk:03d}"})

    def candidates(self, *specs):
        return [Candidate(animator=name, voivodeships=frozenset(codes), load=load,
                          capacity=capacity)
                for name, codes, load, capacity in specs]

    def test_prefers_local_animators_and_balances_load(self):
        people = self.candidates(("ala", {"12"}, 0, 5), ("ela", {"12"}, 2, 5),
                                 ("ola", {"20"}, 0, 5))
        result = propose([self.P(i, "12") for i in range(4)], people)

        assert [p.animator for p in result].count("ala") == 3
        assert [p.animator for p in result].count("ela") == 1
        assert all(p.local for p in result)

    def test_nobody_goes_over_capacity_while_a_local_has_room(self):
        people = self.candidates(("ala", {"12"}, 4, 5), ("ela", {"12"}, 3, 5),
                                 ("ola", {"20"}, 0, 5))
        result = propose([self.P(i, "12") for i in range(5)], people)

        loads = {c.animator: c.load for c in people}
        assert all(loads[c.animator] <= c.capacity for c in people)
        outside = [p for p in result if not p.local]
        # Only after both locals are full does anyone go outside the voivodeship.
        assert len(outside) == 2 and loads["ala"] == 5 and loads["ela"] == 5

    def test_scarce_voivodeships_are_served_first(self):
        people = self.candidates(("ala", {"12", "20"}, 4, 5), ("ola", {"12"}, 0, 5))
        result = propose([self.P(1, "12"), self.P(2, "20")], people)

        by_pk = {p.partnership.pk: p.animator for p in result}
        assert by_pk == {2: "ala", 1: "ola"}

    def test_nobody_with_room_leaves_the_library_without_a_proposal(self):
        people = self.candidates(("ala", {"12"}, 5, 5))

        assert propose([self.P(1, "12")], people)[0].animator is None

    def test_random_data_never_breaks_capacity(self):
        import random

        rng = random.Random(7)
        codes = ["02", "12", "14", "20"]
        for _ in range(50):
            people = self.candidates(*[
                (f"a{i}", set(rng.sample(codes, 2)), rng.randint(0, 3), rng.randint(3, 6))
                for i in range(5)
            ])
            partnerships = [self.P(i, rng.choice(codes)) for i in range(rng.randint(1, 20))]
            result = propose(partnerships, people)
            for person in people:
                assert person.load <= person.capacity
            for item in result:
                if item.animator is not None and not item.local:
                    code = item.partnership.library.voivodeship_id
                    assert all(p.room == 0 for p in people if code in p.voivodeships)
