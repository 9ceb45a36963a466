"""The round report: an XLSX workbook downloaded from the round's admin page (or the action on
the list of rounds), for the coordinator and the experts."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from partnerships.models import MeetingKind, Stage
from tests import factories
from tests.spreadsheets import read_xlsx

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEETS = ["Partnerships", "Meetings", "Partners", "Agreements", "Joint actions", "Voivodeships",
          "Sustainability"]  # the last: tests/partnerships/test_lasting.py


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


@pytest.fixture
def english(client):
    """Headers in English: the report follows the user's language (Polish by default)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def report_url(round_):
    return reverse("admin:partnerships_round_report", args=[round_.pk])


def make(round_, expert, size):
    """`size` partnerships in Małopolska (12), each with an animator, a meeting, a partner, an
    agreement and a joint action; the first is done, the others late on 1 June."""
    made = []
    for index in range(size):
        partnership = factories.PartnershipFactory(round=round_)
        animator = factories.AnimatorFactory(expert=expert)
        factories.AssignmentFactory(partnership=partnership, animator=animator)
        partner = factories.PartnerFactory(partnership=partnership, joined_on=round_.start)
        meeting = factories.MeetingFactory(partnership=partnership, kind=MeetingKind.PARTNERSHIP)
        meeting.partners_present.add(partner)
        factories.AgreementFactory(partnership=partnership).signatories.add(partner)
        factories.JointActionFactory(partnership=partnership).partners.add(partner)
        stages = list(Stage) if index == 0 else [Stage.DIAGNOSIS]
        for rank, stage in enumerate(stages):
            factories.MilestoneFactory(partnership=partnership, stage=stage,
                                       reached_on=round_.start + datetime.timedelta(rank))
        made.append(partnership)
    return made


def sheet_rows(workbook, title):
    return [list(row) for row in workbook[title].iter_rows(values_only=True)]


def test_coordinator_downloads_the_report_from_the_round_page(english, coordinator, expert,
                                                              round_):
    client = english
    first = make(round_, expert, 3)[0]
    withdrawn = factories.PartnershipFactory(
        round=round_, withdrawn_on=round_.start,
        library=factories.LibraryFactory(voivodeship=factories.voivodeship("02")),
    )
    factories.PartnershipFactory(  # another round: not in the report
        round=factories.RoundFactory(name="Runda I", start=datetime.date(2025, 3, 1))
    )
    client.force_login(coordinator)

    page = client.get(reverse("admin:partnerships_round_change", args=[round_.pk]))
    assert f'href="{report_url(round_)}"' in page.content.decode()
    response = client.get(report_url(round_))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        'attachment; filename="raport-runda-testowa-2026-06-01.xlsx"'
    )
    book = read_xlsx(response.content)
    assert book.sheetnames == SHEETS
    partnerships = sheet_rows(book, "Partnerships")
    assert partnerships[0][:3] == ["Library", "TERC code", "Voivodeship"]
    assert "Status" in partnerships[0] and "Animator" in partnerships[0]
    assert len(partnerships) == 1 + 4
    by_terc = {row[1]: dict(zip(partnerships[0], row, strict=True)) for row in partnerships[1:]}
    assert by_terc[first.library.terc]["Status"] == "done"
    assert by_terc[first.library.terc]["Stage (number)"] == 7
    assert by_terc[first.library.terc]["CAL expert"] == f"{expert.last_name} {expert.first_name}"
    assert by_terc[withdrawn.library.terc]["Status"] == "withdrawn"
    for title in ("Meetings", "Partners", "Agreements", "Joint actions"):
        rows = sheet_rows(book, title)
        assert rows[0][:2] == ["Library", "TERC code"], title
        assert len(rows) == 1 + 3, title
    meetings = sheet_rows(book, "Meetings")
    assert meetings[1][meetings[0].index("Kind")] == "partnership meeting"
    summary = sheet_rows(book, "Voivodeships")
    assert summary[0] == ["Voivodeship", "Partnerships", "On track", "Late", "Done", "Withdrawn",
                          "Meetings", "Partners", "Agreements"]
    assert len(summary) == 1 + 16 + 1
    rows = {row[0]: row[1:] for row in summary[1:]}
    assert rows["małopolskie"] == [3, 0, 2, 1, 0, 3, 3, 3]
    assert rows["dolnośląskie"] == [1, 0, 0, 0, 1, 0, 0, 0]
    assert rows["Total"] == [4, 0, 2, 1, 1, 3, 3, 3]


@pytest.mark.parametrize("size", [2, 6])
def test_report_query_count_does_not_grow(client, expert, round_, size,
                                          django_assert_num_queries):
    make(round_, expert, size)
    client.force_login(expert)

    # The session, the user, the user's roles, the user's and their groups' permissions; the
    # round; the partnerships with their progress and activity (annotations); agreements and
    # their signatories; meetings and the partners present; partners; joint actions and their
    # partners; the voivodeships of the summary.
    with django_assert_num_queries(5 + 1 + 1 + 2 + 2 + 1 + 2 + 1):
        response = client.get(report_url(round_))

    assert response.status_code == 200
    book = read_xlsx(response.content)
    assert len(sheet_rows(book, book.sheetnames[1])) == 1 + size


def test_action_on_the_list_of_rounds(english, coordinator, round_, expert):
    client = english
    make(round_, expert, 1)
    other = factories.RoundFactory(start=datetime.date(2027, 3, 1))
    client.force_login(coordinator)
    url = reverse("admin:partnerships_round_changelist")

    response = client.post(url, {"action": "download_report", "_selected_action": [round_.pk]})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX

    response = client.post(url, {"action": "download_report",
                                 "_selected_action": [round_.pk, other.pk]})
    assert response.status_code == 302
    assert len(list(get_messages(response.wsgi_request))) == 1


@pytest.mark.parametrize("role", ["animator", "librarian", "plain_user"])
def test_other_roles_have_no_report(client, request, round_, role):
    person = request.getfixturevalue(role)
    client.force_login(getattr(person, "user", person))

    response = client.get(report_url(round_))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_without_a_programme_role_gets_403(client, round_):
    """A staff account that may view rounds but is neither the coordinator nor an expert."""
    user = factories.UserFactory(email="kadry@example.org")
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_round"))
    client.force_login(user)

    assert client.get(report_url(round_)).status_code == 403
    page = client.get(reverse("admin:partnerships_round_change", args=[round_.pk]))
    assert report_url(round_) not in page.content.decode()
