"""The animator's list of libraries and the library card (foundation versions)."""

import datetime

import pytest

from partnerships.models import Stage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today_inside_the_round(monkeypatch, round_):
    """Pin "today" to 20 April of the test round (1 March – 30 September)."""
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(2026, 4, 20)
    )


class TestMyLibraries:
    url = "/libraries/mine/"

    def test_lists_the_animators_libraries_with_their_stage(self, client, animator, library):
        factories.MilestoneFactory(
            partnership=library.partnerships.get(), stage=Stage.DIAGNOSIS,
            reached_on=datetime.date(2026, 3, 20),
        )
        client.force_login(animator.user)

        response = client.get(self.url)

        content = response.content.decode()
        assert response.status_code == 200
        assert library.name in content
        assert "etap 1 z 7" in content

    def test_shows_a_late_partnership_as_late(self, client, animator, library):
        client.force_login(animator.user)

        response = client.get(self.url)

        # No diagnosis by 31 March, no invitations by 15 April: late on 20 April.
        assert "badge--late" in response.content.decode()

    def test_does_not_list_libraries_of_other_animators(
        self, client, animator, other_animator, other_partnership
    ):
        client.force_login(animator.user)

        response = client.get(self.url)

        assert other_partnership.library.name not in response.content.decode()

    def test_an_animator_with_no_libraries_sees_an_empty_state(self, client, db):
        client.force_login(factories.AnimatorFactory().user)

        response = client.get(self.url)

        assert "Nie masz jeszcze przypisanych bibliotek" in response.content.decode()

    def test_login_required(self, client):
        response = client.get(self.url)

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_librarian_gets_403(self, client, librarian):
        client.force_login(librarian)

        assert client.get(self.url).status_code == 403

    @pytest.mark.parametrize("size", [1, 5])
    def test_query_count_does_not_grow_with_libraries(
        self, client, animator, round_, size, django_assert_num_queries
    ):
        for _ in range(size):
            partnership = factories.PartnershipFactory(round=round_)
            factories.AssignmentFactory(partnership=partnership, animator=animator)
            factories.MeetingFactory(partnership=partnership)
            factories.MilestoneFactory(partnership=partnership)
        client.force_login(animator.user)

        # 1 session, 2 user, 3 user's groups, 4 partnerships with stage, status and last meeting
        with django_assert_num_queries(4):
            response = client.get(self.url)

        assert response.status_code == 200


class TestLibraryCard:
    def url(self, library):
        return f"/libraries/{library.pk}/"

    def test_librarian_sees_stage_deadlines_and_animator(
        self, client, librarian, library, animator
    ):
        factories.MilestoneFactory(
            partnership=library.partnerships.get(), stage=Stage.DIAGNOSIS,
            reached_on=datetime.date(2026, 3, 25),
        )
        client.force_login(librarian)

        response = client.get(self.url(library))

        content = response.content.decode()
        assert response.status_code == 200
        assert library.name in content
        assert "osiągnięty 25 marca 2026" in content
        assert "termin 15 kwietnia 2026" in content
        assert animator.user.email in content

    @pytest.mark.parametrize("role", ["coordinator", "expert"])
    def test_coordinator_and_experts_see_every_card(self, client, library, role, request):
        client.force_login(request.getfixturevalue(role))

        assert client.get(self.url(library)).status_code == 200

    def test_assigned_animator_sees_the_card(self, client, animator, library):
        client.force_login(animator.user)

        assert client.get(self.url(library)).status_code == 200

    @pytest.mark.parametrize("outsider", ["other_animator", "other_librarian", "plain_user"])
    def test_outsiders_get_404(self, client, library, outsider, request):
        person = request.getfixturevalue(outsider)
        client.force_login(getattr(person, "user", person))

        assert client.get(self.url(library)).status_code == 404

    def test_unknown_library_gets_404(self, client, expert):
        client.force_login(expert)

        assert client.get("/libraries/999999/").status_code == 404

    def test_login_required(self, client, library):
        response = client.get(self.url(library))

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_my_libraries_put_what_needs_action_first(client, round_, monkeypatch):
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(2026, 4, 20)
    )
    animator = factories.AnimatorFactory()
    names = {}
    for key, name in [("fine", "A fine"), ("late", "B late"), ("missed", "C missed")]:
        partnership = factories.PartnershipFactory(round=round_, library__name=name)
        factories.AssignmentFactory(partnership=partnership, animator=animator)
        names[key] = partnership
    for key in ("fine", "missed"):
        factories.MilestoneFactory(partnership=names[key], stage=Stage.DIAGNOSIS,
                                   reached_on=datetime.date(2026, 3, 20))
        factories.MilestoneFactory(partnership=names[key], stage=Stage.INVITATIONS,
                                   reached_on=datetime.date(2026, 4, 10))
    factories.MeetingFactory(partnership=names["fine"], date=datetime.date(2026, 4, 15),
                             next_meeting_on=datetime.date(2026, 4, 28))
    factories.MeetingFactory(partnership=names["missed"], date=datetime.date(2026, 4, 10),
                             next_meeting_on=datetime.date(2026, 4, 17))
    client.force_login(animator.user)

    rows = client.get("/libraries/mine/").context["rows"]

    assert [row.library.name for row in rows] == ["B late", "C missed", "A fine"]
    assert rows[2].progress.days_since_last_meeting == 5
