"""Reminders to animators, the weekly digest to experts, and /notifications/ to turn them off.

The test round runs 1 March – 30 September 2026; its stage deadlines are 31 March, 15 April,
30 April, 15 June, 30 June, 31 August and 30 September. Everyone is assigned on 20 February.
"""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import translation

from partnerships.models import (
    Assignment,
    Meeting,
    NotificationPreference,
    ReminderKind,
    SentDigest,
    SentReminder,
    Stage,
)
from partnerships.notifications import digest_send, reminders_send
from prb_partnerships.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
SITE = "https://prb.example.org"
ASSIGNED = datetime.datetime(2026, 2, 20, 9, 0, tzinfo=datetime.UTC)
PAGE = "/notifications/"


def at_noon(day):
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def animator(animator):
    """The animator of `partnership` (expert: `expert`), assigned before the round began."""
    Assignment.objects.filter(animator=animator).update(assigned_at=ASSIGNED)
    return animator


@pytest.fixture
def other_expert(db):
    return factories.UserFactory(email="inna.ekspertka@example.org", role=Role.EXPERT)


@pytest.fixture
def other_animator(other_animator, other_expert):
    """The animator of `other_partnership`, supervised by `other_expert`."""
    other_animator.expert = other_expert
    other_animator.save()
    Assignment.objects.filter(animator=other_animator).update(assigned_at=ASSIGNED)
    return other_animator


def meeting(partnership, day, next_meeting_on=None, logged_on=None, **fields):
    made = factories.MeetingFactory(
        partnership=partnership, date=day, next_meeting_on=next_meeting_on, **fields
    )
    Meeting.objects.filter(pk=made.pk).update(created_at=at_noon(logged_on or day))
    return made


def send(function, mailoutbox, day):
    """Run `function` as of `day`; the e-mails it sent."""
    before = len(mailoutbox)
    function(today=day)
    return mailoutbox[before:]


def html_of(message):
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def reminded(partnership):
    return sorted(SentReminder.objects.filter(partnership=partnership).values_list("kind", "key"))


class TestReminderKinds:
    """Each kind on the right day, not the day before (nothing else is due on those days)."""

    def test_no_meeting_for_21_days(self, mailoutbox, partnership, animator):
        meeting(partnership, D(2026, 5, 4))

        assert send(reminders_send, mailoutbox, D(2026, 5, 24)) == []
        [mail] = send(reminders_send, mailoutbox, D(2026, 5, 25))

        assert mail.to == ["animator@example.org"]
        assert "4 maja 2026" in mail.body  # the last meeting, in Polish
        assert reminded(partnership) == [(ReminderKind.QUIET, D(2026, 5, 4))]

    def test_no_meeting_at_all_counts_from_the_round_start(self, mailoutbox, partnership,
                                                           animator):
        assert send(reminders_send, mailoutbox, D(2026, 3, 21)) == []
        assert len(send(reminders_send, mailoutbox, D(2026, 3, 22))) == 1

        assert reminded(partnership) == [(ReminderKind.QUIET, D(2026, 3, 1))]

    def test_a_new_animator_gets_21_days_from_their_assignment(self, partnership, animator):
        meeting(partnership, D(2026, 3, 15))
        successor = factories.AnimatorFactory()
        Assignment.objects.filter(partnership=partnership).update(ended_at=at_noon(D(2026, 4, 10)))
        factories.AssignmentFactory(
            partnership=partnership, animator=successor, assigned_at=at_noon(D(2026, 4, 10))
        )

        reminders_send(today=D(2026, 4, 30))
        assert ReminderKind.QUIET not in {kind for kind, _key in reminded(partnership)}
        reminders_send(today=D(2026, 5, 1))

        quiet = SentReminder.objects.get(partnership=partnership, kind=ReminderKind.QUIET)
        assert (quiet.recipient, quiet.key) == (successor.user, D(2026, 4, 10))

    def test_stage_deadline_within_7_days(self, mailoutbox, partnership, animator):
        meeting(partnership, D(2026, 6, 1))

        assert send(reminders_send, mailoutbox, D(2026, 6, 7)) == []
        [mail] = send(reminders_send, mailoutbox, D(2026, 6, 8))

        assert "15 czerwca 2026" in mail.body  # the planning deadline
        with translation.override("pl"):
            assert str(Stage.PLANNING.label) in mail.body
        assert list(SentReminder.objects.values_list("kind", "stage", "key")) == [
            (ReminderKind.DEADLINE, Stage.PLANNING, D(2026, 6, 15))
        ]

    def test_no_deadline_reminder_once_the_stage_is_reached(self, mailoutbox, partnership,
                                                            animator):
        meeting(partnership, D(2026, 6, 1))
        factories.MilestoneFactory(
            partnership=partnership, stage=Stage.PLANNING, reached_on=D(2026, 6, 1)
        )

        assert send(reminders_send, mailoutbox, D(2026, 6, 8)) == []

    def test_a_passed_deadline_is_not_reminded(self, mailoutbox, partnership, animator):
        meeting(partnership, D(2026, 6, 1))

        assert send(reminders_send, mailoutbox, D(2026, 6, 16)) == []

    def test_planned_meeting_passed_with_nothing_logged(self, mailoutbox, partnership, animator):
        meeting(partnership, D(2026, 5, 4), next_meeting_on=D(2026, 5, 12))

        assert send(reminders_send, mailoutbox, D(2026, 5, 12)) == []
        [mail] = send(reminders_send, mailoutbox, D(2026, 5, 13))

        assert "12 maja 2026" in mail.body
        assert reminded(partnership) == [(ReminderKind.MISSED_MEETING, D(2026, 5, 12))]

    def test_a_meeting_logged_after_the_plan_settles_it(self, mailoutbox, partnership, animator):
        meeting(partnership, D(2026, 5, 4), next_meeting_on=D(2026, 5, 12))
        meeting(partnership, D(2026, 5, 12))

        assert send(reminders_send, mailoutbox, D(2026, 5, 13)) == []


