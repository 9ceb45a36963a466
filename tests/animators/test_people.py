"""Accounts by invitation; deactivation keeps everything a person logged."""

import datetime
import re

import pytest
from allauth.account.forms import default_token_generator
from django.conf import settings
from django.contrib.auth import get_user_model

from animators import services
from animators.models import Animator
from partnerships.models import Meeting
from tests import factories

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW = "/people/new/"


def link_in(message):
    return re.search(r"http://\S+/accounts/password/reset/key/\S+/", message.body).group(0)


def animator_data(**overrides):
    data = {"role": "animator", "first_name": "Ewa", "last_name": "Nowicka",
            "email": "Ewa.Nowicka@example.org", "phone": "600 700 800",
            "voivodeships": ["12", "26"], "capacity": "4"}
    data.update(overrides)
    return data


class TestInvite:
    def test_expert_invites_an_animator_who_sets_a_password_and_signs_in(
        self, client, expert, mailoutbox, django_capture_on_commit_callbacks
    ):
        client.force_login(expert)
        voivodeship_pks = [factories.voivodeship(c).pk for c in ("12", "26")]

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(NEW, animator_data(voivodeships=voivodeship_pks,
                                                      expert=expert.pk))

        assert response.status_code == 302
        person = User.objects.get(email="ewa.nowicka@example.org")
        assert not person.has_usable_password()
        assert list(person.groups.values_list("name", flat=True)) == ["animator"]
        animator = Animator.objects.get(user=person)
        assert (animator.capacity, animator.expert) == (4, expert)
        assert {v.code for v in animator.voivodeships.all()} == {"12", "26"}
        assert len(mailoutbox) == 1
        mail = mailoutbox[0]
        assert mail.to == ["ewa.nowicka@example.org"]
        assert "Twoje konto w PRB Partnerstwa" in mail.subject
        assert "Ustaw hasło" in mail.alternatives[0][0]
        assert "ważny przez 7 dni" in mail.body

        client.logout()
        link = link_in(mail).replace("http://127.0.0.1:8000", "")
        page = client.get(link, follow=True)
        assert "Ustaw hasło" in page.content.decode()
        response = client.post(page.redirect_chain[-1][0] if page.redirect_chain else link,
                               {"password1": "Nowe-haslo-2026!", "password2": "Nowe-haslo-2026!"})
        assert response.status_code == 302
        client.logout()
        assert client.login(username="ewa.nowicka@example.org", password="Nowe-haslo-2026!")

    def test_librarian_is_tied_to_their_library(self, client, expert, library,
                                                django_capture_on_commit_callbacks):
        client.force_login(expert)

        with django_capture_on_commit_callbacks(execute=True):
            client.post(NEW, {"role": "librarian", "first_name": "Jan", "last_name": "Kos",
                              "email": "jan@example.org", "library": library.pk})

        assert list(User.objects.get(email="jan@example.org").libraries.all()) == [library]

    def test_a_librarian_without_a_library_is_refused(self, client, expert):
        client.force_login(expert)

        response = client.post(NEW, {"role": "librarian", "first_name": "Jan",
                                     "last_name": "Kos", "email": "jan@example.org"})

        assert response.status_code == 400
        assert "Konto bibliotekarki lub bibliotekarza jest związane z biblioteką." in (
            response.content.decode())
        assert not User.objects.filter(email="jan@example.org").exists()

    def test_an_existing_email_is_refused(self, client, expert, animator, mailoutbox):
        client.force_login(expert)

        response = client.post(NEW, animator_data(email="ANIMATOR@example.org",
                                                  voivodeships=[factories.voivodeship().pk]))

        assert response.status_code == 400
        assert "Konto z tym adresem e-mail już istnieje" in response.content.decode()
        assert mailoutbox == []

    def test_the_invitation_can_be_sent_again(self, client, expert, mailoutbox,
                                              django_capture_on_commit_callbacks):
        client.force_login(expert)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(NEW, animator_data(voivodeships=[factories.voivodeship().pk],
                                              expert=expert.pk))
        person = User.objects.get(email="ewa.nowicka@example.org")

        response = client.post(f"/people/{person.pk}/invite/")

        assert response.status_code == 302
        assert len(mailoutbox) == 2

    def test_an_expired_link_says_so(self, client, expert, mailoutbox, monkeypatch,
                                     django_capture_on_commit_callbacks):
        client.force_login(expert)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(NEW, animator_data(voivodeships=[factories.voivodeship().pk],
                                              expert=expert.pk))
        client.logout()
        later = datetime.datetime.now() + datetime.timedelta(days=8)
        monkeypatch.setattr(default_token_generator, "_now", lambda: later)

        page = client.get(link_in(mailoutbox[0]).replace("http://127.0.0.1:8000", ""),
                          follow=True)

        content = page.content.decode()
        assert "Ten link już nie działa" in content
        assert "wygasł" in content

    @pytest.mark.parametrize("role", ["animator", "librarian"])
    def test_other_roles_get_403(self, client, request, role):
        person = request.getfixturevalue(role)
        client.force_login(getattr(person, "user", person))

        assert client.get(NEW).status_code == 403
        assert client.get("/people/").status_code == 403

    def test_login_required(self, client):
        assert client.get(NEW)["Location"].startswith("/accounts/login/")


