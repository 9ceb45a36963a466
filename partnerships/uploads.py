"""Uploaded documents: checked by their content, not their name; at most 10 MB."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_FILES = 5

# The first bytes of each accepted kind of file, and its content type and extension.
SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
]


def sniff(upload) -> tuple[str, str] | None:
    """(content type, extension) of an accepted file, read from its first bytes; else None."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def validate_document(upload):
    """Refuse files over 10 MB and anything that is not really a JPEG, PNG or PDF; tag the
    upload with `sniffed_type` for storage."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("%(name)s is %(size).1f MB; the limit is 10 MB."),
            params={"name": upload.name, "size": upload.size / 1024 / 1024},
            code="too_large",
        )
    sniffed = sniff(upload)
    if sniffed is None:
        raise ValidationError(
            _("%(name)s is not a JPEG or PNG photo nor a PDF document."),
            params={"name": upload.name},
            code="wrong_type",
        )
    upload.sniffed_type = sniffed[0]
    return upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """Up to five photos or PDFs, each checked by `validate_document`."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_FILES:
            raise ValidationError(
                _("Attach at most %(count)d files at once."), params={"count": MAX_FILES}
            )
        cleaned = [super(DocumentsField, self).clean(f, initial) for f in files]
        errors = []
        for upload in cleaned:
            try:
                validate_document(upload)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned
