"""Helpers of the import and export tests: upload a file in the admin, read the preview, confirm."""

import csv
import io
from pathlib import Path

import openpyxl
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

SAMPLES = Path(settings.BASE_DIR) / "docs" / "samples"
FORMATS = {"csv": "0", "xlsx": "1"}  # the order of prb_partnerships.importexport.FORMATS


def sample(name) -> bytes:
    return (SAMPLES / name).read_bytes()


def csv_bytes(rows, *, encoding="utf-8", delimiter=",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def preview(client, model, content, name="import.csv", fmt=None):
    """Upload `content` on the import page of `model` ("app.model"): the preview or problems."""
    app, model_name = model.split(".")
    fmt = fmt or name.rsplit(".", 1)[-1]
    return client.post(
        reverse(f"admin:{app}_{model_name}_import"),
        {"resource": "0", "format": FORMATS[fmt], "import_file": SimpleUploadedFile(name, content)},
    )


def confirm(client, model, response):
    """Confirm the import previewed in `response`."""
    app, model_name = model.split(".")
    form = response.context["confirm_form"]
    return client.post(reverse(f"admin:{app}_{model_name}_process_import"), form.initial)


def import_file(client, model, content, name="import.csv", fmt=None):
    """Preview then confirm; the preview must show no problem."""
    response = preview(client, model, content, name, fmt)
    assert response.status_code == 200
    assert problems(response) == [], problems(response)
    assert response.context.get("confirm_form"), response.context["form"].errors
    return confirm(client, model, response)


def problems(response):
    """The problems listed on the page, as (row, column); row None: the whole file."""
    result = response.context.get("result")
    found = [(p.row, p.column) for p in getattr(result, "problems", [])]
    content = response.content.decode()
    for row, column in found:  # the page shows them
        assert row is None or f"<td>{row}</td>" in content
        assert column is None or column in content
    return found


def file_error(response) -> str:
    """The error shown next to the file field (a file that cannot be read)."""
    return " ".join(response.context["form"].errors.get("import_file", []))


def read_csv(content: bytes):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def read_xlsx(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))
