"""Every CSV and XLSX file the application writes, written so that none of its cells runs code.

Text that begins with =, +, -, @, a tab or a carriage return is a formula to Excel and
LibreOffice, or becomes one when the cell is edited: a partner named
`=HYPERLINK("http://…","…")` by an animator would be a live formula in the coordinator's
spreadsheet. As OWASP advises, such a cell gets an apostrophe before it:

- in a CSV file the apostrophe is written (`'=HYPERLINK(…)`), so the cell is read as text;
- in an XLSX file the cell is a text cell, never a formula, with Excel's quote prefix — what
  Excel itself stores when one types `'=…`: the cell shows the text as typed, the formula bar
  shows the apostrophe, and editing the cell keeps it text.

Numbers and dates stay numbers and dates (-5 is a number, not text to neutralise).

Reading a file (`unquote`, in the cleaning of every imported cell) removes that one apostrophe
again, so export → edit → import changes nothing. Text that itself begins with apostrophes
before such a character (`'=…`, rare) is written with one apostrophe more, in both formats, so
that it too reads back as it was; an apostrophe before anything else is the text's own.

django-import-export's IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT and tablib's `escape` only drop a
leading "=" (the value changes, +, - and @ stay, and import-export turns every cell into text),
so neither is used: the admin's formats, `/libraries/export.*` and the round report write
through `csv_text` and `xlsx_bytes` (or `file_response`), as any later export must.
"""

import csv
import datetime
import re
from decimal import Decimal

import tablib
from django.http import HttpResponse
from tablib.formats._xlsx import XLSXFormat

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
# Text whose first apostrophe a reader of the file removes: a formula start after apostrophes.
QUOTED = re.compile(r"'*[=+\-@\t\r]")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def formula_like(value) -> bool:
    """Text that a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_cell(value):
    """A cell of a CSV file: blanks, numbers and dates as they are; anything else as text, with
    an apostrophe before a formula-like beginning."""
    if value is None or isinstance(value, int | float | Decimal | datetime.date | datetime.time):
        return value
    text = str(value)
    return QUOTE + text if QUOTED.match(text) else text


def unquote(text: str) -> str:
    """A cell read from a file, without the apostrophe `safe_cell` put before a formula-like
    beginning (an apostrophe before anything else belongs to the text)."""
    if text.startswith(QUOTE) and QUOTED.match(text):
        return text[1:]
    return text


def csv_text(dataset: tablib.Dataset) -> str:
    """`dataset` as CSV, with a BOM so that Excel shows the Polish letters. Every cell is
    quoted: a Polish Excel splits on semicolons, and an unquoted `Koło;=1+1` would become a
    second cell that begins with `=`."""
    rows = ([safe_cell(value) for value in row] for row in dataset)
    headers = [safe_cell(header) for header in dataset.headers] if dataset.headers else None
    return "\ufeff" + tablib.Dataset(*rows, headers=headers).export("csv", quoting=csv.QUOTE_ALL)


class _TextCellsXLSX(XLSXFormat):
    """tablib's XLSX writer (bold headers, frozen first row), with formula-like text written as
    quoted text cells (openpyxl makes every string that begins with "=" a formula)."""

    @classmethod
    def dset_sheet(cls, dataset, ws, freeze_panes=True, escape=False):
        super().dset_sheet(dataset, ws, freeze_panes=freeze_panes)
        for row in ws.iter_rows():
            for cell in row:
                if formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
                elif isinstance(cell.value, str) and cell.value.startswith(QUOTE):
                    cell.value = safe_cell(cell.value)


def xlsx_bytes(data: tablib.Dataset | tablib.Databook) -> bytes:
    """A workbook of one sheet (a Dataset) or of a sheet per Dataset of a Databook."""
    if isinstance(data, tablib.Databook):
        return _TextCellsXLSX.export_book(data)
    return _TextCellsXLSX.export_set(data)


def file_response(data, fmt: str, name: str) -> HttpResponse:
    """The download `name`.`fmt` ("csv" or "xlsx") of `data`, a Dataset (or a Databook, xlsx)."""
    content = csv_text(data) if fmt == "csv" else xlsx_bytes(data)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
