"""No file the application writes runs what a person typed as a formula (CSV injection): the
admin's exports, `/libraries/export.*` and the round report. A text cell that begins with =, +,
-, @, a tab or a carriage return gets an apostrophe before it (CSV) or is a quoted text cell
(XLSX); an export imports back as it was typed."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from animators.models import Animator
from libraries.models import Library, Voivodeship
from partnerships.models import Stage
from tests import factories
from tests.prb_partnerships.test_admin import MODELS, admin_url
from tests.spreadsheets import FORMATS, confirm, csv_bytes, import_file, preview, problems

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)  # inside the test round
BEGINNINGS = ["=", "+", "-", "@", "\t", "\r"]
FORMULA_STARTS = tuple(BEGINNINGS)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


def typed(beginning) -> str:
    """A formula as an animator could type it into a name or a note."""
    formula = 'HYPERLINK("http://x","y")'  # fits a phone number (32)
    return beginning + (formula if beginning in "=+-@" else "=" + formula)


def fill(round_, expert, text):
    """One partnership of `round_` with `text` in every kind of record's text."""
    round_.name = text
    round_.save()
    library = factories.LibraryFactory(
        name=text, gmina=text, powiat=text, town=text, address=text, phone=text
    )
    partnership = factories.PartnershipFactory(round=round_, library=library)
    animator = factories.AnimatorFactory(expert=expert, user__first_name=text, phone=text)
    animator.voivodeships.add(factories.voivodeship("12"))
    factories.AssignmentFactory(partnership=partnership, animator=animator, reason=text)
    partner = factories.PartnerFactory(
        partnership=partnership, name=text, contact_person=text, notes=text
    )
    meeting = factories.MeetingFactory(
        partnership=partnership, summary=text, decisions=text, logged_by=animator.user
    )
    meeting.partners_present.add(partner)
    factories.MilestoneFactory(partnership=partnership, stage=Stage.DIAGNOSIS, note=text)
    factories.AgreementFactory(partnership=partnership, signatories_note=text).signatories.add(
        partner
    )
    factories.JointActionFactory(
        partnership=partnership, title=text, description=text
    ).partners.add(partner)
    return library, animator


def admin_export(client, model, fmt) -> bytes:
    response = client.post(admin_url(model, "export"), {"resource": "0", "format": FORMATS[fmt]})
    assert response.status_code == 200, model
    return response.content


def every_export(client, round_):
    """(what, format, content) of every file the coordinator can download."""
    for model in MODELS:
        for fmt in ("csv", "xlsx"):
            yield model, fmt, admin_export(client, model, fmt)
    for fmt in ("csv", "xlsx"):
        url = reverse("libraries:library_export", args=[fmt])
        yield "/libraries/", fmt, client.get(url).content
    report = client.get(reverse("admin:partnerships_round_report", args=[round_.pk]))
    yield "round report", "xlsx", report.content


def csv_cells(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def xlsx_cells(content: bytes):
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize("beginning", BEGINNINGS, ids=repr)
def test_no_export_writes_a_formula(client, coordinator, expert, round_, beginning):
    text = typed(beginning)
    fill(round_, expert, text)
    Voivodeship.objects.filter(code="12").update(name=text)
    client.force_login(coordinator)

    for what, fmt, content in every_export(client, round_):
        if fmt == "csv":
            cells = csv_cells(content)
            assert "'" + text in cells, what
            assert not [c for c in cells if c.startswith(FORMULA_STARTS)], what
        else:
            cells = xlsx_cells(content)
            assert not [c.coordinate for c in cells if c.data_type == "f"], what
            # XML reads a carriage return as a line feed.
            shown = [c for c in cells if c.value == text.replace("\r", "\n")]
            assert shown, what
            assert all(c.data_type == "s" and c.quotePrefix for c in shown), what


def test_numbers_and_dates_stay_numbers_and_dates(client, coordinator, expert, round_):
    fill(round_, expert, "-Biblioteka")
    client.force_login(coordinator)

    content = client.get(reverse("libraries:library_export", args=["xlsx"])).content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    # Row 1 says the filters that made the file; the headers follow.
    row = {header.value: cell for header, cell in zip(sheet[2], sheet[3], strict=True)}
    assert row["Biblioteka"].value == "-Biblioteka" and row["Biblioteka"].quotePrefix
    assert row["Spotkania"].data_type == "n" and row["Spotkania"].value == 1
    assert row["Ostatnie spotkanie"].is_date

    content = client.get(reverse("libraries:library_export", args=["csv"])).content
    _filters, header, values = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    row = dict(zip(header, values, strict=True))
    assert [row["Biblioteka"], row["Spotkania"], row["Partnerzy"]] == ["'-Biblioteka", "1", "1"]


# What the application can hold: a form and the import strip spaces, tabs and line breaks around
# a value, so none begins with a tab or a carriage return (the exports are checked for them
# above all the same).
HELD = [typed(beginning) for beginning in "=+-@"] + ["'" + typed("="), "'t Hooft"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("text", HELD)
def test_an_export_imports_back_as_it_was(client, coordinator, expert, round_, text, fmt):
    library, animator = fill(round_, expert, text)
    client.force_login(coordinator)

    for model in ("libraries.library", "animators.animator"):
        content = admin_export(client, model, fmt)
        response = preview(client, model, content, f"export.{fmt}")
        assert problems(response) == [], model
        updated = [row.import_type for row in response.context["result"].valid_rows()]
        assert updated == ["update"], model
        assert confirm(client, model, response).status_code == 302, model

    library = Library.objects.get(pk=library.pk)
    kept = [library.name, library.gmina, library.powiat, library.town, library.address]
    assert kept + [library.phone] == [text] * 6
    animator = Animator.objects.select_related("user").get(pk=animator.pk)
    assert [animator.user.first_name, animator.phone] == [text, text]


def test_a_file_written_by_hand_loses_only_the_apostrophe_before_a_formula(
    client, coordinator, round_
):
    client.force_login(coordinator)
    rows = [
        ["Nazwa biblioteki", "Kod TERC", "Gmina", "Powiat", "Miejscowość", "Adres"],
        ["'t Hooft", "1217052", "'=Poronin", "tatrzański", "''=Poronin", "'Pod Lipami' 5"],
    ]

    import_file(client, "libraries.library", csv_bytes(rows))

    library = Library.objects.get(terc="1217052")
    assert [library.name, library.gmina, library.town, library.address] == [
        "'t Hooft",
        "=Poronin",
        "'=Poronin",
        "'Pod Lipami' 5",
    ]


def test_a_semicolon_cannot_start_a_second_formula_cell_in_a_polish_excel():
    """A Polish Excel splits CSV on semicolons: every cell is quoted, so `Koło;=1+1` stays one
    cell and its `=` never begins one."""
    import tablib

    from prb_partnerships.spreadsheets import csv_text

    text = csv_text(tablib.Dataset(["Koło;=1+1", 7], headers=["Nazwa", "Liczba"]))

    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert '"Koło;=1+1"' in text
