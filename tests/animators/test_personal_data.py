"""Personal data: everyone downloads their own data from "My account"; the coordinator removes
the personal data of a person who has left and of a partner's contact, also from the change
history, while everything they logged and the programme's figures stay."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext

from animators import services
from animators.models import AccountEvent, Animator
from partnerships.models import Assignment, Meeting, Milestone, Partner
from tests import factories

pytestmark = pytest.mark.django_db
User = get_user_model()
DATA = "/account/data.json"


def download(client, user):
    client.force_login(user)
    response = client.get(DATA)
    assert response.status_code == 200
    return response, json.loads(response.content)


@pytest.fixture
def own_records(animator, partnership, expert):
    """The animator's meeting, milestone and agreement, and the record of their invitation."""
    school = factories.PartnerFactory(partnership=partnership, name="Szkoła Podstawowa nr 1")
    meeting = factories.MeetingFactory(
        partnership=partnership, logged_by=animator.user, summary="Nasze pierwsze spotkanie.",
        guests="radna powiatu",
    )
    meeting.partners_present.add(school)
    factories.MilestoneFactory(partnership=partnership, recorded_by=animator.user, note="Moja")
    factories.AgreementFactory(partnership=partnership, recorded_by=animator.user)
    AccountEvent.objects.create(user=animator.user, kind="invited", by=expert)
    return meeting


class TestAccountPage:
    def test_shows_who_i_am_and_the_download(self, client, animator):
        client.force_login(animator.user)

        response = client.get("/account/")

        content = response.content.decode()
        assert response.status_code == 200
        assert "animator@example.org" in content
        assert 'href="/account/data.json"' in content
        assert 'href="/notifications/"' in content
        assert "no-store" in response["Cache-Control"]
        assert 'href="/account/"' in client.get("/notifications/").content.decode()  # the menu

    def test_login_required(self, client):
        assert client.get("/account/").status_code == 302
        assert client.get(DATA).status_code == 302


class TestDownload:
    def test_an_animator_gets_their_own_data_and_nobody_elses(
        self, client, animator, own_records, other_animator, other_partnership
    ):
        factories.MeetingFactory(
            partnership=other_partnership,
            logged_by=other_animator.user,
            summary="Cudze spotkanie.",
        )
        animator.voivodeships.add(factories.voivodeship("12"))

        response, data = download(client, animator.user)

        assert response["Content-Disposition"].startswith('attachment; filename="moje-dane-')
        assert "no-store" in response["Cache-Control"]
        assert data["account"]["email"] == "animator@example.org"
        assert data["account"]["roles"] == ["animator"]
        assert data["animator"]["phone"] == "+48 600 100 200"
        assert data["animator"]["voivodeships"] == ["małopolskie"]
        assert data["animator"]["supervising_expert"] == animator.expert.get_full_name()
        assert [a["library"] for a in data["animator"]["assignments"]] == [
            own_records.partnership.library.name
        ]
        [meeting] = data["meetings_logged"]
        assert meeting["summary"] == "Nasze pierwsze spotkanie."
        assert meeting["guests"] == "radna powiatu"
        assert meeting["partners_present"] == ["Szkoła Podstawowa nr 1"]
        assert [m["note"] for m in data["milestones_recorded"]] == ["Moja"]
        assert len(data["agreements_recorded"]) == 1
        assert [e["by"] for e in data["account_events"]] == [animator.expert.get_full_name()]
        assert data["notification_settings"] == {"reminders": True, "weekly_digest": True}
        content = response.content.decode()
        assert "Cudze spotkanie." not in content
        assert "inny.animator@example.org" not in content

    def test_a_librarian_gets_their_library_and_no_animator_profile(
        self, client, librarian, library
    ):
        _response, data = download(client, librarian)

        assert data["account"]["roles"] == ["librarian"]
        assert data["animator"] is None
        assert data["libraries_as_librarian"] == [library.name]
        assert data["meetings_logged"] == []

    @pytest.mark.parametrize("size", [1, 6])
    def test_query_count_does_not_grow(
        self, client, animator, partnership, size, django_assert_num_queries
    ):
        school = factories.PartnerFactory(partnership=partnership)
        for _ in range(size):
            meeting = factories.MeetingFactory(partnership=partnership, logged_by=animator.user)
            meeting.partners_present.add(school)
            AccountEvent.objects.create(user=animator.user, kind="invited")
            factories.AssignmentFactory(animator=animator)
        client.force_login(animator.user)

        # 1 session, 2 user, 3 groups, 4 the animator with their expert, 5 voivodeships,
        # 6 assignments, 7 libraries as librarian, 8 meetings, 9 their partners present,
        # 10 attachments, 11 milestones, 12 agreements, 13 account events, 14 notifications
        with django_assert_num_queries(14):
            response = client.get(DATA)

        assert len(json.loads(response.content)["meetings_logged"]) == size


