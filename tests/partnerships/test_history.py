"""Every change on the record: who created, changed or deleted what, when, from what to what
(partnerships/history.py, the card's "Change history", the page of the whole history, the
admin's history pages and the restoring of a deleted meeting).

The pages are read in English here (the Polish of these strings is in the catalogue)."""

import ast
import datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from partnerships.models import (
    Meeting,
    MeetingAttachment,
    MeetingKind,
    Stage,
)
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 6, 15)


@pytest.fixture(autouse=True)
def _today_storage_and_language(monkeypatch, settings, tmp_path, client):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    settings.MEDIA_ROOT = tmp_path / "private"
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"


def card(library):
    return f"/libraries/{library.pk}/"


def history_page(library):
    return f"/libraries/{library.pk}/history/"


def meeting_data(**overrides):
    defaults = {
        "decisions": "Piknik w sierpniu.",
        "support_declared": "",
        "next_meeting_on": "2026-07-01",
    }
    return factories.meeting_post(new_partners=[("", "")], **(defaults | overrides))


def entries(response, about=""):
    """(what, who) of the entries of a history page, newest first; only those about `about`."""
    return [(e.text, e.who) for e in response.context["entries"] if about in e.text]


@pytest.fixture
def school(partnership):
    return factories.PartnerFactory(partnership=partnership, name="Szkoła Podstawowa")


@pytest.fixture
def logged_meeting(client, animator, library, school):
    """A partnership meeting logged by the animator on their card, with the school present."""
    client.force_login(animator.user)
    response = client.post(
        f"/libraries/{library.pk}/meetings/new/", meeting_data(partners_present=[school.pk])
    )
    assert response.status_code == 302
    return Meeting.objects.get()


def _edit_and_delete(client, expert, meeting, school):
    client.force_login(expert)
    response = client.post(
        f"/meetings/{meeting.pk}/edit/",
        meeting_data(
            summary="Spotkanie przełożone, omówiono plan.",
            participants="15",
            partners_present=[school.pk],
        ),
    )
    assert response.status_code == 302
    response = client.post(f"/meetings/{meeting.pk}/delete/")
    assert response.status_code == 302


class TestAnExpertsCorrectionAndDeletion:
    def test_are_on_the_record_with_the_expert_as_author(
        self, client, animator, expert, library, logged_meeting, school
    ):
        _edit_and_delete(client, expert, logged_meeting, school)

        response = client.get(history_page(library))

        expert_name = expert.get_full_name()
        animator_name = animator.user.get_full_name()
        assert entries(response, about="10 June") == [
            ("Deleted the meeting of 10 June", expert_name),
            ("Meeting of 10 June: changed Number of participants, Summary", expert_name),
            ("Logged the meeting of 10 June", animator_name),
        ]

    def test_the_history_page_shows_the_values_before_and_after(
        self, client, expert, library, logged_meeting, school
    ):
        _edit_and_delete(client, expert, logged_meeting, school)

        content = client.get(history_page(library)).content.decode()

        correction = content[content.index("Meeting of 10 June: changed") :]
        assert "<del>12</del>" in correction and "<ins>15</ins>" in correction
        assert "<del>Pierwsze spotkanie partnerstwa w bibliotece.</del>" in correction
        assert "<ins>Spotkanie przełożone, omówiono plan.</ins>" in correction
        # What was deleted, as it stood, with the partners present.
        deletion = content[content.index("Deleted the meeting of 10 June") : content.index(
            "Meeting of 10 June: changed"
        )]
        assert "Spotkanie przełożone, omówiono plan." in deletion
        assert "Szkoła Podstawowa" in deletion

    def test_the_card_shows_the_latest_changes_and_links_the_whole_history(
        self, client, expert, library, logged_meeting, school
    ):
        _edit_and_delete(client, expert, logged_meeting, school)

        content = client.get(card(library)).content.decode()

        section = content[content.index("Change history") :]
        assert "Deleted the meeting of 10 June" in section
        assert "Meeting of 10 June: changed Number of participants, Summary" in section
        assert expert.get_full_name() in section
        assert f'href="{history_page(library)}"' in section

    def test_partners_present_changed_are_a_change_of_the_meeting(
        self, client, expert, partnership, library, logged_meeting, school
    ):
        hall = factories.PartnerFactory(partnership=partnership, name="Dom Kultury")
        client.force_login(expert)

        client.post(
            f"/meetings/{logged_meeting.pk}/edit/",
            meeting_data(partners_present=[school.pk, hall.pk]),
        )

        response = client.get(history_page(library))
        assert entries(response)[0] == (
            "Meeting of 10 June: changed Partners present",
            expert.get_full_name(),
        )
        content = response.content.decode()
        assert "<del>Szkoła Podstawowa</del>" in content
        assert "<ins>Dom Kultury, Szkoła Podstawowa</ins>" in content

    def test_a_save_that_changes_nothing_is_no_change(
        self, client, expert, library, logged_meeting, school
    ):
        """Saving the form as it was writes history rows (and withdraws and records again the
        milestone the meeting proves); none of it is a change to show."""
        client.force_login(expert)

        client.post(
            f"/meetings/{logged_meeting.pk}/edit/", meeting_data(partners_present=[school.pk])
        )

        response = client.get(history_page(library))
        assert entries(response, about="10 June") == [
            ("Logged the meeting of 10 June", logged_meeting.logged_by.get_full_name())
        ]
        assert "withdrew" not in response.content.decode().lower()


