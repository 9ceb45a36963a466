"""Spreadsheets in and out of the admin panel (django-import-export), as CAL's files really are.

Reading a file:
- CSV as saved by Excel or LibreOffice: UTF-8 with or without a BOM, or Windows-1250 (what a
  Polish Excel writes for "CSV"), separated by commas or semicolons; XLSX (its first sheet).
  `decode_csv` tries UTF-8 strictly first (a Windows-1250 file with Polish letters is never valid
  UTF-8), then Windows-1250; anything else is refused with a message saying how to save the file.
- The first row holds the column names. They are matched loosely: case, spaces, punctuation and
  Polish diacritics do not matter ("Kod TERC", "kod terc", "KOD_TERC"), and a resource may accept
  other names (its English field names, e.g. "terc"). Unknown columns ("Lp.", "Uwagi") are
  ignored and listed in the preview; a missing required column or one given twice stops the file.
- "Row" always means the row of the spreadsheet: the column names are row 1.
- A cell that an export wrote with an apostrophe before =, +, -, @, a tab or a carriage return
  (so that it cannot run as a formula, see prb_partnerships/spreadsheets.py) is read without
  that apostrophe: an export imports back unchanged.

All or nothing: the preview checks every row and saves nothing (it writes nothing at all, inside
a transaction that is rolled back), and the confirmed import checks every row again and saves
them in one transaction that is rolled back when any row has a problem
(`rollback_on_validation_errors`), so a file with one bad row saves nothing. Every problem is
listed with its row and column (`Problem`).

Big files: a file over `MAX_FILE_BYTES`, with more than `MAX_ROWS` rows, or a workbook whose
parts unpack to more than `MAX_XLSX_UNPACKED_BYTES` is refused before its rows are read (a
workbook's sizes are read from its zip directory, its rows one by one, never past the limit).
A resource reads what its rows need — the known TERC codes, e-mails, voivodeships — once per
file, in `prepare`, so that checking a row makes no query: the preview's queries do not grow
with the rows, and saving a row makes only its own writes. A resource may also keep rows
(`save_row`) and save them all at once after the last one (`save_collected`): the libraries'
import saves its new libraries so, in queries that do not grow with the rows.

The column names of the files are a file format shared with CAL's spreadsheets, so they are
fixed Polish strings (see the README), not translated: a file exported in English must import.
"""

import codecs
import copy
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from itertools import islice

import openpyxl
import tablib
from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export import resources
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.fields import Field
from import_export.formats import base_formats
from import_export.forms import ExportForm, ImportForm
from import_export.results import RowResult
from import_export.widgets import Widget
from openpyxl.utils import get_column_letter

from prb_partnerships.spreadsheets import csv_text, unquote, xlsx_bytes
from prb_partnerships.text import fold

# --- reading files ------------------------------------------------------------------------------



class FileProblem(Exception):
    """A file that cannot be imported as a whole; `problems` are (column or None, message)."""

    def __init__(self, problems):
        if isinstance(problems, str):
            problems = [(None, problems)]
        self.problems = list(problems)
        super().__init__(" ".join(str(message) for _column, message in self.problems))


# Bytes that ISO-8859-2 uses for ą ś ź Ą Ś Ź read as Windows-1250: a Latin-2 file decodes
# "successfully" as Windows-1250 but with these instead of Polish letters.
LATIN2_SIGNS = set("±¶Ľˇ¦¬")

# What one import takes (the README, "Import and export"): CAL's whole list of libraries is a
# few thousand rows; a bigger file is split. Checked before the rows are read.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000  # rows of data, after the row of column names
# A workbook is a zip archive: the declared sizes of its unpacked parts, summed. A 5 MB
# workbook of 20,000 rows unpacks to about 20 MB; a "zip bomb" to far more.
MAX_XLSX_UNPACKED_BYTES = 50 * 1024 * 1024


def file_too_big(size) -> FileProblem:
    return FileProblem(
        _(
            "The file is %(size)s; a file to import may be at most %(limit)s. Split it into "
            "smaller files and import them one after the other."
        )
        % {"size": filesizeformat(size), "limit": filesizeformat(MAX_FILE_BYTES)}
    )


def too_many_rows() -> FileProblem:
    return FileProblem(
        _(
            "The file has more than %(limit)s rows; a file to import may have at most "
            "%(limit)s rows below the column names. Split it into smaller files and import "
            "them one after the other."
        )
        % {"limit": number_format(MAX_ROWS, force_grouping=True)}
    )


