"""Big files in the import: refused before their rows are read, and a preview whose queries do
not grow with the rows (prb_partnerships/importexport.py, README "Import and export")."""

import io
import time
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from openpyxl.worksheet._reader import WorkSheetParser

from libraries.models import Library
from partnerships.models import Partnership
from prb_partnerships.importexport import MAX_FILE_BYTES, MAX_ROWS
from tests.conftest import DEMO_TODAY
from tests.spreadsheets import confirm, csv_bytes, file_error, preview, problems

pytestmark = pytest.mark.django_db
User = get_user_model()
MODEL = "libraries.library"
HEADERS = ["Nazwa biblioteki", "Rodzaj", "Kod TERC", "Gmina", "Powiat", "Miejscowość",
           "E-maile bibliotekarek"]


@pytest.fixture(autouse=True)
def _today(monkeypatch, demo_data):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: DEMO_TODAY)


@pytest.fixture
def coordinator_client(client):
    client.force_login(User.objects.get(email="koordynator@example.org"))
    return client


def counts():
    return Library.objects.count(), User.objects.count(), Partnership.objects.count()


def library_rows(count):
    """`count` new lead libraries, each with a new librarian (TERC codes unused by the demo)."""
    rows = [HEADERS]
    for number in range(count):
        powiat, gmina = divmod(number, 90)
        rows.append([f"Biblioteka {number}", "wiodąca", f"12{70 + powiat:02d}{gmina + 1:02d}2",
                     f"Gmina {number}", "tatrzański", f"Miasto {number}",
                     f"bibliotekarka{number}@example.org"])
    return rows


def refused(response, *words):
    """The file was refused with a message naming `words`, and nothing offered to confirm."""
    message = file_error(response)
    assert response.status_code == 200
    assert all(word in message for word in words), message
    assert "confirm_form" not in response.context
    return message


# A workbook written by hand: the sheet's XML streamed into the archive, so that a sheet of a
# million rows costs a second to make and about a megabyte to hold.
WORKBOOK_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
        '"xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="Arkusz1" sheetId="1" r:id='
        '"rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
        '"worksheets/sheet1.xml"/></Relationships>'
    ),
}


def workbook(rows, *, dimension=True, cell="<c><v>1</v></c>") -> bytes:
    """A workbook whose sheet has the column names and `rows` rows of one `cell`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in WORKBOOK_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main">'
            )
            if dimension:
                sheet.write(f'<dimension ref="A1:A{rows + 1}"/>'.encode())
            sheet.write(b'<sheetData><row><c t="inlineStr"><is><t>Kod TERC</t></is></c></row>')
            chunk = f"<row>{cell}</row>".encode() * 10_000
            for _ in range(rows // 10_000):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


@pytest.fixture(scope="module")
def million_rows():
    return {
        "declared": workbook(1_000_000),
        "undeclared": workbook(1_000_000, dimension=False),
    }


@pytest.fixture
def parsed_rows(monkeypatch):
    """How many rows of a sheet openpyxl parsed."""
    parsed = []
    parse_row = WorkSheetParser.parse_row

    def counting(self, row):
        parsed.append(1)
        return parse_row(self, row)

    monkeypatch.setattr(WorkSheetParser, "parse_row", counting)
    return parsed


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(coordinator_client):
    rows = library_rows(1)
    rows[1][0] = "x" * (MAX_FILE_BYTES + 1)
    before = counts()

    response = preview(coordinator_client, MODEL, csv_bytes(rows))

    refused(response, "5")
    assert "MB" in file_error(response)
    assert counts() == before


def test_a_file_with_more_rows_than_the_limit_is_refused(coordinator_client):
    rows = [["Kod TERC"]] + [["1217052"]] * (MAX_ROWS + 1)
    before = counts()

    response = preview(coordinator_client, MODEL, csv_bytes(rows))

    refused(response, "20")
    assert counts() == before


def test_a_file_of_exactly_the_limit_is_read(coordinator_client):
    """The limit counts the rows below the column names; here every row lacks its columns."""
    rows = [["Kod TERC"]] + [["1217052"]] * MAX_ROWS

    response = preview(coordinator_client, MODEL, csv_bytes(rows))

    assert file_error(response) == ""
    assert (None, "Nazwa biblioteki") in problems(response)


@pytest.mark.parametrize("kind", ["declared", "undeclared"])
def test_a_workbook_of_a_million_rows_is_refused_quickly(
    coordinator_client, million_rows, parsed_rows, kind
):
    """About a megabyte zipped: its rows past the limit are never parsed (with its dimension
    declared, none is)."""
    content = million_rows[kind]
    assert len(content) < 2 * 1024 * 1024
    before = counts()

    started = time.monotonic()
    response = preview(coordinator_client, MODEL, content, "biblioteki.xlsx")
    seconds = time.monotonic() - started

    refused(response, "20")
    assert len(parsed_rows) <= (0 if kind == "declared" else MAX_ROWS + 2)
    assert seconds < 10  # a worker's timeout is 30 s; parsed whole, it took half a minute
    assert counts() == before


def test_a_workbook_that_unpacks_to_too_much_is_refused_unopened(coordinator_client, parsed_rows):
    # 100,000 rows of a long text: a few hundred kilobytes zipped, over 50 MB unpacked.
    content = workbook(100_000, cell=f'<c t="inlineStr"><is><t>{"a" * 500}</t></is></c>')
    before = counts()

    response = preview(coordinator_client, MODEL, content, "biblioteki.xlsx")

    refused(response, "50")
    assert parsed_rows == []
    assert counts() == before


def test_not_a_workbook_is_refused_with_a_message(coordinator_client):
    response = preview(coordinator_client, MODEL, b"Kod TERC\n1217052\n", "biblioteki.xlsx")

    refused(response, "xlsx")


@pytest.mark.parametrize("count", [50, 500])
def test_the_preview_makes_as_many_queries_for_500_rows_as_for_50(
    coordinator_client, django_assert_max_num_queries, count
):
    """Checking a row reads nothing: what the rows need is read once per file."""
    content = csv_bytes(library_rows(count))
    # The session, its user and their permissions (4), the transaction (2), the round, the
    # voivodeships, the file's known libraries and their librarians, its known accounts and
    # the partnerships of the round (6): 12, and a few to spare.
    with django_assert_max_num_queries(16):
        response = preview(coordinator_client, MODEL, content)

    assert problems(response) == []
    assert len([row for row in response.context["result"].valid_rows() if row.diff]) == min(
        count, 100
    )


@pytest.mark.parametrize("count", [50, 500])
def test_the_confirmed_import_makes_as_many_queries_for_500_new_libraries_as_for_50(
    coordinator_client, django_assert_max_num_queries, count
):
    """New libraries are saved together after the last row: their accounts, the libraries,
    their librarians and their partnerships, each with its history, a few queries each."""
    response = preview(coordinator_client, MODEL, csv_bytes(library_rows(count)))
    before = counts()

    # The session, the user, the permissions, the transaction, what `prepare` reads, the admin's
    # log, and per kind of record a few writes (accounts, groups, addresses, libraries and their
    # history, librarians and their history, partnerships and their history): 26 today.
    with django_assert_max_num_queries(30):
        response = confirm(coordinator_client, MODEL, response)

    assert response.status_code == 302
    assert counts() == (before[0] + count, before[1] + count, before[2] + count)
    library = Library.objects.get(name="Biblioteka 7")
    assert [u.email for u in library.librarians.all()] == ["bibliotekarka7@example.org"]