class TestReminderEmail:
    def test_one_email_per_animator_lists_all_their_items_with_links(
        self, mailoutbox, partnership, animator, round_
    ):
        second = factories.PartnershipFactory(round=round_)
        factories.AssignmentFactory(partnership=second, animator=animator, assigned_at=ASSIGNED)
        meeting(partnership, D(2026, 5, 4), next_meeting_on=D(2026, 5, 6))  # missed, and quiet
        meeting(second, D(2026, 5, 20))

        [mail] = send(reminders_send, mailoutbox, D(2026, 6, 8))  # + planning deadline in both

        html = html_of(mail)
        assert mail.subject.startswith("[PRB] ") and "4" in mail.subject  # four items
        for library in (partnership.library, second.library):
            card = f"{SITE}/libraries/{library.pk}/"
            for part in (mail.body, html):
                assert library.name in part
                assert card in part
                assert f"{card}meetings/new/" in part
        for part in (mail.body, html):
            assert f"{SITE}/notifications/" in part
            assert "Dzień dobry" in part  # in Polish
        assert SentReminder.objects.filter(recipient=animator.user).count() == 4

    def test_each_animator_gets_only_their_own_partnerships(
        self, mailoutbox, partnership, animator, other_partnership, other_animator
    ):
        mails = send(reminders_send, mailoutbox, D(2026, 3, 22))  # both quiet since 1 March

        by_recipient = {mail.to[0]: mail.body for mail in mails}
        assert set(by_recipient) == {"animator@example.org", "inny.animator@example.org"}
        assert partnership.library.name in by_recipient["animator@example.org"]
        assert other_partnership.library.name not in by_recipient["animator@example.org"]
        assert other_partnership.library.name in by_recipient["inny.animator@example.org"]

    def test_library_names_are_not_escaped_in_the_text_part(self, mailoutbox, partnership,
                                                            animator):
        partnership.library.name = 'Biblioteka "Pod Dębem" & Czytelnia'
        partnership.library.save()

        [mail] = send(reminders_send, mailoutbox, D(2026, 3, 22))

        assert 'Biblioteka "Pod Dębem" & Czytelnia' in mail.body
        assert "Biblioteka &quot;Pod Dębem&quot; &amp; Czytelnia" in html_of(mail)