@pytest.fixture
def leaver(animator, partnership):
    """An animator who has left: an e-mail address in allauth, a phone changed once (two
    versions in the history), a meeting logged and a stage recorded."""
    EmailAddress.objects.create(
        user=animator.user, email=animator.user.email, verified=True, primary=True
    )
    animator.phone = "+48 601 222 333"
    animator.save()
    factories.MeetingFactory(partnership=partnership, logged_by=animator.user)
    factories.MilestoneFactory(partnership=partnership, recorded_by=animator.user)
    return animator.user


class TestAnonymise:
    def test_the_coordinator_removes_a_leavers_personal_data_and_keeps_the_figures(
        self, client, coordinator, leaver, partnership
    ):
        old_name, old_email = leaver.get_full_name(), leaver.email
        animator = Animator.objects.get(user=leaver)
        client.force_login(coordinator)
        history_page = f"/admin/animators/animator/{animator.pk}/history/"
        assert "601 222 333" in client.get(history_page).content.decode()
        assert f"/people/{leaver.pk}/anonymise/" in client.get("/people/").content.decode()
        assert client.get(f"/people/{leaver.pk}/anonymise/").status_code == 200

        response = client.post(f"/people/{leaver.pk}/anonymise/")

        assert response.status_code == 200
        assert partnership.library.name in response.content.decode()  # to reassign
        leaver.refresh_from_db()
        assert leaver.get_full_name() == f"Osoba usunięta {leaver.pk}"
        assert leaver.email == leaver.username == f"usunieta-{leaver.pk}@invalid"
        assert not leaver.is_active and not leaver.has_usable_password()
        assert not EmailAddress.objects.filter(email__iexact=old_email).exists()
        animator.refresh_from_db()
        assert animator.phone == ""
        phones = set(Animator.history.filter(id=animator.pk).values_list("phone", flat=True))
        assert phones == {""}
        assert Meeting.objects.filter(logged_by=leaver).count() == 1
        assert Milestone.objects.filter(recorded_by=leaver).count() == 1
        assert Assignment.objects.filter(animator=animator).count() == 1
        assert list(AccountEvent.objects.filter(user=leaver).values_list("kind", "by")) == [
            ("anonymised", coordinator.pk)
        ]
        people = client.get("/people/").content.decode()
        assert old_name not in people and old_email not in people
        assert f"Osoba usunięta {leaver.pk}" in people
        history = client.get(history_page)
        assert history.status_code == 200
        assert "601 222 333" not in history.content.decode()

    def test_they_cannot_sign_in_any_more(self, client, coordinator, leaver):
        old_email = leaver.email
        leaver_client = client.__class__()
        leaver_client.force_login(leaver)
        client.force_login(coordinator)

        client.post(f"/people/{leaver.pk}/anonymise/")

        assert leaver_client.get("/account/").status_code == 302  # their session is over
        for login in (old_email, f"usunieta-{leaver.pk}@invalid"):
            response = leaver_client.post(
                "/accounts/login/", {"login": login, "password": factories.PASSWORD}
            )
            assert response.status_code == 200  # the form again, with an error

    def test_their_account_cannot_be_reactivated_or_invited(self, client, coordinator, leaver):
        services.person_anonymise(user=leaver, by=coordinator)
        client.force_login(coordinator)

        assert client.post(f"/people/{leaver.pk}/reactivate/").status_code == 403
        assert client.post(f"/people/{leaver.pk}/invite/").status_code == 403
        assert client.get(f"/people/{leaver.pk}/anonymise/").status_code == 403
        leaver.refresh_from_db()
        assert not leaver.is_active

    @pytest.mark.parametrize("role", ["expert", "animator", "librarian"])
    def test_other_roles_get_403(self, client, request, role, leaver):
        actor = request.getfixturevalue(role)
        actor = actor.user if role == "animator" else actor
        target = leaver if role != "animator" else factories.AnimatorFactory().user
        client.force_login(actor)

        assert client.get(f"/people/{target.pk}/anonymise/").status_code == 403
        response = client.post(f"/people/{target.pk}/anonymise/")

        assert response.status_code == 403
        target.refresh_from_db()
        assert target.is_active and target.email.endswith("@example.org")
        if role == "expert":
            assert f"/people/{target.pk}/anonymise/" not in client.get("/people/").content.decode()

    def test_not_oneself(self, client, coordinator):
        factories.UserFactory(role="coordinator")  # not the last coordinator
        client.force_login(coordinator)

        response = client.post(f"/people/{coordinator.pk}/anonymise/")

        assert response.status_code == 403
        with translation.override("pl"):
            reason = gettext("You cannot remove your own personal data; ask another coordinator.")
        assert reason in response.content.decode()
        coordinator.refresh_from_db()
        assert coordinator.email == "koordynator@example.org"

    def test_not_the_last_coordinator(self, client, coordinator):
        superuser = factories.UserFactory(is_superuser=True, is_staff=True)
        client.force_login(superuser)
        assert f"/people/{coordinator.pk}/anonymise/" not in client.get("/people/").content.decode()

        response = client.post(f"/people/{coordinator.pk}/anonymise/")

        assert response.status_code == 403
        coordinator.refresh_from_db()
        assert coordinator.is_active and coordinator.email == "koordynator@example.org"


@pytest.fixture
def contact(partnership):
    """A partner whose contact changed once (two versions in the history), present at a
    meeting."""
    partner = factories.PartnerFactory(
        partnership=partnership,
        contact_person="Jan Kowalski",
        email="jan.kowalski@example.org",
        phone="+48 602 111 000",
    )
    partner.phone = "+48 602 111 999"
    partner.save()
    factories.MeetingFactory(partnership=partnership).partners_present.add(partner)
    return partner


class TestPartnerContact:
    def test_the_coordinator_removes_a_partners_contact_also_from_the_history(
        self, client, coordinator, contact
    ):
        client.force_login(coordinator)
        edit = client.get(f"/partners/{contact.pk}/edit/").content.decode()
        assert f"/people/partners/{contact.pk}/anonymise/" in edit
        history_page = f"/admin/partnerships/partner/{contact.pk}/history/"
        assert "602 111 000" in client.get(history_page).content.decode()
        assert client.get(f"/people/partners/{contact.pk}/anonymise/").status_code == 200

        response = client.post(f"/people/partners/{contact.pk}/anonymise/")

        assert response.status_code == 302
        contact.refresh_from_db()
        assert (contact.contact_person, contact.email, contact.phone) == ("Osoba usunięta", "", "")
        versions = set(
            Partner.history.filter(id=contact.pk).values_list("contact_person", "email", "phone")
        )
        assert versions == {("Osoba usunięta", "", "")}
        assert contact.meetings.count() == 1  # the partner and its meeting stay
        history = client.get(history_page).content.decode()
        assert "602 111 000" not in history and "Kowalski" not in history

    def test_an_expert_gets_403_and_no_button(self, client, expert, contact):
        client.force_login(expert)
        edit = client.get(f"/partners/{contact.pk}/edit/").content.decode()
        assert "/anonymise/" not in edit

        response = client.post(f"/people/partners/{contact.pk}/anonymise/")

        assert response.status_code == 403
        contact.refresh_from_db()
        assert contact.contact_person == "Jan Kowalski"

    def test_an_animator_gets_403(self, client, animator, contact):
        client.force_login(animator.user)

        assert client.post(f"/people/partners/{contact.pk}/anonymise/").status_code == 403
        contact.refresh_from_db()
        assert contact.email == "jan.kowalski@example.org"
