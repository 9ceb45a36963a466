"""The admin panel for the coordinator and experts."""

import datetime

import pytest
from django.urls import reverse

from partnerships.models import Assignment, Stage
from tests import factories

pytestmark = pytest.mark.django_db

MODELS = [
    "libraries.voivodeship",
    "libraries.library",
    "animators.animator",
    "partnerships.round",
    "partnerships.partnership",
    "partnerships.assignment",
    "partnerships.partner",
    "partnerships.meeting",
    "partnerships.milestone",
    "partnerships.agreement",
    "partnerships.jointaction",
]


def changelist(model):
    app, name = model.split(".")
    return reverse(f"admin:{app}_{name}_changelist")


def build(round_, expert, size):
    """`size` complete partnerships: an animator, partners, meetings, milestones, agreement,
    joint action, and one ended assignment each."""
    made = []
    for _ in range(size):
        partnership = factories.PartnershipFactory(round=round_)
        animator = factories.AnimatorFactory(expert=expert)
        animator.voivodeships.add(factories.voivodeship())
        start = datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC)
        factories.AssignmentFactory(partnership=partnership, assigned_at=start,
                                    ended_at=start + datetime.timedelta(days=3))
        factories.AssignmentFactory(partnership=partnership, animator=animator, assigned_at=start)
        partner = factories.PartnerFactory(partnership=partnership)
        meeting = factories.MeetingFactory(partnership=partnership, logged_by=animator.user)
        meeting.partners_present.add(partner)
        factories.MilestoneFactory(partnership=partnership, stage=Stage.DIAGNOSIS)
        factories.AgreementFactory(partnership=partnership).signatories.add(partner)
        factories.JointActionFactory(partnership=partnership)
        made.append(partnership)
    return made


@pytest.mark.parametrize("role", ["coordinator", "expert"])
def test_every_changelist_and_change_page_opens(client, request, role, round_, expert):
    partnership = build(round_, expert, 1)[0]
    client.force_login(request.getfixturevalue(role))

    assert client.get("/admin/").status_code == 200
    for model in MODELS:
        response = client.get(changelist(model))
        assert response.status_code == 200, model
        objects = response.context["cl"].result_list
        assert len(objects) >= 1, model
        app, name = model.split(".")
        change = client.get(reverse(f"admin:{app}_{name}_change", args=[objects[0].pk]))
        assert change.status_code == 200, model
    page = client.get(reverse("admin:partnerships_partnership_change", args=[partnership.pk]))
    content = page.content.decode()
    for heading in ("Historia przypisań", "Partnerzy", "Spotkania", "Kamienie milowe",
                    "Porozumienia", "Wspólne działania"):
        assert heading in content


def test_admin_is_in_polish_and_links_the_application_pages(client, expert):
    client.force_login(expert)

    content = client.get("/admin/").content.decode()

    assert "PRB Partnerstwa" in content and "Witaj" in content
    for url in ("/dashboard/", "/libraries/", "/assignments/", "/people/"):
        assert f'href="{url}"' in content


# Queries of each changelist for the coordinator, the same at both sizes: session, user,
# groups and permissions, the choices of the filters, the counts (filtered and total), the
# page of rows with what it shows (select_related or annotated, never one query per row).
QUERIES = {
    "libraries.voivodeship": 8,
    "libraries.library": 9,
    "animators.animator": 10,
    "partnerships.round": 8,
    "partnerships.partnership": 12,
    "partnerships.assignment": 12,
    "partnerships.partner": 10,
    "partnerships.meeting": 12,
    "partnerships.milestone": 12,
    "partnerships.agreement": 12,
    "partnerships.jointaction": 12,
}


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("size", [2, 6])
def test_changelist_query_count_does_not_grow(client, coordinator, expert, round_, model, size,
                                              django_assert_num_queries):
    build(round_, expert, size)
    client.force_login(coordinator)

    with django_assert_num_queries(QUERIES[model]):
        response = client.get(changelist(model))

    assert response.status_code == 200


class TestPartnershipFilters:
    def test_stage_status_animator_and_expert(self, client, expert, round_):
        first, second = build(round_, expert, 2)
        factories.MilestoneFactory(partnership=second, stage=Stage.INVITATIONS)
        animator = Assignment.objects.active().get(partnership=first).animator
        client.force_login(expert)

        def shown(**params):
            response = client.get(changelist("partnerships.partnership"), params)
            return set(response.context["cl"].result_list)

        assert shown(stage="2") == {second}
        assert shown(stage="1") == {first}
        assert shown(status="late") == {first, second}
        assert shown(animator=animator.pk) == {first}
        assert shown(expert=expert.pk) == {first, second}
        assert shown(expert=factories.UserFactory(role="expert").pk) == set()


class TestAssignAction:
    def post(self, client, partnerships, **data):
        return client.post(changelist("partnerships.partnership"), {
            "action": "assign_animator",
            "_selected_action": [p.pk for p in partnerships],
            **data,
        })

    def test_assigns_ends_the_previous_and_keeps_history(self, client, expert, round_):
        partnerships = build(round_, expert, 2)
        new = factories.AnimatorFactory()
        client.force_login(expert)

        intermediate = self.post(client, partnerships)
        assert intermediate.status_code == 200
        assert "Przypisz animatora/animatorkę" in intermediate.content.decode()

        response = self.post(client, partnerships, apply="1", animator=new.pk, reason="Urlop")

        assert response.status_code == 302
        for partnership in partnerships:
            history = list(Assignment.objects.filter(partnership=partnership)
                           .order_by("assigned_at", "pk"))
            assert len(history) == 3
            assert all(a.ended_at is not None for a in history[:-1])
            assert (history[-1].animator, history[-1].reason) == (new, "Urlop")

    def test_reason_is_required(self, client, expert, round_):
        partnerships = build(round_, expert, 1)
        new = factories.AnimatorFactory()
        client.force_login(expert)

        response = self.post(client, partnerships, apply="1", animator=new.pk, reason="")

        assert response.status_code == 200
        assert "To pole jest wymagane." in response.content.decode()
        assert not Assignment.objects.filter(animator=new).exists()

    def test_all_or_nothing(self, client, expert, round_):
        partnerships = build(round_, expert, 2)
        partnerships[1].withdrawn_on = round_.start
        partnerships[1].save()
        new = factories.AnimatorFactory()
        client.force_login(expert)

        response = self.post(client, partnerships, apply="1", animator=new.pk, reason="x")

        assert response.status_code == 302
        assert not Assignment.objects.filter(animator=new).exists()


def test_partnerships_and_libraries_cannot_be_deleted(client, coordinator, expert, round_):
    partnership = build(round_, expert, 1)[0]
    client.force_login(coordinator)

    assert client.get(reverse("admin:partnerships_partnership_delete",
                              args=[partnership.pk])).status_code == 403
    assert client.get(reverse("admin:libraries_library_delete",
                              args=[partnership.library.pk])).status_code == 403


def test_experts_cannot_change_rounds(client, expert, round_):
    client.force_login(expert)

    response = client.get(reverse("admin:partnerships_round_change", args=[round_.pk]))

    assert response.status_code == 200
    assert 'name="name"' not in response.content.decode()  # read-only for experts


@pytest.mark.parametrize("role", ["animator", "librarian"])
def test_animators_and_librarians_have_no_admin(client, request, role):
    person = request.getfixturevalue(role)
    client.force_login(getattr(person, "user", person))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