class TestNotTwice:
    def test_running_again_sends_nothing_until_a_new_situation(self, mailoutbox, partnership,
                                                               animator):
        meeting(partnership, D(2026, 5, 4))

        assert len(send(reminders_send, mailoutbox, D(2026, 5, 25))) == 1
        assert send(reminders_send, mailoutbox, D(2026, 5, 25)) == []  # the same day again
        assert send(reminders_send, mailoutbox, D(2026, 6, 1)) == []  # still the same silence

        meeting(partnership, D(2026, 6, 2))  # a new meeting: a new silence to count
        assert send(reminders_send, mailoutbox, D(2026, 6, 22)) == []
        assert len(send(reminders_send, mailoutbox, D(2026, 6, 23))) == 1

        assert list(
            SentReminder.objects.filter(kind=ReminderKind.QUIET).order_by("key")
            .values_list("key", flat=True)
        ) == [D(2026, 5, 4), D(2026, 6, 2)]

    def test_a_deadline_is_reminded_once_in_its_week(self, mailoutbox, partnership, animator):
        meeting(partnership, D(2026, 6, 1))

        sent = [len(send(reminders_send, mailoutbox, D(2026, 6, day))) for day in range(8, 16)]

        assert sent == [1, 0, 0, 0, 0, 0, 0, 0]

    def test_a_new_plan_is_a_new_situation(self, mailoutbox, partnership, animator):
        meeting(partnership, D(2026, 5, 4), next_meeting_on=D(2026, 5, 12))
        assert len(send(reminders_send, mailoutbox, D(2026, 5, 13))) == 1

        meeting(partnership, D(2026, 5, 14), next_meeting_on=D(2026, 5, 20))

        assert send(reminders_send, mailoutbox, D(2026, 5, 20)) == []
        assert len(send(reminders_send, mailoutbox, D(2026, 5, 21))) == 1
        assert reminded(partnership) == [
            (ReminderKind.MISSED_MEETING, D(2026, 5, 12)),
            (ReminderKind.MISSED_MEETING, D(2026, 5, 20)),
        ]

    def test_a_failed_email_is_not_recorded_and_goes_next_time(
        self, mailoutbox, partnership, animator, monkeypatch
    ):
        def refuse(self, fail_silently=False):
            raise OSError("SMTP server unavailable")

        monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
        counts = reminders_send(today=D(2026, 3, 22))
        monkeypatch.undo()

        assert counts["failed"] == 1 and not SentReminder.objects.exists()
        assert len(send(reminders_send, mailoutbox, D(2026, 3, 23))) == 1

    def test_the_command_prints_a_summary(self, mailoutbox, partnership, animator):
        out = io.StringIO()

        call_command("send_reminders", "--today", "2026-03-22", stdout=out)
        call_command("send_reminders", "--today", "2026-03-22", stdout=out)

        assert out.getvalue().splitlines() == [
            "Reminders for 2026-03-22: e-mails sent: 1 (items: 1), failed: 0.",
            "Reminders for 2026-03-22: e-mails sent: 0 (items: 0), failed: 0.",
        ]
        assert len(mailoutbox) == 1


class TestNoReminders:
    def test_for_those_who_turned_them_off(self, mailoutbox, partnership, animator):
        NotificationPreference.objects.create(user=animator.user, reminders=False)

        assert send(reminders_send, mailoutbox, D(2026, 3, 22)) == []
        assert not SentReminder.objects.exists()

    def test_for_withdrawn_partnerships(self, mailoutbox, partnership, animator):
        partnership.withdrawn_on = D(2026, 3, 10)
        partnership.save()

        assert send(reminders_send, mailoutbox, D(2026, 3, 22)) == []

    def test_for_finished_partnerships(self, mailoutbox, partnership, animator):
        for rank, stage in enumerate(Stage):
            factories.MilestoneFactory(
                partnership=partnership, stage=stage, reached_on=D(2026, 3, 2 + rank)
            )

        assert send(reminders_send, mailoutbox, D(2026, 4, 30)) == []

    def test_for_inactive_animators_and_accounts(self, mailoutbox, partnership, animator,
                                                 other_partnership, other_animator):
        animator.is_active = False
        animator.save()
        other_animator.user.is_active = False
        other_animator.user.save()

        assert send(reminders_send, mailoutbox, D(2026, 3, 22)) == []

    def test_for_ended_assignments_and_rounds(self, mailoutbox, partnership, animator):
        assert send(reminders_send, mailoutbox, D(2026, 10, 1)) == []  # the round is over
        Assignment.objects.update(ended_at=at_noon(D(2026, 3, 2)))

        assert send(reminders_send, mailoutbox, D(2026, 3, 22)) == []