def _limited(rows):
    """The first row (the column names) and at most MAX_ROWS rows after it; FileProblem when
    there are more (nothing past the limit is read)."""
    rows = list(islice(rows, MAX_ROWS + 2))
    if len(rows) > MAX_ROWS + 1:
        raise too_many_rows()
    return rows


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_csv(data: bytes) -> str:
    """The text of an uploaded CSV file: UTF-8 (with or without a BOM), else Windows-1250;
    UTF-16 with a BOM (Excel's "Unicode text") too. FileProblem when it is neither."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1250")
            except UnicodeDecodeError:
                text = None
            if text is None or LATIN2_SIGNS & set(text):
                raise FileProblem(
                    _(
                        "The file is neither in UTF-8 nor in Windows-1250, so its Polish "
                        "letters cannot be read. Save it again as \"CSV UTF-8\" (Excel) or as "
                        "CSV with the UTF-8 character set (LibreOffice) and import that file."
                    )
                ) from None
    if CONTROL_CHARACTERS.search(text):
        raise FileProblem(
            _(
                "This is not a CSV text file. If it is an Excel workbook, choose the format "
                "xlsx; otherwise save it as CSV and import that file."
            )
        )
    return text


def _blank(values) -> bool:
    return not any(cell_text(value) for value in values)


def _dataset(rows) -> tablib.Dataset:
    """A Dataset of `rows` (the first holds the column names), every row as wide as the widest;
    blank rows inside are kept, so that row numbers stay those of the spreadsheet."""
    rows = [list(row) for row in rows]
    while rows and _blank(rows[-1]):
        rows.pop()
    dataset = tablib.Dataset()
    if not rows:
        return dataset
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    dataset.headers = ["" if value is None else str(value).strip() for value in rows[0]]
    for row in rows[1:]:
        dataset.append(row)
    return dataset


class CSVFormat(base_formats.CSV):
    """CSV read as bytes (the encoding is detected here, not assumed); written by `csv_text`."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if len(in_stream) > MAX_FILE_BYTES:
            raise file_too_big(len(in_stream))
        text = decode_csv(in_stream) if isinstance(in_stream, bytes) else in_stream
        first_line = text.split("\n", 1)[0]
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        # newline="": a line break inside a quoted cell stays in the cell
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return _dataset(_limited(reader))

    def export_data(self, dataset, **kwargs):
        return csv_text(dataset)


class XLSXFormat(base_formats.XLSX):
    """The first sheet of a workbook; blank rows at its end (formatted but empty) are dropped.
    Written by `xlsx_bytes`.

    Read without unpacking more than it must: the sizes the archive declares are summed first,
    then the sheet is read in openpyxl's read-only mode, row by row, up to MAX_ROWS + 1 rows
    (a sheet that declares more rows is refused before any is read)."""

    def create_dataset(self, in_stream):
        if len(in_stream) > MAX_FILE_BYTES:
            raise file_too_big(len(in_stream))
        try:
            archive = zipfile.ZipFile(io.BytesIO(in_stream))
        except zipfile.BadZipFile:
            raise FileProblem(
                _("This is not an Excel workbook (xlsx). If it is a CSV file, choose csv.")
            ) from None
        with archive:
            if sum(member.file_size for member in archive.infolist()) > MAX_XLSX_UNPACKED_BYTES:
                raise FileProblem(
                    _(
                        "The workbook unpacks to more than %(limit)s, more than a file to "
                        "import may hold. Save only the sheet to import, or split it into "
                        "smaller files."
                    )
                    % {"limit": filesizeformat(MAX_XLSX_UNPACKED_BYTES)}
                )
        book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
        try:
            sheet = book.active
            # The size the sheet declares (<dimension>): over the limit, nothing is read.
            if (sheet.max_row or 0) > MAX_ROWS + 1:
                raise too_many_rows()
            # Then its rows as they are, not padded to the declared size (which may be wrong).
            sheet.reset_dimensions()
            rows = _limited(sheet.iter_rows(values_only=True))
        finally:
            book.close()
        return _dataset(rows)

    def export_data(self, dataset, **kwargs):
        return xlsx_bytes(dataset)


FORMATS = [CSVFormat, XLSXFormat]


# --- cells and columns --------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as text: numbers from a workbook without a trailing ".0", blanks as "", without
    the apostrophe an export put before a formula-like beginning, and, as every value the
    application keeps, without spaces, tabs or line breaks around it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unquote(str(value).strip()).strip()