class TestTheInvitationForm:
    """/people/new/ marks what each role needs, and checks the role sent."""

    def test_marks_what_each_role_needs_and_names_people_by_name(self, client, coordinator,
                                                                 expert):
        client.force_login(coordinator)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

        content = client.get(NEW).content.decode()

        assert content.count("Required for an animator.") == 2  # voivodeships, expert
        assert "Required for a librarian" in content
        assert 'data-role="animator"' in content and 'data-role="librarian"' in content
        assert "js/person_form.js" in content and "novalidate" in content
        assert f">{expert.get_full_name()}</option>" in content
        assert "@example.org" not in content  # experts by name, never by e-mail

    def test_an_expert_is_proposed_as_the_new_animators_expert(self, client, expert):
        client.force_login(expert)

        form = client.get(NEW).context["form"]

        assert form["expert"].value() == expert.pk

    def test_an_animator_without_voivodeships_and_expert_is_refused(self, client, coordinator,
                                                                    expert, mailoutbox):
        client.force_login(coordinator)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

        response = client.post(NEW, animator_data(voivodeships=[], capacity=""))

        assert response.status_code == 400
        errors = response.context["form"].errors
        assert set(errors) == {"voivodeships", "expert"}
        content = response.content.decode()
        assert "Choose at least one voivodeship." in content
        assert "Choose the CAL expert who supervises the animator." in content
        assert not User.objects.filter(email="ewa.nowicka@example.org").exists()
        assert mailoutbox == []

    def test_the_fields_of_other_roles_are_ignored(self, client, expert, library,
                                                   django_capture_on_commit_callbacks):
        client.force_login(expert)

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(NEW, {
                "role": "librarian", "first_name": "Jan", "last_name": "Kos",
                "email": "jan@example.org", "library": library.pk,
                "capacity": "many", "phone": "600 100 200",  # left from another role
            })

        assert response.status_code == 302
        person = User.objects.get(email="jan@example.org")
        assert not Animator.objects.filter(user=person).exists()

    def test_a_missing_role_is_refused_with_a_message(self, client, expert):
        client.force_login(expert)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

        response = client.post(NEW, {"first_name": "Jan", "last_name": "Kos",
                                     "email": "jan@example.org"})

        assert response.status_code == 400
        assert set(response.context["form"].errors) == {"role"}
        assert "Choose the role of the person." in response.content.decode()

    def test_the_confirmation_names_the_person(self, client, expert,
                                               django_capture_on_commit_callbacks):
        client.force_login(expert)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(NEW, animator_data(
                voivodeships=[factories.voivodeship().pk], expert=expert.pk), follow=True)

        assert "The account of Ewa Nowicka is created" in response.content.decode()


class TestDeactivate:
    def test_keeps_what_they_logged_and_lists_their_libraries_to_reassign(
        self, client, expert, animator, partnership
    ):
        factories.MeetingFactory(partnership=partnership, logged_by=animator.user)
        client.force_login(expert)

        response = client.post(f"/people/{animator.user.pk}/deactivate/")

        assert response.status_code == 200
        assert partnership.library.name in response.content.decode()
        assert f"/assignments/partnership/{partnership.pk}/" in response.content.decode()
        animator.refresh_from_db()
        animator.user.refresh_from_db()
        assert not animator.user.is_active and not animator.is_active
        assert Meeting.objects.filter(logged_by=animator.user).count() == 1
        client.logout()
        assert not client.login(username=animator.user.email, password=factories.PASSWORD)

    def test_reactivate(self, client, expert, animator):
        client.force_login(expert)
        client.post(f"/people/{animator.user.pk}/deactivate/")

        client.post(f"/people/{animator.user.pk}/reactivate/")

        animator.refresh_from_db()
        assert animator.is_active

    def test_cannot_deactivate_oneself(self, client, expert):
        client.force_login(expert)

        response = client.post(f"/people/{expert.pk}/deactivate/")

        assert response.status_code == 403
        assert "Nie możesz dezaktywować własnego konta." in response.content.decode()
        expert.refresh_from_db()
        assert expert.is_active


class TestList:
    def test_shows_invited_people_and_filters_by_status(self, client, expert, animator):
        invited = factories.UserFactory(email="nowa@example.org", role="librarian")
        invited.set_unusable_password()
        invited.save()
        client.force_login(expert)

        response = client.get("/people/", {"status": "invited"})

        assert list(response.context["page"].object_list) == [invited]
        assert "zaproszenie wysłane, hasło jeszcze nieustawione" in response.content.decode()

    @pytest.mark.parametrize("size", [2, 8])
    def test_query_count_does_not_grow(self, client, expert, round_, size,
                                       django_assert_num_queries):
        for _ in range(size):
            factories.AnimatorFactory()
            factories.PartnershipFactory(round=round_).library.librarians.add(
                factories.UserFactory(role="librarian"))
        client.force_login(expert)

        # 1 session, 2 user, 3 groups, 4 count, 5 people with their animator, 6 their groups,
        # 7 their libraries, 8 their last account event with its author
        with django_assert_num_queries(8):
            response = client.get("/people/")

        assert response.status_code == 200

    @pytest.mark.parametrize("size", [2, 8])
    def test_query_count_for_the_coordinator_does_not_grow(
        self, client, coordinator, expert, size, django_assert_num_queries
    ):
        for _ in range(size):
            factories.UserFactory(role="coordinator")
            services.person_deactivate(user=factories.AnimatorFactory().user, by=expert)
        client.force_login(coordinator)

        # 1 session, 2 user, 3 groups, 4 count, 5 people with their animator, 6 their groups,
        # 7 their libraries, 8 their last account event with its author, 9 the active
        # coordinators (may one of them be deactivated?)
        with django_assert_num_queries(9):
            response = client.get("/people/")

        content = response.content.decode()
        assert content.count("/deactivate/") == 1 + size  # everyone active but oneself
        assert content.count("/reactivate/") == size