@pytest.mark.parametrize("size", [2, 6])
def test_reminder_queries_do_not_grow_with_partnerships(partnership, animator, round_, size,
                                                        django_assert_num_queries):
    for _ in range(size - 1):
        factories.AssignmentFactory(
            partnership=factories.PartnershipFactory(round=round_),
            animator=animator,
            assigned_at=ASSIGNED,
        )

    # the candidate partnerships with their progress, activity and active animator; the
    # reminders already sent; the recipients; then per recipient: a savepoint, the records,
    # the savepoint released
    with django_assert_num_queries(6):
        counts = reminders_send(today=D(2026, 3, 22))

    assert (counts["sent"], counts["items"]) == (1, size)


# ----- The weekly digest -----

MONDAY = D(2026, 5, 11)  # the digest reports 4–10 May


@pytest.fixture
def week(partnership, animator, other_partnership, other_animator, round_):
    """A week of `expert`'s animator and of `other_expert`'s, on 4–10 May.

    `partnership`: late (no diagnosis by 31 March) and quiet (last meeting 1 April); its
    diagnosis reached on 7 May, recorded then. `moved`: reassigned on 6 May from an animator of
    `other_expert` to `animator`; a meeting on 5 May logged on 6 May, an agreement signed on
    8 May. `other_partnership`: a meeting logged in the week, and late."""
    meeting(partnership, D(2026, 4, 1))
    factories.MilestoneFactory(
        partnership=partnership, stage=Stage.DIAGNOSIS, reached_on=D(2026, 5, 7)
    )
    moved = factories.PartnershipFactory(round=round_)
    for stage in (Stage.DIAGNOSIS, Stage.INVITATIONS, Stage.FIRST_MEETING):
        factories.MilestoneFactory(partnership=moved, stage=stage, reached_on=D(2026, 3, 20))
    factories.AssignmentFactory(
        partnership=moved, animator=other_animator, assigned_at=ASSIGNED,
        ended_at=at_noon(D(2026, 5, 6)),
    )
    factories.AssignmentFactory(
        partnership=moved, animator=animator, assigned_at=at_noon(D(2026, 5, 6))
    )
    meeting(moved, D(2026, 5, 5), logged_on=D(2026, 5, 6))
    meeting(moved, D(2026, 4, 20), logged_on=D(2026, 5, 3))  # logged before the week
    factories.AgreementFactory(partnership=moved, signed_on=D(2026, 5, 8))
    meeting(other_partnership, D(2026, 5, 6))
    return {"moved": moved}