def test_a_record_older_than_the_history_shows_its_change_without_the_values(
    client, expert, partnership, library
):
    """Records written in bulk (the demo data) have no first version in the history."""
    meeting = factories.MeetingFactory(partnership=partnership, date=D(2026, 5, 12))
    Meeting.history.filter(id=meeting.id).delete()
    client.force_login(expert)

    client.post(
        f"/meetings/{meeting.pk}/edit/", meeting_data(date="2026-05-12", kind=MeetingKind.VISIT)
    )

    response = client.get(history_page(library))
    assert entries(response, about="12 May") == [
        (
            "Meeting of 12 May: changed",
            expert.get_full_name(),
        )
    ]
    assert "made before the change history began" in response.content.decode()


def test_a_command_writes_history_without_an_author(client, expert, partnership, library):
    factories.MeetingFactory(partnership=partnership, date=D(2026, 5, 12))
    client.force_login(expert)

    assert entries(client.get(history_page(library))) == [
        ("Logged the meeting of 12 May", "system"),
        ("Created the partnership", "system"),
    ]


class TestCardSection:
    @pytest.mark.parametrize("role", ["expert", "coordinator"])
    def test_shown_to_experts_and_the_coordinator(self, client, library, role, request):
        client.force_login(request.getfixturevalue(role))

        content = client.get(card(library)).content.decode()

        assert "Change history" in content
        assert history_page(library) in content

    @pytest.mark.parametrize("role", ["animator", "librarian"])
    def test_not_shown_to_animators_and_librarians(self, client, library, role, request):
        person = request.getfixturevalue(role)
        client.force_login(getattr(person, "user", person))

        response = client.get(card(library))

        assert response.status_code == 200
        content = response.content.decode()
        assert "Change history" not in content and history_page(library) not in content

    def test_not_in_the_print_view(self, client, expert, library, logged_meeting):
        client.force_login(expert)

        content = client.get(card(library), {"print": 1}).content.decode()

        assert "Change history" not in content

    @pytest.mark.parametrize("size", [1, 4])
    def test_query_count_does_not_grow_with_the_history(
        self, client, expert, animator, partnership, library, size, django_assert_num_queries
    ):
        _history_of_every_kind(partnership, expert, size)
        client.force_login(expert)

        # 1 session, 2 user, 3 groups, 4 library, 5 current round, 6 partnership with progress,
        # 7 active assignment, 8 milestones, 9 partners, 10 meetings, 11 partners present,
        # 12 attachments, 13 joint actions, 14 their partners, 15 agreement, 16 signatories,
        # 17 assignment history; the change history: 18 the latest rows of all the history
        # tables (one UNION), 19–26 those rows and the versions before them, one query per
        # table (partnership, assignments, partners, meetings, attachments, milestones,
        # agreement, joint actions), 27 their partners present, signatories and partners
        # (one UNION), 28 the partners with the meetings they attended (the partnership's
        # picture, partnerships/picture.py)
        with django_assert_num_queries(28):
            response = client.get(card(library))

        assert response.status_code == 200
        assert response.context["change_history"]


