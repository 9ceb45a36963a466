"""Importing animators in the admin: matched on their e-mail, all or nothing, on the demo data."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from animators.models import Animator
from prb_partnerships.roles import Role
from tests.conftest import DEMO_TODAY
from tests.spreadsheets import confirm, csv_bytes, import_file, preview, problems, sample

pytestmark = pytest.mark.django_db
User = get_user_model()
MODEL = "animators.animator"
HEADERS = ["Imię", "Nazwisko", "E-mail", "Telefon", "Województwa", "Ekspertka (e-mail)",
           "Limit bibliotek"]
GOOD = ["Katarzyna", "Gąsienica-Łukaszczyk", "katarzyna.gasienica@example.org", "+48 600 123 456",
        "12, 20", "ekspert1@example.org", "4"]
OTHER = ["Łukasz", "Żółkiewski", "lukasz.zolkiewski@example.org", "", "lubelskie",
         "ekspert2@example.org", "5"]


@pytest.fixture(autouse=True)
def _today(monkeypatch, demo_data):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: DEMO_TODAY)


@pytest.fixture
def coordinator_client(client):
    client.force_login(User.objects.get(email="koordynator@example.org"))
    return client


def counts():
    return Animator.objects.count(), User.objects.count()


def test_sample_is_imported_with_accounts_and_no_invitation(coordinator_client):
    before = counts()

    response = import_file(coordinator_client, MODEL, sample("animators.csv"), "animators.csv")

    assert response.status_code == 302
    assert counts() == (before[0] + 3, before[1] + 3)
    katarzyna = Animator.objects.get(user__email="katarzyna.gasienica@example.org")
    assert (katarzyna.user.first_name, katarzyna.user.last_name) == (
        "Katarzyna", "Gąsienica-Łukaszczyk"  # the BOM and the Polish letters read right
    )
    assert sorted(katarzyna.voivodeships.values_list("code", flat=True)) == ["12", "20"]
    assert (katarzyna.expert.email, katarzyna.capacity) == ("ekspert1@example.org", 4)
    lukasz = Animator.objects.get(user__email="lukasz.zolkiewski@example.org")
    assert sorted(lukasz.voivodeships.values_list("code", flat=True)) == ["06", "18"]
    agnieszka = Animator.objects.get(user__email="agnieszka.wisniewska@example.org")
    assert (agnieszka.capacity, agnieszka.phone) == (5, "")  # empty: the default
    for animator in (katarzyna, lukasz, agnieszka):
        assert not animator.user.has_usable_password()
        assert list(animator.user.groups.values_list("name", flat=True)) == [Role.ANIMATOR]
    assert mail.outbox == []


def test_reimporting_an_edited_file_updates_and_duplicates_nothing(coordinator_client):
    import_file(coordinator_client, MODEL, csv_bytes([HEADERS, GOOD, OTHER]))
    before = counts()
    edited = [*GOOD[:2], GOOD[2].upper(), GOOD[3], "Małopolskie", "ekspert3@example.org", "6"]

    response = preview(coordinator_client, MODEL, csv_bytes([HEADERS, edited, OTHER]))
    assert [row.import_type for row in response.context["result"].valid_rows()] == [
        "update", "update"
    ]
    confirm(coordinator_client, MODEL, response)

    assert counts() == before
    animator = Animator.objects.get(user__email="katarzyna.gasienica@example.org")
    assert list(animator.voivodeships.values_list("code", flat=True)) == ["12"]
    assert (animator.expert.email, animator.capacity) == ("ekspert3@example.org", 6)


def test_a_demo_animator_is_updated_by_email(coordinator_client):
    animator = Animator.objects.select_related("user").get(user__email="animator07@example.org")
    rows = [HEADERS, [animator.user.first_name, animator.user.last_name, "animator07@example.org",
                      "+48 600 000 007", "02", "ekspert1@example.org", "3"]]

    import_file(coordinator_client, MODEL, csv_bytes(rows))

    animator.refresh_from_db()
    assert (animator.phone, animator.capacity) == ("+48 600 000 007", 3)


BAD_FILES = {
    "unknown voivodeship": ([HEADERS, GOOD, [*OTHER[:4], "lubelskie; Mazowsze", *OTHER[5:]]],
                            [(3, "Województwa")]),
    "unknown expert": ([HEADERS, [*GOOD[:5], "ekspert9@example.org", GOOD[6]]],
                       [(2, "Ekspertka (e-mail)")]),
    "expert who is no expert": ([HEADERS, [*GOOD[:5], "animator02@example.org", GOOD[6]]],
                                [(2, "Ekspertka (e-mail)")]),
    "e-mail twice": ([HEADERS, GOOD, [*OTHER[:2], GOOD[2].upper(), *OTHER[3:]]],
                     [(3, "E-mail")]),
    "e-mail of a librarian": ([HEADERS, [*GOOD[:2], "biblioteka001@example.org", *GOOD[3:]]],
                              [(2, "E-mail")]),
    "not an e-mail": ([HEADERS, [*GOOD[:2], "katarzyna.gasienica", *GOOD[3:]]],
                      [(2, "E-mail")]),
    "no first name": ([HEADERS, ["", *GOOD[1:]]], [(2, "Imię")]),
    "capacity not a number": ([HEADERS, [*GOOD[:6], "dużo"]], [(2, "Limit bibliotek")]),
    "capacity out of range": ([HEADERS, GOOD, [*OTHER[:6], "51"]], [(3, "Limit bibliotek")]),
    "missing column": ([[h for h in HEADERS if h != "Nazwisko"], [GOOD[0], *GOOD[2:]]],
                       [(None, "Nazwisko")]),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_row_imports_nothing_and_every_problem_is_listed(coordinator_client, case):
    rows, expected = BAD_FILES[case]
    before = counts()

    response = preview(coordinator_client, MODEL, csv_bytes(rows))

    assert response.status_code == 200
    assert problems(response) == expected
    assert "confirm_form" not in response.context
    assert counts() == before


def test_experts_import_animators(client):
    client.force_login(User.objects.get(email="ekspert2@example.org"))

    changelist = client.get(reverse("admin:animators_animator_changelist")).content.decode()
    assert reverse("admin:animators_animator_import") in changelist

    import_file(client, MODEL, csv_bytes([HEADERS, OTHER]))
    assert Animator.objects.filter(user__email="lukasz.zolkiewski@example.org").exists()


def state():
    return [
        (a.user.email, a.phone, a.capacity, a.expert_id, [v.code for v in a.voivodeships.all()])
        for a in Animator.objects.select_related("user").prefetch_related("voivodeships")
    ]


def test_an_export_imports_back_unchanged(coordinator_client):
    url = reverse("admin:animators_animator_export")
    exported = coordinator_client.post(url, {"resource": "0", "format": "1"}).content
    before = state()

    response = preview(coordinator_client, MODEL, exported, "animatorzy.xlsx")
    result = response.context["result"]
    assert {row.import_type for row in result.valid_rows()} == {"update"}
    assert len(result.valid_rows()) == len(before) == 32
    confirm(coordinator_client, MODEL, response)

    assert state() == before