class TestDigest:
    def test_lists_late_quiet_and_the_week_of_that_experts_animators_only(
        self, mailoutbox, expert, other_expert, partnership, other_partnership, week
    ):
        moved = week["moved"]

        mails = send(digest_send, mailoutbox, MONDAY)

        by_recipient = {mail.to[0]: mail for mail in mails}
        assert set(by_recipient) == {"ekspert@example.org", "inna.ekspertka@example.org"}
        mail = by_recipient["ekspert@example.org"]
        html = html_of(mail)
        for part in (mail.body, html):
            assert "Dzień dobry" in part  # in Polish
            for library in (partnership.library, moved.library):
                assert library.name in part
                assert f"{SITE}/libraries/{library.pk}/" in part
            assert other_partnership.library.name not in part
            assert "15 kwietnia 2026" in part  # the missed deadline of the invitations
            assert "1 kwietnia 2026" in part  # the last meeting of the quiet partnership
            assert "5 maja 2026" in part  # the meeting logged in the week
            assert "20 kwietnia 2026" not in part  # logged before the week
            assert "7 maja 2026" in part  # the diagnosis reached
            assert "8 maja 2026" in part  # the agreement signed
            assert "6 maja 2026" in part  # the reassignment
            assert f"{SITE}/notifications/" in part
            assert f"{SITE}/dashboard/" in part
        assert "4 maja" in mail.subject and "10 maja 2026" in mail.subject
        for anchor in ("late", "quiet", "meetings", "milestones", "agreements", "assignments"):
            assert f'href="#{anchor}"' in html
        digest = SentDigest.objects.get(recipient=expert)
        assert (digest.week, digest.partnerships, digest.late, digest.quiet) == (MONDAY, 2, 1, 1)
        # a meeting, a milestone, an agreement, an assignment begun
        assert digest.changes == 4

    def test_the_other_expert_sees_the_assignment_that_ended(
        self, mailoutbox, other_expert, other_partnership, week
    ):
        send(digest_send, mailoutbox, MONDAY)

        [mail] = [m for m in mailoutbox if m.to == ["inna.ekspertka@example.org"]]
        assert other_partnership.library.name in mail.body
        assert week["moved"].library.name in mail.body  # its animator no longer supports it
        digest = SentDigest.objects.get(recipient=other_expert)
        assert (digest.partnerships, digest.late, digest.changes) == (1, 1, 2)

    def test_not_twice_in_the_same_iso_week(self, mailoutbox, expert, week):
        out = io.StringIO()

        call_command("send_digest", "--today", "2026-05-11", stdout=out)
        call_command("send_digest", "--today", "2026-05-13", stdout=out)
        assert send(digest_send, mailoutbox, D(2026, 5, 17)) == []  # Sunday, same week
        assert len(send(digest_send, mailoutbox, D(2026, 5, 18))) == 2  # the next week

        assert out.getvalue().splitlines() == [
            "Digest for the week 2026-W20: e-mails sent: 2, experts with no partnership: 0, "
            "failed: 0.",
            "Digest for the week 2026-W20: e-mails sent: 0, experts with no partnership: 0, "
            "failed: 0.",
        ]

    def test_not_for_experts_who_turned_it_off_nor_for_other_roles(
        self, mailoutbox, expert, other_expert, coordinator, week
    ):
        NotificationPreference.objects.create(user=other_expert, digest=False)

        mails = send(digest_send, mailoutbox, MONDAY)

        assert [mail.to for mail in mails] == [["ekspert@example.org"]]

    def test_an_expert_without_partnerships_gets_none(self, mailoutbox, expert, round_):
        assert send(digest_send, mailoutbox, MONDAY) == []
        assert not SentDigest.objects.exists()

    @pytest.mark.parametrize("size", [1, 4])
    def test_queries_do_not_grow_with_partnerships(self, expert, partnership, animator, round_,
                                                   size, django_assert_num_queries):
        for _ in range(size):
            other = factories.PartnershipFactory(round=round_)
            factories.AssignmentFactory(partnership=other, animator=animator,
                                        assigned_at=ASSIGNED)
            meeting(other, D(2026, 5, 5))
            factories.MilestoneFactory(partnership=other, reached_on=D(2026, 5, 5))
            factories.AgreementFactory(partnership=other, signed_on=D(2026, 5, 5))

        # the experts; their partnerships with progress and activity; the meetings, milestones,
        # agreements and assignments of the week; then per expert: a savepoint, the record,
        # the savepoint released
        with django_assert_num_queries(9):
            counts = digest_send(today=MONDAY)

        assert counts["sent"] == 1


# ----- /notifications/ -----


