"""Importing assignments (library TERC code → animator e-mail) in the admin, on the demo data:
as `assignment_create` does it — the previous assignment ends and stays in the history."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from animators.models import Animator
from libraries.models import Library
from partnerships.models import Assignment
from tests.conftest import DEMO_TODAY
from tests.spreadsheets import confirm, csv_bytes, import_file, preview, problems, sample

pytestmark = pytest.mark.django_db
User = get_user_model()
MODEL = "partnerships.assignment"
HEADERS = ["Kod TERC", "E-mail animatora"]


@pytest.fixture(autouse=True)
def _today(monkeypatch, demo_data):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: DEMO_TODAY)


@pytest.fixture
def coordinator(db):
    return User.objects.get(email="koordynator@example.org")


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def active(terc):
    return Assignment.objects.active().select_related("animator__user").get(
        partnership__library__terc=terc
    )


def history():
    return list(Assignment.objects.order_by("pk").values_list("pk", "ended_at"))


def test_sample_reassigns_and_keeps_the_history(coordinator_client, coordinator):
    previous = active("1201013")
    unchanged = active("2001013")
    before = Assignment.objects.count()

    response = preview(coordinator_client, MODEL, sample("assignments.csv"), "assignments.csv")
    assert [(r.number, r.import_type) for r in response.context["result"].valid_rows()] == [
        (2, "new"), (3, "new"), (4, "skip")
    ]
    assert Assignment.objects.count() == before  # the preview saves nothing
    response = confirm(coordinator_client, MODEL, response)

    assert response.status_code == 302
    assert Assignment.objects.count() == before + 2
    current = active("1201013")
    assert current.animator.user.email == "animator12@example.org"
    assert (current.assigned_by, current.reason) == (coordinator, "import")
    previous.refresh_from_db()
    assert previous.ended_at is not None and previous.ended_by == coordinator
    assert active("0601013").animator.user.email == "animator06@example.org"
    assert active("2001013") == unchanged

    # The same file again changes nothing.
    again = history()
    import_file(coordinator_client, MODEL, sample("assignments.csv"), "assignments.csv")
    assert history() == again


def test_libraries_animators_then_assignments_from_the_samples(coordinator_client):
    client = coordinator_client
    import_file(client, "libraries.library", sample("libraries.csv"), "libraries.csv")
    import_file(client, "animators.animator", sample("animators.csv"), "animators.csv")

    import_file(client, MODEL, csv_bytes([
        HEADERS,
        ["1217052", "katarzyna.gasienica@example.org"],
        ["1215082", "Katarzyna.Gasienica@example.org"],
        ["2009032", "agnieszka.wisniewska@example.org"],
    ]))

    assert active("1217052").animator.user.last_name == "Gąsienica-Łukaszczyk"
    assert active("2009032").animator.user.email == "agnieszka.wisniewska@example.org"


@pytest.fixture
def partner_library(db):
    return Library.objects.create(
        name="Biblioteka Publiczna Gminy Sejny", kind="partner", voivodeship_id="20",
        terc="2009052", gmina="Sejny", gmina_type="2", powiat="sejneński", town="Sejny",
    )


@pytest.fixture
def retired_animator(db):
    animator = Animator.objects.get(user__email="animator20@example.org")
    animator.is_active = False
    animator.save()
    return animator


BAD_FILES = {
    "unknown library": ([HEADERS, ["1201013", "animator12@example.org"],
                         ["1217052", "animator12@example.org"]], [(3, "Kod TERC")]),
    "library without a partnership": ([HEADERS, ["2009052", "animator12@example.org"]],
                                      [(2, "Kod TERC")]),
    "withdrawn partnership": ([HEADERS, ["2805012", "animator12@example.org"]],
                              [(2, "Kod TERC")]),
    "malformed TERC code": ([HEADERS, ["12010", "animator12@example.org"]], [(2, "Kod TERC")]),
    "TERC code twice": ([HEADERS, ["1201013", "animator12@example.org"],
                         ["1201013", "animator13@example.org"]], [(3, "Kod TERC")]),
    "unknown animator": ([HEADERS, ["1201013", "animator12@example.org"],
                          ["0601013", "animator99@example.org"]], [(3, "E-mail animatora")]),
    "inactive animator": ([HEADERS, ["1201013", "animator20@example.org"]],
                          [(2, "E-mail animatora")]),
    "missing column": ([["Kod TERC", "Animator"], ["1201013", "animator12@example.org"]],
                       [(None, "E-mail animatora")]),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_row_assigns_nothing(coordinator_client, partner_library, retired_animator, case):
    rows, expected = BAD_FILES[case]
    before = history()

    response = preview(coordinator_client, MODEL, csv_bytes(rows))

    assert response.status_code == 200
    assert problems(response) == expected
    assert "confirm_form" not in response.context
    assert history() == before


def test_experts_import_assignments(client):
    client.force_login(User.objects.get(email="ekspert3@example.org"))

    import_file(client, MODEL, csv_bytes([HEADERS, ["1201013", "animator12@example.org"]]))

    assert active("1201013").animator.user.email == "animator12@example.org"


def test_the_active_assignments_exported_import_back_as_no_change(coordinator_client):
    """Export the active assignments (the list filtered), import them: nothing to do."""
    url = reverse("admin:partnerships_assignment_export") + "?ended_at__isempty=1"
    exported = coordinator_client.post(url, {"resource": "0", "format": "0"}).content

    response = preview(coordinator_client, MODEL, exported, "przypisania.csv")

    rows = response.context["result"].valid_rows()
    assert len(rows) == Assignment.objects.active().count()
    assert {row.import_type for row in rows} == {"skip"}