def _history_of_every_kind(partnership, expert, size):
    """`size` changes of every kind of record of the partnership, each by the expert."""
    for i in range(size):
        partner = factories.PartnerFactory(partnership=partnership, name=f"Partner {i}")
        partner.name = f"Partner {i} (nowa nazwa)"
        partner._history_user = expert
        partner.save()
        meeting = factories.MeetingFactory(
            partnership=partnership, date=D(2026, 4, 1) + datetime.timedelta(days=i)
        )
        meeting.partners_present.add(partner)
        MeetingAttachment.objects.create(
            meeting=meeting, file="x.jpg", size=1, content_type="image/jpeg", original_name="x.jpg"
        )
        action = factories.JointActionFactory(partnership=partnership)
        action.partners.add(partner)
        factories.MilestoneFactory(
            partnership=partnership, stage=list(Stage)[i], reached_on=D(2026, 3, 10)
        )
        partnership.name = f"Partnerstwo {i}"
        partnership.save()
    agreement = factories.AgreementFactory(partnership=partnership)
    agreement.signatories.add(partner)


class TestHistoryPage:
    def test_login_required(self, client, library):
        response = client.get(history_page(library))

        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    @pytest.mark.parametrize("role", ["animator", "librarian", "plain_user"])
    def test_other_roles_get_403(self, client, library, role, request):
        person = request.getfixturevalue(role)
        client.force_login(getattr(person, "user", person))

        assert client.get(history_page(library)).status_code == 403

    def test_unknown_library_gets_404(self, client, expert):
        client.force_login(expert)

        assert client.get("/libraries/999999/history/").status_code == 404

    def test_a_library_with_no_partnership_this_round_gets_404(self, client, expert, round_):
        library = factories.LibraryFactory()
        client.force_login(expert)

        assert client.get(history_page(library)).status_code == 404

    def test_an_empty_history_says_so(self, client, coordinator, partnership, library):
        partnership.history.all().delete()  # a partnership from before the history began
        client.force_login(coordinator)

        response = client.get(history_page(library))

        assert response.status_code == 200
        assert "No changes recorded yet." in response.content.decode()

    def test_is_paginated(self, client, expert, partnership, library):
        for day in range(1, 56):
            day = D(2026, 3, 1) + datetime.timedelta(day)
            factories.MeetingFactory(partnership=partnership, date=day)
        client.force_login(expert)

        first = client.get(history_page(library))
        second = client.get(history_page(library), {"page": 2})

        assert len(first.context["entries"]) == 50
        assert len(second.context["entries"]) == 6  # 55 meetings and the partnership
        assert "page 1 of 2" in first.content.decode()

    @pytest.mark.parametrize("size", [1, 4])
    def test_query_count_does_not_grow_with_the_history(
        self, client, expert, animator, partnership, library, size, django_assert_num_queries
    ):
        _history_of_every_kind(partnership, expert, size)
        client.force_login(expert)

        # 1 session, 2 user, 3 groups, 4 library, 5 current round, 6 partnership, 7 the number
        # of history rows (the paginator), 8 the page of rows (one UNION of the history
        # tables), 9–16 those rows and the versions before them, one query per table,
        # 17 their partners present, signatories and partners (one UNION)
        with django_assert_num_queries(17):
            response = client.get(history_page(library))

        assert response.status_code == 200


