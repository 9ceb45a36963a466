"""Who may change whom on the people pages, the record of who did it, and the one way e-mails
go out.

The coordinator invites, deactivates and reactivates everyone; an expert animators and
librarians only; nobody deactivates themselves; the last active coordinator stays. Everything
else answers 403 with the reason, changes nothing, and its button is not on the people list.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from animators import services
from animators.models import AccountEvent, Animator
from partnerships.models import Assignment
from partnerships.notifications import digest_send, reminders_send
from prb_partnerships import mail
from prb_partnerships.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db
User = get_user_model()

ACTORS = ["coordinator", "expert", "animator", "librarian"]
# "coordinator" is another coordinator (one more stays active); "last_coordinator" is the only
# active member of the coordinator group — the acting coordinator is then a superuser, the
# other way to hold the coordinator's role.
TARGETS = ["coordinator", "expert", "animator", "librarian", "self", "last_coordinator"]
MANAGES = {
    "coordinator": {"coordinator", "expert", "animator", "librarian", "last_coordinator"},
    "expert": {"animator", "librarian"},
}
STAFF = set(MANAGES)


def pl(message, **values):
    """`message` as a Polish user reads it."""
    with translation.override("pl"):
        text = gettext(message)
    return text % values if values else text


def allowed(action, actor_role, target_kind):
    if target_kind == "self":
        return False
    if action == "deactivate" and target_kind == "last_coordinator":
        return False
    return target_kind in MANAGES.get(actor_role, set())


def account(role, **fields):
    if role == "animator":
        return factories.AnimatorFactory(**{f"user__{k}": v for k, v in fields.items()}).user
    return factories.UserFactory(role=role, **fields)


def scene(actor_role, target_kind):
    """(actor, target) for one pair of the matrix."""
    if target_kind == "last_coordinator":
        target = account("coordinator")
        if actor_role == "coordinator":
            return factories.UserFactory(is_superuser=True, is_staff=True), target
        return account(actor_role), target
    factories.UserFactory(role=Role.COORDINATOR)  # a bystander: never the last coordinator
    actor = account(actor_role)
    if target_kind == "self":
        return actor, actor
    return actor, account(target_kind)


def events(user):
    return list(AccountEvent.objects.filter(user=user).values_list("kind", "by"))


def people_page(client):
    return client.get("/people/").content.decode()


def set_active(user, active):
    user.is_active = active
    user.save()
    Animator.objects.filter(user=user).update(is_active=active)


def assert_refused(response, actor_role):
    assert response.status_code == 403
    if actor_role in STAFF:  # the reason; animators and librarians are not told more
        reason = response.context["reason"]
        assert reason and str(reason) in response.content.decode()


@pytest.mark.parametrize("target_kind", TARGETS)
@pytest.mark.parametrize("actor_role", ACTORS)
class TestEveryPair:
    def test_deactivate(self, client, mailoutbox, actor_role, target_kind):
        actor, target = scene(actor_role, target_kind)
        may = allowed("deactivate", actor_role, target_kind)
        client.force_login(actor)
        if actor_role in STAFF:
            assert (f"/people/{target.pk}/deactivate/" in people_page(client)) is may
            confirm = client.get(f"/people/{target.pk}/deactivate/")
            assert confirm.status_code == (200 if may else 403)

        response = client.post(f"/people/{target.pk}/deactivate/")

        target.refresh_from_db()
        if may:
            assert response.status_code == 200
            assert not target.is_active
            assert events(target) == [("deactivated", actor.pk)]
        else:
            assert_refused(response, actor_role)
            assert target.is_active
            assert events(target) == []
        assert mailoutbox == []

    def test_reactivate(self, client, mailoutbox, actor_role, target_kind):
        actor, target = scene(actor_role, target_kind)
        if target != actor:
            set_active(target, False)
        may = allowed("reactivate", actor_role, target_kind)
        client.force_login(actor)
        if actor_role in STAFF:
            assert (f"/people/{target.pk}/reactivate/" in people_page(client)) is may

        response = client.post(f"/people/{target.pk}/reactivate/")

        target.refresh_from_db()
        if may:
            assert response.status_code == 302
            assert target.is_active
            assert events(target) == [("reactivated", actor.pk)]
        else:
            assert_refused(response, actor_role)
            assert target.is_active is (target == actor)
            assert events(target) == []
        assert mailoutbox == []

    def test_invite_again(self, client, mailoutbox, actor_role, target_kind):
        actor, target = scene(actor_role, target_kind)
        if target != actor:
            target.set_unusable_password()
            target.save()
        may = allowed("invite", actor_role, target_kind)
        client.force_login(actor)
        if actor_role in STAFF:
            assert (f"/people/{target.pk}/invite/" in people_page(client)) is may

        response = client.post(f"/people/{target.pk}/invite/")

        if may:
            assert response.status_code == 302
            assert [m.to for m in mailoutbox] == [[target.email]]
            assert events(target) == [("invited", actor.pk)]
        else:
            assert_refused(response, actor_role)
            assert mailoutbox == []
            assert events(target) == []


def new_person_data(role):
    data = {"role": role, "first_name": "Ewa", "last_name": "Nowa", "email": "ewa@example.org"}
    if role == "animator":
        data["voivodeships"] = [factories.voivodeship().pk]
        data["expert"] = factories.UserFactory(role="expert").pk
    if role == "librarian":
        data["library"] = factories.LibraryFactory().pk
    return data


@pytest.mark.parametrize("role", ["coordinator", "expert", "animator", "librarian"])
@pytest.mark.parametrize("actor_role", ACTORS)
def test_create(client, mailoutbox, django_capture_on_commit_callbacks, actor_role, role):
    actor = account(actor_role)
    may = role in MANAGES.get(actor_role, set())
    client.force_login(actor)
    form = client.get("/people/new/")
    if actor_role in STAFF:
        assert (f'value="{role}"' in form.content.decode()) is may  # the role is offered
    else:
        assert form.status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/people/new/", new_person_data(role))

    created = User.objects.filter(email="ewa@example.org").first()
    if may:
        assert response.status_code == 302
        assert list(created.groups.values_list("name", flat=True)) == [role]
        assert events(created) == [("invited", actor.pk)]
        assert [m.to for m in mailoutbox] == [["ewa@example.org"]]
    else:
        assert_refused(response, actor_role)
        assert created is None
        assert mailoutbox == []
        assert not AccountEvent.objects.exists()


class TestRules:
    def test_an_expert_is_told_why(self, client, expert, coordinator):
        client.force_login(expert)

        response = client.post(f"/people/{coordinator.pk}/deactivate/")

        assert response.status_code == 403
        assert (
            pl("Only the coordinator manages the accounts of CAL experts and coordinators.")
            in response.content.decode()
        )
        coordinator.refresh_from_db()
        assert coordinator.is_active

    def test_the_last_coordinator_is_not_deactivated_even_by_a_superuser(self, client, coordinator):
        admin = factories.UserFactory(is_superuser=True, is_staff=True)
        client.force_login(admin)

        response = client.post(f"/people/{coordinator.pk}/deactivate/")

        assert response.status_code == 403
        assert (
            pl(
                "%(email)s is the last active coordinator; invite another coordinator first.",
                email=coordinator.email,
            )
            in response.content.decode()
        )
        assert f"/people/{coordinator.pk}/deactivate/" not in people_page(client)

    def test_two_coordinators_cannot_deactivate_each_other(self, coordinator):
        second = factories.UserFactory(role=Role.COORDINATOR)
        stale_second = User.objects.get(pk=second.pk)  # still signed in, in another request

        services.person_deactivate(user=second, by=coordinator)

        with pytest.raises(PermissionDenied):
            services.person_deactivate(user=coordinator, by=stale_second)
        coordinator.refresh_from_db()
        assert coordinator.is_active
        assert AccountEvent.objects.filter(user=coordinator).count() == 0

    def test_several_roles_count_with_the_highest(self, client, expert):
        both = factories.UserFactory(role=Role.ANIMATOR)
        both.groups.add(*expert.groups.all())  # an animator who is also an expert
        client.force_login(expert)

        response = client.post(f"/people/{both.pk}/deactivate/")

        assert response.status_code == 403
        both.refresh_from_db()
        assert both.is_active

    def test_an_expert_who_also_animates_manages_animators(self, client, expert, animator):
        Assignment.objects.all().delete()
        expert.groups.add(*animator.user.groups.all())
        client.force_login(expert)

        assert client.post(f"/people/{animator.user.pk}/deactivate/").status_code == 200

    def test_a_person_who_set_a_password_is_not_invited_again(
        self, client, expert, animator, mailoutbox
    ):
        client.force_login(expert)

        response = client.post(f"/people/{animator.user.pk}/invite/")

        assert response.status_code == 403
        assert mailoutbox == []

    def test_a_deactivated_person_is_reactivated_before_being_invited(
        self, client, expert, animator, mailoutbox
    ):
        set_active(animator.user, False)
        client.force_login(expert)

        response = client.post(f"/people/{animator.user.pk}/invite/")

        assert response.status_code == 403
        assert pl("This account is deactivated; reactivate it first.") in (
            response.content.decode()
        )
        assert mailoutbox == []

    @pytest.mark.parametrize("url", ["/people/", "/people/new/", "/people/{pk}/deactivate/"])
    @pytest.mark.parametrize("role", ["animator", "librarian"])
    def test_animators_and_librarians_get_403(self, client, request, expert, role, url):
        person = request.getfixturevalue(role)
        client.force_login(getattr(person, "user", person))

        assert client.get(url.format(pk=expert.pk)).status_code == 403


class TestAccountEvents:
    def test_each_change_is_recorded_with_who_and_shown_on_the_list(
        self, client, coordinator, expert, animator, mailoutbox
    ):
        Assignment.objects.all().delete()
        client.force_login(expert)
        client.post(f"/people/{animator.user.pk}/deactivate/")
        client.force_login(coordinator)
        client.post(f"/people/{animator.user.pk}/reactivate/")

        assert [
            (kind, by)
            for kind, by in AccountEvent.objects.filter(user=animator.user)
            .order_by("at")
            .values_list("kind", "by")
        ] == [("deactivated", expert.pk), ("reactivated", coordinator.pk)]
        animator.refresh_from_db()
        assert animator.is_active
        last = AccountEvent.objects.filter(user=animator.user).first()
        with translation.override("pl"):
            day = formats.date_format(timezone.localtime(last.at), "DATE_FORMAT")
        assert pl(
            "last: reactivated by %(name)s on %(date)s",
            name=coordinator.get_full_name(),
            date=day,
        ) in people_page(client)

    def test_the_event_is_not_kept_when_the_invitation_cannot_be_sent(
        self, expert, animator, monkeypatch
    ):
        animator.user.set_unusable_password()
        animator.user.save()

        def refuse(message, *args, **kwargs):
            raise OSError("SMTP server away")

        monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
        with pytest.raises(OSError):
            services.invitation_send(user=animator.user, by=expert)

        assert events(animator.user) == []

    def test_the_admin_lists_them_read_only(self, admin_client, expert, animator):
        Assignment.objects.all().delete()
        services.person_deactivate(user=animator.user, by=expert)

        listing = admin_client.get("/admin/animators/accountevent/")
        event = AccountEvent.objects.get()

        assert listing.status_code == 200
        assert animator.user.get_full_name() in listing.content.decode()  # named, not by e-mail
        assert (
            admin_client.get(f"/admin/animators/accountevent/{event.pk}/change/").status_code == 200
        )  # a view page, without a save button
        assert (
            admin_client.post(f"/admin/animators/accountevent/{event.pk}/delete/").status_code
            == 403
        )
        assert admin_client.get("/admin/animators/accountevent/add/").status_code == 403


class TestOneWayToSendMail:
    """Invitations, reminders and the digest are all built by prb_partnerships.mail, in
    Polish, with a text and an HTML part; only the automatic ones say so in a header."""

    @pytest.fixture
    def built(self, monkeypatch):
        built = []

        class Recorded(EmailMultiAlternatives):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                built.append(self)

        monkeypatch.setattr(mail, "EmailMultiAlternatives", Recorded)
        return built

    def test_invitation_reminder_and_digest(
        self, client, built, mailoutbox, expert, animator, django_capture_on_commit_callbacks
    ):
        Assignment.objects.update(
            assigned_at=datetime.datetime(2026, 2, 20, 9, tzinfo=datetime.UTC)
        )
        client.force_login(expert)
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/people/new/", new_person_data("librarian"))
        reminders_send(today=datetime.date(2026, 3, 22))  # no meeting for 21 days
        digest_send(today=datetime.date(2026, 3, 23))

        def sent(messages):
            return [(message.to, message.subject, message.body) for message in messages]

        assert len(mailoutbox) == 3
        assert sent(mailoutbox) == sent(built)
        invitation, reminder, digest = mailoutbox
        assert (invitation.to, reminder.to, digest.to) == (
            ["ewa@example.org"],
            [animator.user.email],
            [expert.email],
        )
        assert invitation.subject == "[PRB] Twoje konto w PRB Partnerstwa"
        assert "Auto-Submitted" not in invitation.extra_headers
        for message in (reminder, digest):
            assert message.extra_headers == {"Auto-Submitted": "auto-generated"}
        for message in mailoutbox:
            [(html, mimetype)] = message.alternatives
            assert mimetype == "text/html"
            assert message.subject.startswith("[PRB] ")
            for part in (message.body, html):
                assert "Dzień dobry" in part  # in Polish
