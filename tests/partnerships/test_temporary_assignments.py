"""Temporary replacements: on their end date the animator replaced supports the partnership
again (`manage.py end_temporary_assignments`, daily), both changes in the history, and both
animators are told by e-mail."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from partnerships import services
from partnerships.models import Assignment
from tests import factories

pytestmark = pytest.mark.django_db

JULY_1 = datetime.date(2026, 7, 1)
JULY_15 = datetime.date(2026, 7, 15)


def replace(partnership, stand_in, until, *, by=None):
    """Put `stand_in` in for the active animator until `until` (as `assignment_create` does)."""
    current = Assignment.objects.active().get(partnership=partnership)
    current.ended_at, current.ended_by = timezone.now(), by
    current.save()
    return Assignment.objects.create(partnership=partnership, animator=stand_in, until=until,
                                     replaces=current, assigned_by=by, reason="Zwolnienie")


def active(partnership):
    return Assignment.objects.active().filter(partnership=partnership).first()


@pytest.fixture
def anna(partnership, expert):
    anna = factories.AnimatorFactory(user__first_name="Anna", user__last_name="Chora",
                                     expert=expert)
    factories.AssignmentFactory(partnership=partnership, animator=anna)
    return anna


@pytest.fixture
def bogdan(db):
    return factories.AnimatorFactory(user__first_name="Bogdan", user__last_name="Zastępca")


class TestTheEndOfAReplacement:
    def test_on_the_end_date_the_previous_animator_is_back(self, partnership, anna, bogdan,
                                                           expert, mailoutbox):
        replacement = replace(partnership, bogdan, JULY_15, by=expert)

        counts = services.assignments_end_temporary(today=JULY_15)

        replacement.refresh_from_db()
        assert replacement.ended_at is not None and replacement.ended_by is None
        back = active(partnership)
        assert (back.animator, back.until, back.assigned_by) == (anna, None, None)
        assert "Bogdan Zastępca" in back.reason
        assert counts == {"ended": 1, "restored": 1, "waiting": 0, "sent": 2, "failed": 0}
        assert sorted(m.to[0] for m in mailoutbox) == sorted([anna.user.email,
                                                              bogdan.user.email])
        for mail in mailoutbox:
            assert partnership.library.name in mail.subject
            assert "Anna Chora" in mail.body or "Bogdan Zastępca" in mail.body
            assert "@" not in mail.body.replace(mail.to[0], "")  # named by name

    def test_nothing_happens_before_the_day(self, partnership, anna, bogdan, mailoutbox):
        replace(partnership, bogdan, JULY_15)

        services.assignments_end_temporary(today=JULY_15 - datetime.timedelta(days=1))

        assert active(partnership).animator == bogdan
        assert mailoutbox == []

    def test_running_again_changes_nothing(self, partnership, anna, bogdan, mailoutbox):
        replace(partnership, bogdan, JULY_15)
        services.assignments_end_temporary(today=JULY_15)

        counts = services.assignments_end_temporary(today=JULY_15 + datetime.timedelta(days=1))

        assert counts["ended"] == 0 and len(mailoutbox) == 2
        assert Assignment.objects.filter(partnership=partnership).count() == 3

    def test_both_changes_are_in_the_history(self, client, partnership, anna, bogdan, expert):
        replace(partnership, bogdan, JULY_15, by=expert)
        before = Assignment.history.filter(partnership=partnership).count()

        services.assignments_end_temporary(today=JULY_15)

        records = Assignment.history.filter(partnership=partnership).order_by("history_id")
        new = list(records)[before:]
        assert [(r.animator_id, r.history_type) for r in new] == [(bogdan.pk, "~"),
                                                                   (anna.pk, "+")]
        assert all(r.history_user is None for r in new)  # done by the daily command

    def test_a_previous_animator_no_longer_active_leaves_the_library_waiting(
        self, client, partnership, anna, bogdan, expert, mailoutbox
    ):
        replace(partnership, bogdan, JULY_15, by=expert)
        anna.is_active = False
        anna.save()

        counts = services.assignments_end_temporary(today=JULY_15)

        assert active(partnership) is None
        assert counts["waiting"] == 1
        assert sorted(m.to[0] for m in mailoutbox) == sorted([bogdan.user.email, expert.email])
        expert_mail = next(m for m in mailoutbox if m.to == [expert.email])
        assert "Anna Chora" in expert_mail.body and "/assignments/" in expert_mail.body
        client.force_login(expert)
        assert partnership in client.get("/assignments/").context["unassigned"]

    def test_a_stand_ins_stand_in_gives_the_library_back_in_turn(self, partnership, anna,
                                                                 bogdan):
        cezary = factories.AnimatorFactory()
        replace(partnership, bogdan, JULY_15)
        replace(partnership, cezary, JULY_1)

        services.assignments_end_temporary(today=JULY_1)
        assert (active(partnership).animator, active(partnership).until) == (bogdan, JULY_15)

        services.assignments_end_temporary(today=JULY_15)
        assert (active(partnership).animator, active(partnership).until) == (anna, None)

    def test_a_missed_day_goes_straight_back_to_the_first_animator(self, partnership, anna,
                                                                   bogdan):
        replace(partnership, bogdan, JULY_15)
        replace(partnership, factories.AnimatorFactory(), JULY_1)

        services.assignments_end_temporary(today=JULY_15 + datetime.timedelta(days=5))

        assert (active(partnership).animator, active(partnership).until) == (anna, None)

    def test_a_lasting_change_meanwhile_cancels_the_return(self, partnership, anna, bogdan,
                                                           expert, mailoutbox):
        replace(partnership, bogdan, JULY_15)
        newcomer = factories.AnimatorFactory()
        services.assignment_create(partnership=partnership, animator=newcomer, by=expert,
                                   reason="Na stałe")

        counts = services.assignments_end_temporary(today=JULY_15)

        assert counts["ended"] == 0 and active(partnership).animator == newcomer
        assert mailoutbox == []


class TestTheCommand:
    def test_it_reports_what_it_did(self, partnership, anna, bogdan, mailoutbox):
        replace(partnership, bogdan, JULY_15)
        out = StringIO()

        call_command("end_temporary_assignments", f"--today={JULY_15}", stdout=out)

        assert "ended on 2026-07-15: 1 (animator back: 1" in out.getvalue()
        assert active(partnership).animator == anna

    def test_a_failed_email_is_reported_and_the_change_stays(self, partnership, anna, bogdan,
                                                             monkeypatch):
        replace(partnership, bogdan, JULY_15)

        def refuse(**kwargs):
            raise OSError("the mail server is away")

        monkeypatch.setattr(services, "send_mail_template", refuse)

        with pytest.raises(CommandError, match="2 e-mails failed"):
            call_command("end_temporary_assignments", f"--today={JULY_15}", stdout=StringIO())
        assert active(partnership).animator == anna


def test_a_replacement_made_on_the_form_ends_with_the_command(client, expert, mailoutbox):
    """The whole way: the expert moves the library for two months' sick leave from the board;
    on the end date the daily command gives it back."""
    start = timezone.localdate() - datetime.timedelta(days=40)
    partnership = factories.PartnershipFactory(
        round=factories.RoundFactory(name="Runda bieżąca", start=start)
    )
    anna = factories.AnimatorFactory()
    factories.AssignmentFactory(partnership=partnership, animator=anna)
    bogdan = factories.AnimatorFactory()
    until = min(timezone.localdate() + datetime.timedelta(days=60), partnership.round.end)
    client.force_login(expert)

    response = client.post(f"/assignments/partnership/{partnership.pk}/?from=board", {
        "animator": bogdan.pk, "reason": "Zwolnienie lekarskie", "until": until.isoformat(),
        "current": active(partnership).pk,
    })
    assert response.status_code == 302
    assert response["Location"] == "/assignments/"
    assert active(partnership).animator == bogdan

    call_command("end_temporary_assignments", f"--today={until}", stdout=StringIO())

    assert active(partnership).animator == anna
    assert len(mailoutbox) == 2


def test_the_admin_shows_a_replacement_but_does_not_edit_its_end_or_whom_it_hands_back_to(
    client, partnership, anna, bogdan, expert
):
    replacement = replace(partnership, bogdan, JULY_15, by=expert)
    client.force_login(expert)
    url = f"/admin/partnerships/assignment/{replacement.pk}/change/"

    page = client.get(url).content.decode()
    client.post(url, {"reason": "Inny powód", "until": "2026-09-30", "replaces": ""})

    assert 'name="until"' not in page and 'name="replaces"' not in page
    replacement.refresh_from_db()
    assert (replacement.until, replacement.replaces.animator) == (JULY_15, anna)