class TestNotificationSettings:
    @pytest.mark.parametrize("role,offered", [
        ("animator", ["reminders"]),
        ("expert", ["digest"]),
        ("librarian", []),
        ("plain_user", []),
    ])
    def test_each_person_sees_only_the_emails_of_their_roles(self, client, request, role,
                                                              offered):
        person = request.getfixturevalue(role)
        client.force_login(getattr(person, "user", person))

        response = client.get(PAGE)

        assert response.status_code == 200
        content = response.content.decode()
        for name in ("reminders", "digest"):
            radio = f'name="{name}" value="on" required id="id_{name}_0" checked'
            assert (radio in content) == (name in offered), name
        assert ("Zapisz" in content) == bool(offered)
        if not offered:
            assert "nie wysyła automatycznych e-maili" in content or "sends no automatic" in content
        assert f'href="{PAGE}"' in content  # in the header
        assert not NotificationPreference.objects.exists()  # created on the first change only

    def test_a_person_with_both_roles_sees_both(self, client, expert):
        expert.groups.add(Group.objects.get(name=Role.ANIMATOR))
        client.force_login(expert)

        content = client.get(PAGE).content.decode()

        assert 'id="id_reminders_0"' in content and 'id="id_digest_0"' in content

    def test_login_required(self, client):
        response = client.get(PAGE)

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_switching_off_and_on(self, client, animator):
        client.force_login(animator.user)

        response = client.post(PAGE, {"reminders": "off"})

        assert response.status_code == 302 and response["Location"] == PAGE
        preference = NotificationPreference.objects.get(user=animator.user)
        assert (preference.reminders, preference.digest) == (False, True)
        page = client.get(PAGE).content.decode()
        assert 'name="reminders" value="off" required id="id_reminders_1" checked' in page

        client.post(PAGE, {"reminders": "on"})

        preference.refresh_from_db()
        assert (preference.reminders, preference.digest) == (True, True)
        assert NotificationPreference.objects.count() == 1

    def test_the_choices_of_another_role_are_ignored(self, client, animator, expert):
        client.force_login(animator.user)
        client.post(PAGE, {"reminders": "on", "digest": "off"})  # a forged digest choice
        client.force_login(expert)
        client.post(PAGE, {"reminders": "off", "digest": "off"})  # a forged reminders choice

        assert NotificationPreference.objects.get(user=animator.user).digest is True
        assert NotificationPreference.objects.get(user=expert).reminders is True
        assert NotificationPreference.objects.get(user=expert).digest is False

    def test_a_person_without_options_changes_nothing(self, client, librarian):
        client.force_login(librarian)

        response = client.post(PAGE, {"reminders": "off", "digest": "off"})

        assert response.status_code == 400
        assert not NotificationPreference.objects.exists()

    @pytest.mark.parametrize("data", [{"reminders": "maybe", "digest": "on"}, {"digest": "off"}])
    def test_bad_input_is_refused_and_nothing_saved(self, client, animator, data):
        client.force_login(animator.user)

        response = client.post(PAGE, data)

        assert response.status_code == 400
        assert 'id="id_reminders_error"' in response.content.decode()
        assert not NotificationPreference.objects.exists()

    def test_query_count(self, client, animator, django_assert_num_queries):
        client.force_login(animator.user)

        # the session, the user, the preference, the user's roles (for the header), the
        # calendar address
        with django_assert_num_queries(5):
            assert client.get(PAGE).status_code == 200


# ----- The record in the admin -----


def test_experts_see_what_was_sent_in_the_admin_read_only(client, mailoutbox, expert,
                                                          partnership, animator):
    reminders_send(today=D(2026, 3, 22))
    digest_send(today=D(2026, 3, 23))
    client.force_login(expert)

    reminders = client.get("/admin/partnerships/sentreminder/")
    digests = client.get("/admin/partnerships/sentdigest/")

    assert reminders.status_code == 200 and partnership.library.name in reminders.content.decode()
    assert digests.status_code == 200 and expert.get_full_name() in digests.content.decode()
    record = SentReminder.objects.get()
    assert client.get(f"/admin/partnerships/sentreminder/{record.pk}/change/").status_code == 200
    assert client.get("/admin/partnerships/sentreminder/add/").status_code == 403
    assert client.post(f"/admin/partnerships/sentreminder/{record.pk}/delete/").status_code == 403
