"""/assignments/: who supports whom; assigning, reassigning, and the balanced proposal."""

import threading

import pytest
from django.db import connection

from partnerships import services
from partnerships.models import Assignment
from partnerships.proposal import Candidate, propose
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

    @pytest.mark.parametrize("size", [2, 8])
    def test_query_count_does_not_grow(self, client, expert, round_, size,
                                       django_assert_num_queries):
        for _ in range(size):
            animator = factories.AnimatorFactory()
            animator.voivodeships.add(factories.voivodeship("12"))
            factories.AssignmentFactory(
                partnership=factories.PartnershipFactory(round=round_), animator=animator
            )
            factories.PartnershipFactory(round=round_)
        client.force_login(expert)

        # 1 session, 2 user, 3 groups, 4 current round, 5 unassigned partnerships,
        # 6 animators with load, 7 their voivodeships, 8 rounds
        with django_assert_num_queries(8):
            response = client.get(BOARD, {"propose": 1})

        assert len(response.context["proposals"]) == size


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

        assert response.status_code == 200
        assert "To pole jest wymagane." in response.content.decode()
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

        assert response.status_code == 200
        assert "Ktoś właśnie zmienił animatora" in response.content.decode()
        assert Assignment.objects.active().get(partnership=partnership).animator == bartek

    def test_over_capacity_is_allowed_with_a_warning(self, client, expert, round_, partnership):
        animator = factories.AnimatorFactory(capacity=1)
        factories.AssignmentFactory(animator=animator,
                                    partnership=factories.PartnershipFactory(round=round_))
        client.force_login(expert)

        response = client.post(form_url(partnership), {"animator": animator.pk, "reason": "x"},
                               follow=True)

        assert "powyżej limitu" in response.content.decode()

    def test_unknown_partnership_is_404(self, client, expert):
        client.force_login(expert)

        assert client.get("/assignments/partnership/999999/").status_code == 404

    def test_animator_gets_403(self, client, animator, partnership):
        client.force_login(animator.user)

        assert client.get(form_url(partnership)).status_code == 403


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