def header_key(text) -> str:
    """What a column name is matched on: letters and digits only, lower case, no diacritics."""
    return "".join(c for c in fold(text).lower() if c.isalnum())


class TextWidget(Widget):
    """Text cells, stripped; numbers from a workbook as written (a phone number is not 6.0e8)."""

    def clean(self, value, row=None, **kwargs):
        return cell_text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class EmailWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        email = cell_text(value).lower()
        if email:
            check_email(email)
        return email


def check_email(email):
    try:
        validate_email(email)
    except ValidationError:
        raise ValueError(
            _("%(value)s is not a valid e-mail address.") % {"value": email}
        ) from None


def split_list(value) -> list[str]:
    """Items of a cell separated by commas, semicolons or line breaks."""
    return [item.strip() for item in re.split(r"[,;\n]", cell_text(value)) if item.strip()]


class ChoiceWidget(TextWidget):
    """A choice by its code or its label in Polish or English (case and diacritics do not
    matter); `aliases` are other accepted words. Exported as the label."""

    def __init__(self, choices, aliases=None, **kwargs):
        self.choices = choices
        self.aliases = aliases or {}
        super().__init__(**kwargs)

    def accepted(self) -> dict:
        """Read once per widget: the words do not change during an import."""
        if "_accepted" not in self.__dict__:
            self._accepted = self._read_accepted()
        return self._accepted

    def _read_accepted(self) -> dict:
        from django.utils import translation

        accepted = {header_key(word): code for word, code in self.aliases.items()}
        for code, label in self.choices.choices:
            accepted[header_key(code)] = code
            for language in ("pl", "en"):
                with translation.override(language):
                    accepted[header_key(label)] = code
        return accepted

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        code = self.accepted().get(header_key(text))
        if code is None:
            labels = ", ".join(str(label) for label in self.choices.labels)
            raise ValueError(
                _("%(value)s is not one of: %(choices)s.") % {"value": text, "choices": labels}
            )
        return code

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""