class TestAdminHistory:
    def test_a_meetings_history_shows_what_changed(
        self, client, expert, logged_meeting, school
    ):
        client.force_login(expert)
        client.post(
            f"/meetings/{logged_meeting.pk}/edit/",
            meeting_data(summary="Poprawione podsumowanie.", partners_present=[school.pk]),
        )

        response = client.get(f"/admin/partnerships/meeting/{logged_meeting.pk}/history/")

        assert response.status_code == 200
        content = response.content.decode()
        assert "Pierwsze spotkanie partnerstwa w bibliotece." in content
        assert "Poprawione podsumowanie." in content
        assert expert.email in content or expert.get_full_name() in content

    def test_a_past_version_cannot_be_saved_over_the_record(
        self, client, expert, logged_meeting
    ):
        version = logged_meeting.history.earliest()
        url = f"/admin/partnerships/meeting/{logged_meeting.pk}/history/{version.history_id}/"
        client.force_login(expert)

        assert client.get(url).status_code == 200
        response = client.post(url, {"date": "2026-06-11", "kind": MeetingKind.VISIT})

        assert response.status_code == 403
        assert Meeting.objects.get().date == D(2026, 6, 10)

    def test_an_edit_in_the_admin_names_its_author(self, client, expert, partnership, school):
        client.force_login(expert)

        response = client.post(
            f"/admin/partnerships/partner/{school.pk}/change/",
            {"partnership": partnership.pk, "name": "Szkoła Podstawowa nr 1", "sector": "school"},
        )

        assert response.status_code == 302
        latest = school.history.latest()
        assert (latest.history_type, latest.history_user, latest.name) == (
            "~",
            expert,
            "Szkoła Podstawowa nr 1",
        )


class TestRestoreADeletedMeeting:
    @pytest.fixture
    def deleted(self, client, expert, logged_meeting, school):
        MeetingAttachment.objects.create(
            meeting=logged_meeting, file="lista.jpg", size=1, content_type="image/jpeg",
            original_name="lista.jpg",
        )
        _edit_and_delete(client, expert, logged_meeting, school)
        return Meeting.history.get(id=logged_meeting.pk, history_type="-")

    def test_the_coordinator_brings_it_back_to_the_card(
        self, client, coordinator, library, logged_meeting, school, deleted
    ):
        client.force_login(coordinator)
        listing = client.get("/admin/partnerships/meeting/deleted/").content.decode()
        assert "Spotkanie przełożone, omówiono plan." in listing and "Restore" in listing

        response = client.post(
            f"/admin/partnerships/meeting/deleted/{deleted.history_id}/restore/", follow=True
        )

        assert response.status_code == 200
        message = str(list(response.context["messages"])[-1])
        assert "The meeting of 10 June 2026" in message and "is restored" in message
        assert "attachment cannot be restored" in message
        meeting = Meeting.objects.get(pk=logged_meeting.pk)
        assert meeting.summary == "Spotkanie przełożone, omówiono plan."
        assert meeting.created_at == logged_meeting.created_at
        assert list(meeting.partners_present.all()) == [school]
        content = client.get(card(library)).content.decode()
        assert "Spotkanie przełożone, omówiono plan." in content
        assert "Restored the meeting of 10 June" in content
        assert "No meeting has been deleted." in client.get(
            "/admin/partnerships/meeting/deleted/"
        ).content.decode()

    def test_a_partner_deleted_since_is_not_brought_back(
        self, client, coordinator, logged_meeting, school, deleted
    ):
        school.delete()
        client.force_login(coordinator)

        response = client.post(
            f"/admin/partnerships/meeting/deleted/{deleted.history_id}/restore/", follow=True
        )

        assert "1 partner present at it no longer exists" in str(
            list(response.context["messages"])[-1]
        )
        assert not Meeting.objects.get(pk=logged_meeting.pk).partners_present.exists()

    def test_an_expert_cannot(self, client, expert, deleted):
        client.force_login(expert)

        listing = client.get("/admin/partnerships/meeting/deleted/")
        response = client.post(
            f"/admin/partnerships/meeting/deleted/{deleted.history_id}/restore/"
        )

        assert listing.status_code == 200
        assert "Only the coordinator can restore" in listing.content.decode()
        assert response.status_code == 403
        assert not Meeting.objects.exists()

    def test_twice_is_refused_with_a_message(self, client, coordinator, deleted):
        client.force_login(coordinator)
        url = f"/admin/partnerships/meeting/deleted/{deleted.history_id}/restore/"
        client.post(url)

        response = client.post(url, follow=True)

        assert "already been restored" in str(list(response.context["messages"])[-1])
        assert Meeting.objects.count() == 1


# ----- No write escapes the history -----

