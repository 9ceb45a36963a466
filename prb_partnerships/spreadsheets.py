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
import io
import re
from decimal import Decimal

import openpyxl
import tablib
from django.http import HttpResponse
from openpyxl.styles import Font
from tablib.formats._xlsx import XLSXFormat, safe_xlsx_sheet_title

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


def csv_text(dataset: tablib.Dataset, caption: str | None = None) -> str:
    """`dataset` as CSV, with a BOM so that Excel shows the Polish letters, after a first row
    of one cell, `caption`, when given (what the file holds, e.g. the filters that made it).
    Every cell is quoted: a Polish Excel splits on semicolons, and an unquoted `Koło;=1+1`
    would become a second cell that begins with `=`."""
    rows = ([safe_cell(value) for value in row] for row in dataset)
    headers = [safe_cell(header) for header in dataset.headers] if dataset.headers else None
    first = ""
    if caption is not None:
        line = io.StringIO()
        csv.writer(line, quoting=csv.QUOTE_ALL).writerow([safe_cell(caption)])
        first = line.getvalue()
    table = tablib.Dataset(*rows, headers=headers).export("csv", quoting=csv.QUOTE_ALL)
    return "\ufeff" + first + table


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


def xlsx_bytes(data: tablib.Dataset | tablib.Databook, caption: str | None = None) -> bytes:
    """A workbook of one sheet (a Dataset) or of a sheet per Dataset of a Databook. A Dataset's
    sheet can start with a row of one bold cell, `caption`, above its headers (both rows stay
    in view when scrolling); the columns are as wide as the table needs, not the caption."""
    if isinstance(data, tablib.Databook):
        return _TextCellsXLSX.export_book(data)
    if caption is None:
        return _TextCellsXLSX.export_set(data)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = safe_xlsx_sheet_title(data.title, "-") if data.title else "Sheet"
    _TextCellsXLSX.dset_sheet(data, sheet)
    _TextCellsXLSX._adapt_column_width(sheet, "adaptive")
    sheet.insert_rows(1)
    cell = sheet.cell(row=1, column=1, value=caption)
    cell.font = Font(bold=True)
    if formula_like(caption):
        cell.data_type = "s"
        cell.quotePrefix = True
    sheet.freeze_panes = "A3"
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def file_response(data, fmt: str, name: str, caption: str | None = None) -> HttpResponse:
    """The download `name`.`fmt` ("csv" or "xlsx") of `data`, a Dataset (or a Databook, xlsx),
    with `caption` as its first row when given (a Dataset only)."""
    content = csv_text(data, caption) if fmt == "csv" else xlsx_bytes(data, caption)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
