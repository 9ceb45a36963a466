"""Importing CAL's list of libraries in the admin: preview, then all or nothing.

On the scale-1 demo data (128 libraries): the sample files of docs/samples import cleanly, a
re-imported file updates without duplicating, and a file with any bad row saves nothing and
lists every problem with its row (the column names are row 1) and column.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from animators.models import Animator
from libraries.models import Library
from partnerships.models import Partnership, Round
from prb_partnerships.roles import Role
from tests.conftest import DEMO_TODAY
from tests.spreadsheets import (
    confirm,
    csv_bytes,
    file_error,
    import_file,
    preview,
    problems,
    read_csv,
    sample,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db
User = get_user_model()
MODEL = "libraries.library"
HEADERS = ["Nazwa biblioteki", "Rodzaj", "Kod TERC", "Gmina", "Powiat", "Miejscowość",
           "E-maile bibliotekarek"]
GOOD = ["Gminna Biblioteka Publiczna w Poroninie", "wiodąca", "1217052", "Poronin", "tatrzański",
        "Poronin", "jadwiga.gasienica@example.org"]
OTHER = ["Gminna Biblioteka Publiczna w Zawoi", "wiodąca", "1215082", "Zawoja", "suski", "Zawoja",
         "ewa.zielinska@example.org"]

# What each sample holds: TERC → (name, town, powiat, voivodeship, gmina type, kind, librarians).
POLAND_SOUTH = {
    "1217052": ("Gminna Biblioteka Publiczna w Poroninie", "Poronin", "tatrzański", "12", "2",
                "lead", {"jadwiga.gasienica@example.org"}),
    "1215082": ("Gminna Biblioteka Publiczna w Zawoi", "Zawoja", "suski", "12", "2", "lead",
                {"malgorzata.kozlowska@example.org", "ewa.zielinska@example.org"}),
    "2009032": ("Gminna Biblioteka Publiczna w Krasnopolu", "Krasnopol", "sejneński", "20", "2",
                "lead", {"anna.wozniak@example.org"}),
    "2009052": ("Biblioteka Publiczna Gminy Sejny", "Sejny", "sejneński", "20", "2", "partner",
                set()),
}
LUBELSKIE = {
    "0619022": ("Gminna Biblioteka Publiczna w Hannie", "Hanna", "włodawski", "06", "2", "lead",
                {"zofia.sliwinska@example.org"}),
    "0619082": ("Gminna Biblioteka Publiczna w Wyrykach", "Wyryki-Połód", "włodawski", "06", "2",
                "lead", {"grazyna.lesniak@example.org", "jozef.zak@example.org"}),
    "0619042": ("Gminna Biblioteka Publiczna w Starym Brusie", "Stary Brus", "włodawski", "06",
                "2", "partner", set()),
}
SAMPLES = {
    "libraries.csv": POLAND_SOUTH,
    "libraries-cp1250.csv": LUBELSKIE,
    "libraries.xlsx": POLAND_SOUTH,
}


@pytest.fixture(autouse=True)
def _today(monkeypatch, demo_data):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: DEMO_TODAY)


@pytest.fixture
def coordinator_client(client):
    client.force_login(User.objects.get(email="koordynator@example.org"))
    return client


def counts():
    return Library.objects.count(), User.objects.count(), Partnership.objects.count()


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_is_previewed_then_imported(coordinator_client, name):
    client = coordinator_client
    expected = SAMPLES[name]
    before = counts()

    response = preview(client, MODEL, sample(name), name)

    assert response.status_code == 200
    assert problems(response) == []
    assert response.context["confirm_form"]
    content = response.content.decode()
    assert all(town in content and name_ in content for name_, town, *_ in expected.values())
    assert counts() == before  # the preview saves nothing

    response = confirm(client, MODEL, response)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:libraries_library_changelist")
    current = Round.objects.current()
    leads = [t for t, row in expected.items() if row[5] == "lead"]
    librarians = set().union(*(row[6] for row in expected.values()))
    assert counts() == (
        before[0] + len(expected), before[1] + len(librarians), before[2] + len(leads)
    )
    for terc, (name_, town, powiat, voivodeship, gmina_type, kind, emails) in expected.items():
        library = Library.objects.get(terc=terc)
        assert (library.name, library.town, library.powiat) == (name_, town, powiat)
        assert (library.voivodeship_id, library.gmina_type, library.kind) == (
            voivodeship, gmina_type, kind
        )
        assert {u.email for u in library.librarians.all()} == emails
        assert library.partnerships.filter(round=current).exists() == (kind == "lead")
    for user in User.objects.filter(email__in=librarians):
        assert not user.has_usable_password()
        assert list(user.groups.values_list("name", flat=True)) == [Role.LIBRARIAN]
    assert mail.outbox == []  # invitations are sent from /people/ afterwards


def test_reimporting_an_edited_file_updates_and_duplicates_nothing(coordinator_client):
    client = coordinator_client
    rows = [HEADERS + ["Telefon"], GOOD + ["+48 18 200 00 00"],
            OTHER[:6] + ["malgorzata.kozlowska@example.org; ewa.zielinska@example.org", ""]]
    import_file(client, MODEL, csv_bytes(rows))
    before = counts()
    rows[1][-1] = "+48 18 201 11 11"
    rows[2][0] = "Gminna Biblioteka Publiczna im. Władysława Orkana w Zawoi"
    rows[2][6] = "Ewa.Zielinska@example.org"

    response = preview(client, MODEL, csv_bytes(rows))
    assert [row.import_type for row in response.context["result"].valid_rows()] == [
        "update", "update"
    ]
    assert confirm(client, MODEL, response).status_code == 302

    assert counts() == before
    assert Library.objects.get(terc="1217052").phone == "+48 18 201 11 11"
    zawoja = Library.objects.get(terc="1215082")
    assert zawoja.name == "Gminna Biblioteka Publiczna im. Władysława Orkana w Zawoi"
    assert [u.email for u in zawoja.librarians.all()] == ["ewa.zielinska@example.org"]


def test_an_export_imports_back_unchanged(coordinator_client):
    """The changelist's export (here: one voivodeship) has the import's columns."""
    client = coordinator_client
    response = client.post(
        reverse("admin:libraries_library_export") + "?voivodeship__code__exact=12",
        {"resource": "0", "format": "0"},
    )
    exported = response.content
    rows = read_csv(exported)
    assert rows[0][:3] == ["Nazwa biblioteki", "Rodzaj", "Kod TERC"]
    assert len(rows) == 1 + 8 and {row[2][:2] for row in rows[1:]} == {"12"}
    before = {
        library.pk: (library.name, library.phone, {u.pk for u in library.librarians.all()})
        for library in Library.objects.prefetch_related("librarians")
    }

    response = preview(client, MODEL, exported, "biblioteki.csv")
    assert {row.import_type for row in response.context["result"].valid_rows()} == {"update"}
    confirm(client, MODEL, response)

    assert before == {
        library.pk: (library.name, library.phone, {u.pk for u in library.librarians.all()})
        for library in Library.objects.prefetch_related("librarians")
    }


def test_leading_zero_dropped_by_excel_and_english_names_and_other_columns(coordinator_client):
    rows = [
        ["Lp.", "name", "terc", "gmina", "powiat", "town", "Uwagi"],
        [1, "Gminna Biblioteka Publiczna w Hannie", 619022, "Hanna", "włodawski", "Hanna", "nowa"],
    ]
    response = preview(coordinator_client, MODEL, xlsx_bytes(rows), "biblioteki.xlsx")

    assert response.context["result"].ignored_columns == ["Lp.", "Uwagi"]
    assert "Lp., Uwagi" in response.content.decode()
    confirm(coordinator_client, MODEL, response)
    assert Library.objects.get(terc="0619022").voivodeship_id == "06"


def test_semicolons_and_windows_1250(coordinator_client):
    rows = [HEADERS[:6], ["Gminna Biblioteka Publiczna w Wyrykach", "wiodąca", "0619082",
                          "Wyryki", "włodawski", "Wyryki-Połód"]]

    import_file(coordinator_client, MODEL, csv_bytes(rows, encoding="cp1250", delimiter=";"))

    assert Library.objects.get(terc="0619082").town == "Wyryki-Połód"


BAD_FILES = {
    "unknown voivodeship": ([HEADERS, GOOD, [*OTHER[:2], "9915082", *OTHER[3:]]],
                            [(3, "Kod TERC")]),
    "TERC code with a letter": ([HEADERS, GOOD, [*OTHER[:2], "12A5082", *OTHER[3:]]],
                                [(3, "Kod TERC")]),
    "TERC code too short": ([HEADERS, GOOD, [*OTHER[:2], "12150", *OTHER[3:]]],
                            [(3, "Kod TERC")]),
    "gmina type digit 4": ([HEADERS, GOOD, [*OTHER[:2], "1215084", *OTHER[3:]]],
                           [(3, "Kod TERC")]),
    "TERC code twice": ([HEADERS, GOOD, [*OTHER[:2], "1217052", *OTHER[3:]]],
                        [(3, "Kod TERC")]),
    "librarian twice": ([HEADERS, GOOD, [*OTHER[:6], "Jadwiga.Gasienica@example.org"]],
                        [(3, "E-maile bibliotekarek")]),
    "librarian's e-mail of an animator": ([HEADERS, [*GOOD[:6], "animator01@example.org"]],
                                          [(2, "E-maile bibliotekarek")]),
    "not an e-mail": ([HEADERS, [*GOOD[:6], "jadwiga.gasienica(at)example.org"]],
                      [(2, "E-maile bibliotekarek")]),
    "no name": ([HEADERS, ["", *GOOD[1:]]], [(2, "Nazwa biblioteki")]),
    "every problem of every row": (
        [HEADERS, [*GOOD[:2], "12170", *GOOD[3:]], [OTHER[0], "filia", OTHER[2], "", *OTHER[4:]],
         [*GOOD[:6], ""], [*GOOD[:2], "0219011", *GOOD[3:6], ""]],
        [(2, "Kod TERC"), (3, "Rodzaj"), (3, "Gmina")],
    ),
    "missing column": ([[h for h in HEADERS if h != "Powiat"], GOOD[:4] + GOOD[5:]],
                       [(None, "Powiat")]),
    "column twice": ([HEADERS + ["gmina"], GOOD + ["Poronin"]], [(None, "Gmina")]),
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


@pytest.mark.parametrize("content", [
    "Nazwa biblioteki,Kod TERC\nGminna Biblioteka Publiczna w Łąckiem,1210092\n".encode(
        "iso-8859-2"
    ),
    "Nazwa biblioteki,Kod TERC\n".encode("utf-16-le"),
    xlsx_bytes([HEADERS, GOOD]),
], ids=["ISO-8859-2", "UTF-16 without a BOM", "a workbook sent as CSV"])
def test_a_file_in_another_encoding_gets_a_clear_message(coordinator_client, content):
    before = counts()

    response = preview(coordinator_client, MODEL, content, "biblioteki.csv")

    assert response.status_code == 200
    assert file_error(response)
    assert "confirm_form" not in response.context
    assert counts() == before


def test_a_change_between_preview_and_confirmation_imports_nothing(coordinator_client):
    """The confirmed import checks every row again, in one transaction."""
    response = preview(coordinator_client, MODEL, csv_bytes([HEADERS, GOOD, OTHER]))
    animator = Animator.objects.select_related("user").first()
    animator.user.email = "ewa.zielinska@example.org"  # now an animator's e-mail
    animator.user.save()
    before = counts()

    response = confirm(coordinator_client, MODEL, response)

    assert response.status_code == 200
    assert problems(response) == [(3, "E-maile bibliotekarek")]
    assert counts() == before
    assert not Library.objects.filter(terc="1217052").exists()


def test_experts_do_not_import_libraries(client):
    """Experts may not add libraries, so they may not import them either; they export."""
    client.force_login(User.objects.get(email="ekspert1@example.org"))

    changelist = client.get(reverse("admin:libraries_library_changelist")).content.decode()

    assert reverse("admin:libraries_library_import") not in changelist
    assert reverse("admin:libraries_library_export") in changelist
    assert client.get(reverse("admin:libraries_library_import")).status_code == 403


def test_the_import_page_says_what_the_file_holds(coordinator_client):
    response = coordinator_client.get(reverse("admin:libraries_library_import"))

    content = response.content.decode()
    assert response.status_code == 200
    for column in HEADERS:
        assert f"<code>{column}</code>" in content


def test_new_libraries_have_their_history_with_their_librarians(coordinator_client):
    """The new libraries are saved together, each with one history row by the importing user
    that lists its librarians, and its partnership with its own history row."""
    coordinator = User.objects.get(email="koordynator@example.org")

    response = import_file(coordinator_client, MODEL, csv_bytes([HEADERS, GOOD, OTHER]))

    assert response.status_code == 302
    library = Library.objects.get(terc="1217052")
    [record] = library.history.all()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+", coordinator, "import"
    )
    assert record.name == GOOD[0]
    assert [row.user.email for row in record.librarians.all()] == [GOOD[6]]
    partnership = library.partnerships.get(round=Round.objects.current())
    [record] = partnership.history.all()
    assert (record.history_type, record.history_user) == ("+", coordinator)