class LocalDateTimeWidget(Widget):
    def render(self, value, obj=None, **kwargs):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class ParsedField(Field):
    """A column the resource saves itself (a many-to-many relation, accounts): the cleaned value
    waits in `instance._imported` until the row is saved, and shows in the preview."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        if not self.readonly:
            instance.__dict__.setdefault("_imported", {})[self.attribute] = self.clean(
                row, **kwargs
            )

    def get_value(self, instance):
        pending = getattr(instance, "_imported", {})
        if self.attribute in pending:
            return pending[self.attribute]
        return super().get_value(instance)


class ListWidget(Widget):
    """Related objects as one cell, separated by commas; `label(obj)` says how each is shown."""

    def label(self, obj) -> str:
        return str(obj)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        items = value.all() if hasattr(value, "all") else value
        return ", ".join(self.label(item) for item in items)


# --- resources ----------------------------------------------------------------------------------


@dataclass
class Problem:
    """What is wrong, where: `row` of the spreadsheet (None: the whole file) and `column`."""

    row: int | None
    column: str | None
    letter: str
    value: str
    message: str


# Values per query when rows are read by a list of values (SQLite takes at most 32,766).
CHUNK = 5000


def in_chunks(queryset, lookup, values):
    """The rows of `queryset` whose `lookup` is one of `values`, CHUNK values per query."""
    values = sorted(values)
    for start in range(0, len(values), CHUNK):
        yield from queryset.filter(**{f"{lookup}__in": values[start : start + CHUNK]})


# The preview lists the first rows of a file with what changes in each; the import takes all.
PREVIEW_ROWS = 100


def add_error(errors: dict, key: str, message) -> None:
    errors.setdefault(key, []).append(ValidationError(message))


class SpreadsheetResource(resources.ModelResource):
    """A resource read from CAL's spreadsheets (see the module's docstring).

    Subclasses declare their columns as fields whose `column_name` is the Polish column name,
    list `required_columns`, may accept other names in `aliases`, check a row in `check_row`
    and save it in `save_row` (through a service)."""

    required_columns: tuple = ()
    aliases: dict = {}
    # Error keys that are no column of the file (fields derived from another column).
    error_columns: dict = {}
    # Model fields set from other columns or by the service: not validated on their own.
    unvalidated_fields: tuple = ()
    # For the import page: (column, required, what it holds, an example) and how rows match.
    column_help: list = []
    match_help = ""

    class Meta:
        use_transactions = True
        clean_model_instances = True
        report_skipped = True

    # The file as a whole

    def import_fields(self):
        return [field for field in self.fields.values() if not field.readonly]

    def accepted_headers(self) -> dict:
        """Normalised accepted column name → the column (exported-only columns are accepted and
        ignored, so that an export imports as it is)."""
        accepted = {}
        for name, field in self.fields.items():
            column = field.column_name
            for header in (column, name, *self.aliases.get(column, ())):
                accepted.setdefault(header_key(header), column)
        return accepted

    def before_import(self, dataset, **kwargs):
        self.columns = {}
        self.ignored_columns = []
        self.seen = {}
        self.notes = []
        accepted = self.accepted_headers()
        problems = []
        headers = []
        for index, header in enumerate(dataset.headers or []):
            column = accepted.get(header_key(header))
            if column is None:
                if header:
                    self.ignored_columns.append(header)
            elif column in self.columns:
                problems.append(
                    (column, _("The column %(column)s is in the file twice.") % {"column": column})
                )
            else:
                self.columns[column] = index
            headers.append(column or header)
        for column in self.required_columns:
            if column not in self.columns:
                problems.append(
                    (column, _("The column %(column)s is missing.") % {"column": column})
                )
        if problems:
            self.file_dataset = tablib.Dataset()
            dataset.wipe()
            raise FileProblem(problems)
        dataset.headers = headers
        self.file_dataset = dataset
        try:
            self.prepare(dataset, **kwargs)
        except FileProblem:
            dataset.wipe()
            raise

    def prepare(self, dataset, **kwargs):
        """Read what the rows need (once per file, so that checking a row makes no query);
        FileProblem stops the file."""

    def column_values(self, dataset, column, clean=cell_text) -> set:
        """The cleaned values of `column` in the file's rows (a value that does not clean is
        left out: its row gets its problem when it is read)."""
        index = self.columns.get(column)
        if index is None:
            return set()
        values = set()
        for data_row in dataset:
            try:
                value = clean(data_row[index])
            except ValueError:
                continue
            values.update(value if isinstance(value, list) else [value] if value else [])
        return values

    # The preview writes nothing


    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None,
                    collect_failed_rows=False, rollback_on_validation_errors=False, **kwargs):
        """The whole file in one transaction, without a savepoint per row: the preview
        (`dry_run`) checks every row and saves none (`save_instance`), and is rolled back all
        the same; the confirmed import saves the rows and is rolled back when any row has a
        problem. After a row that failed to save, the later rows are not read (the transaction
        is lost anyway)."""
        # This import's own options: `import_row` turns the listing of changes on and off.
        self._meta = copy.copy(type(self)._meta)
        self.diffs_left = PREVIEW_ROWS if dry_run else 0
        self.failed = False
        with transaction.atomic():
            result = self.import_data_inner(
                dataset, dry_run, raise_errors, False, collect_failed_rows, **kwargs
            )
            if (
                dry_run
                or result.has_errors()
                or (rollback_on_validation_errors and result.has_validation_errors())
            ):
                transaction.set_rollback(True)
        return result

    # One row

    def import_row(self, row, instance_loader, **kwargs):
        # Only the first PREVIEW_ROWS rows of a preview get their changes listed (and the copy
        # of the object they are compared with): a 10,000-row table would take longer to make
        # and to send than the import itself, and no one reads it. The import takes every row.
        self._meta.skip_diff = getattr(self, "diffs_left", 1) <= 0
        if _blank(row.values()) or getattr(self, "failed", False):  # neither counted nor shown
            row_result = self.get_row_result_class()()
        else:
            self.diffs_left = getattr(self, "diffs_left", 1) - 1
            row_result = super().import_row(row, instance_loader, **kwargs)
            self.failed = bool(row_result.errors)
        row_result.number = kwargs["row_number"] + 1
        return row_result

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        self.check_row(instance, row, errors, number=kwargs["row_number"] + 1)
        if errors:
            raise ValidationError(errors)

    def check_row(self, instance, row, errors, *, number):
        """Add to `errors` ({field: [errors]}) what is wrong with the row."""

    def check_unique_in_file(self, errors, key, value, *, number, kind="value"):
        """An error when `value` of the column of `key` was already in an earlier row."""
        first = self.seen.setdefault((kind, value), number)
        if first != number:
            add_error(
                errors,
                key,
                _("%(value)s is already in row %(row)d of this file.")
                % {"value": value, "row": first},
            )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's field checks and `clean()`, without the checks that query the database
        row by row (uniqueness, constraints): `check_row` checks uniqueness against what
        `prepare` read, and the database's constraints still hold when a row is saved."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude={*errors, *self.unvalidated_fields},
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        if not kwargs.get("dry_run"):
            self.save_row(instance, is_create, row, **kwargs)

    def save_row(self, instance, is_create, row, **kwargs):
        """Save the row, or keep it to be saved with others by `save_collected`."""
        instance.save()

    def save_collected(self, **kwargs):
        """Save what `save_row` kept, all at once, after the last row."""

    def save_all_collected(self, result, **kwargs):
        """After the last row of a confirmed import whose rows are all good: `save_collected`
        (in a savepoint); a failure is a problem of the whole file, and nothing is saved. The
        rows saved then get their keys in the result (the admin's log of the import)."""
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        try:
            with transaction.atomic():
                self.save_collected(**kwargs)
        except Exception as error:  # e.g. a library added by someone else since the file was read
            result.append_base_error(self.get_error_result_class()(error))
            return
        for row_result in result.rows:
            instance = getattr(row_result, "instance", None)
            if row_result.object_id is None and instance is not None and instance.pk:
                row_result.add_instance_info(instance)

    def save_m2m(self, instance, row, **kwargs):
        """Related objects are saved by `save_row`."""

    @staticmethod
    def pending(instance, attribute, default=None):
        return getattr(instance, "_imported", {}).get(attribute, default)

    # The result

    def after_import(self, dataset, result, **kwargs):
        """Save the rows kept for the end (`save_all_collected`), then list the problems with
        their rows and columns (no sequence reset: files never carry primary keys)."""
        self.save_all_collected(result, **kwargs)
        result.problems = self.problems(result)
        result.ignored_columns = getattr(self, "ignored_columns", [])
        result.preview_rows = PREVIEW_ROWS
        result.notes = [] if kwargs.get("dry_run") else getattr(self, "notes", [])

    def column_of(self, key):
        if key == NON_FIELD_ERRORS:
            return None
        if key in self.error_columns:
            return self.error_columns[key]
        for name, field in self.fields.items():
            if key in (name, field.attribute, (field.attribute or "").rsplit("__", 1)[-1]):
                return field.column_name
        return None

    def problem(self, row, column, message) -> Problem:
        index = getattr(self, "columns", {}).get(column)
        value = ""
        if row is not None and index is not None and row - 2 < len(self.file_dataset):
            value = cell_text(self.file_dataset[row - 2][index])
        letter = get_column_letter(index + 1) if index is not None else ""
        return Problem(row, column, letter, value, str(message))

    def problems(self, result) -> list[Problem]:
        problems = []
        for error in result.base_errors:
            if isinstance(error.error, FileProblem):
                problems += [self.problem(None, c, m) for c, m in error.error.problems]
            else:
                problems.append(self.problem(None, None, error.error))
        for invalid in result.invalid_rows:
            for key, messages_ in invalid.error_dict.items():
                for message in messages_:
                    problems.append(self.problem(invalid.number + 1, self.column_of(key), message))
        for error_row in result.error_rows:
            for error in error_row.errors:
                problems.append(self.problem(error_row.number + 1, None, error.error))
        order = getattr(self, "columns", {})
        return sorted(problems, key=lambda p: (p.row or 0, order.get(p.column, -1)))

    # Export

    def filter_export(self, queryset, **kwargs):
        if self.export_select_related:  # select_related() without fields follows every key
            queryset = queryset.select_related(*self.export_select_related)
        return queryset.prefetch_related(*self.export_prefetch_related)

    export_select_related: tuple = ()
    export_prefetch_related: tuple = ()

    def iter_queryset(self, queryset):
        """All rows at once, with their prefetched relations in one query each (the default
        pages through the rows, a few queries per hundred)."""
        return iter(queryset)


class ExportResource(SpreadsheetResource):
    """A resource that only exports; its columns are declared with `column()`."""


def column(header, value, **kwargs) -> Field:
    """An exported column: `header` (translated) and `value(obj)`."""
    return Field(column_name=header, dehydrate_method=value, readonly=True, **kwargs)


def export_resource(model, columns, *, name, select_related=(), prefetch_related=()):
    """A resource exporting `columns` — (header, value of an object) pairs — of `model`."""
    attrs = {f"column_{index}": column(header, value) for index, (header, value) in
             enumerate(columns)}
    names = tuple(attrs)
    attrs["Meta"] = type("Meta", (), {"model": model, "fields": names, "export_order": names})
    attrs["export_select_related"] = tuple(select_related)
    attrs["export_prefetch_related"] = tuple(prefetch_related)
    attrs["__module__"] = __name__
    return type(name, (ExportResource,), attrs)


def label(model, field_name):
    """The column header of a model field: its verbose name, capitalised."""
    return capfirst(model._meta.get_field(field_name).verbose_name)


def local_date(value):
    return timezone.localtime(value).date() if value else None


def filename_slug(text) -> str:
    """`text` for a file name: "wspólne działania" → "wspolne-dzialania"."""
    return slugify(fold(text))


def choice_label(obj, field_name) -> str:
    return str(getattr(obj, f"get_{field_name}_display")()) if getattr(obj, field_name) else ""


# --- admin --------------------------------------------------------------------------------------


class _Spreadsheets:
    """CSV and XLSX only; the exported rows are those of the changelist as filtered."""

    export_form_class = ExportForm

    @property
    def formats(self):
        return FORMATS

    def get_export_filename(self, request, queryset, file_format):
        name = filename_slug(self.model._meta.verbose_name_plural) or self.model._meta.model_name
        return f"{name}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"


class SpreadsheetExportMixin(_Spreadsheets, ExportMixin):
    """The button "Export" on the changelist: the filtered rows as CSV or XLSX."""


class SpreadsheetImportForm(ImportForm):
    """The import form: a file over MAX_FILE_BYTES is refused before it is stored or read."""

    def clean_import_file(self):
        import_file = self.cleaned_data["import_file"]
        if import_file.size > MAX_FILE_BYTES:
            raise forms.ValidationError(str(file_too_big(import_file.size)))
        return import_file


class SpreadsheetImportExportMixin(_Spreadsheets, ImportExportMixin):
    """Import with a preview and all-or-nothing saving, and export (see the module)."""

    import_template_name = "admin/prb_import.html"
    import_form_class = SpreadsheetImportForm

    def has_import_permission(self, request):
        """Importing adds and changes rows: it needs both permissions."""
        opts = self.opts
        return all(
            request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
            for action in ("add", "change")
        )

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, FileProblem):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file",
                _(
                    "The file cannot be read in the format chosen. Check that the format "
                    "matches the file (csv or xlsx)."
                ),
            )

    def import_context(self, request):
        resource_class = self.get_import_resource_classes(request)[0]
        return {
            "column_help": resource_class.column_help,
            "match_help": resource_class.match_help,
            "fields_list": [
                (
                    resource_class.get_display_name(),
                    [f.column_name for f in resource_class().import_fields()],
                )
            ],
        }

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        if isinstance(response, TemplateResponse):
            response.context_data.update(self.import_context(request))
        return response

    def process_dataset(self, dataset, form, request, **kwargs):
        """The confirmed import: one transaction, rolled back when any row has a problem (the
        data may have changed since the preview)."""
        return super().process_dataset(
            dataset, form, request, rollback_on_validation_errors=True, **kwargs
        )

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                _("Nothing was imported: the file has problems, listed below."),
            )
            form_class = self.get_import_form_class(request)
            form = form_class(self.get_import_formats(), self.get_import_resource_classes(request))
            context = {
                **self.admin_site.each_context(request),
                "title": _("Import"),
                "form": form,
                "opts": self.model._meta,
                "media": self.media + form.media,
                "result": result,
                "import_error_display": self.import_error_display,
                **self.import_context(request),
            }
            request.current_app = self.admin_site.name
            return TemplateResponse(request, [self.import_template_name], context)
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            _(
                "Imported %(things)s: added: %(new)d, updated: %(updated)d, "
                "unchanged: %(skipped)d."
            )
            % {
                "things": self.model._meta.verbose_name_plural,
                "new": totals[RowResult.IMPORT_TYPE_NEW],
                "updated": totals[RowResult.IMPORT_TYPE_UPDATE],
                "skipped": totals[RowResult.IMPORT_TYPE_SKIP],
            },
        )
        for note in getattr(result, "notes", []):
            messages.info(request, note)


def accounts_note(count) -> str:
    return ngettext(
        "%(count)d new account was created without a password: send the invitation from the "
        "People page.",
        "%(count)d new accounts were created without a password: send the invitations from the "
        "People page.",
        count,
    ) % {"count": count}