ROOT = Path(django_settings.BASE_DIR)
AUDITED = {
    "Partnership",
    "Assignment",
    "Partner",
    "Meeting",
    "MeetingAttachment",
    "Milestone",
    "Agreement",
    "JointAction",
    "Library",
    "Animator",
}
# The related managers that lead to audited rows (`partnership.meetings`, …) and the
# many-to-many fields whose rows are part of an audited record.
RELATED = {
    "partnerships",
    "assignments",
    "partners",
    "meetings",
    "attachments",
    "milestones",
    "agreement",
    "joint_actions",
    "libraries",
    "animators",
    "supervised_animators",
    "partners_present",
    "signatories",
    "librarians",
    "voivodeships",
}
# Writes that leave no history row.
UNAUDITED_WRITES = {"update", "bulk_create", "bulk_update"}
# Allowed: the demo data is written in bulk on purpose (no history for it).
EXEMPT = {"partnerships/demo.py", "partnerships/management/commands/seed_demo.py"}
# Allowed: writes in bulk followed by the history rows of the same records, written by the
# same function (an import's new libraries: their history rows, with their librarians, are
# written by `bulk_history_create` and the m2m history model right after).
WITH_HISTORY = {
    "libraries/services.py": {
        "Library.objects.bulk_create(new)",
        "Library.librarians.through.objects.bulk_create(links)",
    },
}


def _names(node):
    """The names along a chain of attributes and calls: `Meeting.objects.filter(x).update`
    gives ["Meeting", "objects", "filter"]."""
    names = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            if isinstance(node, ast.Name):
                names.append(node.id)
            return names[::-1]


def unaudited_writes(source: str) -> list[str]:
    """The calls `.update(…)`, `.bulk_create(…)`, `.bulk_update(…)` in `source` whose receiver
    is a queryset of an audited model:

    - a chain starting at an audited model's class: `Meeting.objects…update()`,
      `Meeting.partners_present.through.objects.bulk_create()`;
    - a chain through a related manager of audited rows: `partnership.meetings….update()`,
      `meeting.partners_present.through…` (the name after a dot, not a plain variable);
    - a variable named `queryset` or `qs` (an admin action's rows).

    `dict.update`, `set.update`, `context.update(…)` and the like (a plain name or an
    attribute that is none of the above) are not matched."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in UNAUDITED_WRITES
        ):
            continue
        chain = _names(node.func.value)
        if not chain:
            continue
        if (
            chain[0] in AUDITED
            or set(chain[1:]) & RELATED
            or (len(chain) == 1 and chain[0] in {"queryset", "qs"})
        ):
            found.append(f"{node.lineno}: {ast.unparse(node)[:80]}")
    return found


@pytest.mark.parametrize(
    "code, flagged",
    [
        ("Meeting.objects.filter(pk=1).update(summary='')", True),
        ("Animator.objects.filter(user=user).update(is_active=False)", True),
        ("Partner.objects.bulk_create(partners)", True),
        ("Meeting.partners_present.through.objects.bulk_create(rows)", True),
        ("partnership.meetings.all().update(kind='visit')", True),
        ("self.partnership.joint_actions.update(status='done')", True),
        ("queryset.update(is_active=False)", True),
        ("SentReminder.objects.bulk_create(rows)", False),
        ("context.update(data)", False),
        ("users.update({user.email: user})", False),
        ("total.update(dict(zip(keys, row)))", False),
        ("User.objects.filter(pk=1).update(is_staff=True)", False),
        ("Milestone.objects.update_or_create(partnership=p, stage=s)", False),
        ("User.objects.select_for_update().get(pk=1)", False),
    ],
)
def test_the_matcher_of_unaudited_writes(code, flagged):
    assert bool(unaudited_writes(code)) is flagged


def test_no_write_of_an_audited_model_escapes_the_history():
    """Outside the migrations, the demo data and the tests, the audited models are written
    only by `save()` and `delete()`, which the history records."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if (
            relative.startswith((".venv/", "tests/", "build/"))
            or "/migrations/" in relative
            or relative in EXEMPT
        ):
            continue
        writes = [
            write
            for write in unaudited_writes(path.read_text(encoding="utf-8"))
            if write.split(": ", 1)[1] not in WITH_HISTORY.get(relative, ())
        ]
        if writes:
            found[relative] = writes
    assert found == {}
