"""Uploaded documents: checked by their content, not their name; at most 10 MB; stored under a
name the server makes, in the storage `private` of settings.STORAGES."""

import datetime
import io
import uuid

from django import forms
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files import File
from django.core.files.storage import storages
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
# The largest request with files that is read at all: five files of 10 MB and the form. The
# reverse proxy's limit (README, "Uploaded files") is the same.
MAX_REQUEST_BYTES = (MAX_FILES + 1) * MAX_UPLOAD_BYTES

# The first bytes of each accepted kind of file, and its content type and extension.
SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
]
EXTENSIONS = {content_type: extension for _magic, content_type, extension in SIGNATURES}
# Shown in the browser; every other accepted type is downloaded.
INLINE_TYPES = {"image/jpeg", "image/png"}


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


def extension_of(content_type: str) -> str:
    """The extension of a stored file's checked type (`bin` for any other)."""
    return EXTENSIONS.get(content_type, "bin")


def private_storage():
    """The storage of uploaded documents: settings.STORAGES["private"] (local disk or an
    S3-compatible bucket), never served by URL."""
    return storages["private"]


def _server_name(folder: str, content_type: str) -> str:
    return f"{folder}/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{extension_of(content_type)}"


def meeting_file_name(attachment, _uploaded_name):
    """`meetings/<year>/<month>/<random>.<extension of the checked type>`: nothing of the
    uploader's name reaches the storage (it is kept in `original_name`)."""
    return _server_name("meetings", attachment.content_type)


def agreement_file_name(agreement, _uploaded_name):
    """`agreements/<year>/<month>/<random>.<extension of the checked type>`."""
    return _server_name("agreements", agreement.document_type)


class TooLargeUpload(UploadedFile):
    """What is left of a file that passed 10 MB: its name and full size, no content."""

    def __init__(self, name, content_type, size, charset):
        super().__init__(io.BytesIO(), name, content_type, size, charset)


class SizeLimitUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS. A request with files over MAX_REQUEST_BYTES is refused
    before its body is read (RequestDataTooBig: 400). A file passes no byte beyond 10 MB to
    the handlers after it — what they had is dropped — and is only counted to its end, so that
    the form says its size next to the field (`validate_document`) and the other fields of
    the form are kept."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > MAX_REQUEST_BYTES:
            raise RequestDataTooBig(
                f"Request body of {content_length} bytes exceeds {MAX_REQUEST_BYTES}."
            )

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        was_too_large = self.received > MAX_UPLOAD_BYTES
        self.received += len(raw_data)
        if self.received <= MAX_UPLOAD_BYTES:
            return raw_data
        if not was_too_large:
            self._drop_what_the_others_hold()
        return None

    def file_complete(self, file_size):
        if self.received > MAX_UPLOAD_BYTES:
            return TooLargeUpload(self.file_name, self.content_type, file_size, self.charset)
        return None

    def _drop_what_the_others_hold(self):
        for handler in getattr(self.request, "upload_handlers", ()):
            if handler is not self and getattr(handler, "file", None) is not None:
                handler.file.close()  # a temporary file is deleted when closed


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PendingUploadsWidget:
    """A file input that first lists the files kept from the previous try (`pending`), each
    with its id (sent back, so that the form uses it) and a box to remove it."""

    pending = ()

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        if not self.pending:
            return html
        items = format_html_join(
            "",
            '<li class="pending-upload"><input type="hidden" name="{0}-pending" value="{1}">'
            '<span class="pending-upload__name">{2}</span> '
            '<span class="pending-upload__remove"><input type="checkbox" name="{0}-pending-remove"'
            ' value="{1}" id="id_{0}-pending-remove-{1}">'
            '<label for="id_{0}-pending-remove-{1}">{3}<span class="visually-hidden"> {4}'
            "</span></label></span></li>",
            (
                (
                    name,
                    pending.pk,
                    gettext("attached: %(name)s ✓") % {"name": pending.original_name},
                    gettext("remove this file"),
                    pending.original_name,
                )
                for pending in self.pending
            ),
        )
        return format_html(
            '<ul class="pending-uploads" aria-label="{}">{}</ul>{}',
            gettext("Files kept from the previous try"), items, html,
        )


class PendingFileInput(PendingUploadsWidget, forms.ClearableFileInput):
    pass


class PendingMultipleFileInput(PendingUploadsWidget, MultipleFileInput):
    pass


class DocumentsField(forms.FileField):
    """Up to five photos or PDFs, each checked by `validate_document`."""

    widget = PendingMultipleFileInput(
        attrs={"accept": "image/jpeg,image/png,application/pdf"}
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_FILES:
            raise ValidationError(
                ngettext(
                    "Attach at most %(count)d file.", "Attach at most %(count)d files.", MAX_FILES
                ),
                params={"count": MAX_FILES},
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


# ----- Pending uploads: nothing chosen is lost when a form comes back with errors -----
#
# A photo or scan that passed the checks above, in a form refused for another reason, is kept
# as a `PendingUpload` of the person who chose it, under the form's one-time token (the hidden
# `submission_token`), in the private storage. The form shown again lists it ("attached:
# lista.jpg ✓", with a box to remove it) and sends its id back; the corrected form saves it
# with the record. Only the pending uploads of the signed-in person, of the token sent and
# listed by the form are used: another person's token or id gives nothing. They are removed
# when used, when removed in the form, or after a day (`pending_cleanup`, run by the command
# `remove_pending_uploads`). They are never served: the form shows only their names.

PENDING_LIFETIME = datetime.timedelta(days=1)


def pending_file_name(pending, _uploaded_name):
    """`pending/<year>/<month>/<random>.<extension of the checked type>`."""
    return _server_name("pending", pending.content_type)


def _pending_model():
    from partnerships.models import PendingUpload  # the models import this module

    return PendingUpload


def pending_of(*, user, token, ids):
    """The pending uploads `ids` (as sent by a form) that `user` chose in the form `token`."""
    wanted = [int(i) for i in ids if str(i).isdigit()]
    if token is None or not wanted or not getattr(user, "is_authenticated", False):
        return []
    return list(_pending_model().objects.filter(user=user, token=token, pk__in=wanted))


def pending_keep(*, user, token, files) -> list:
    """Keep the checked `files` (already through `validate_document`) of a refused form."""
    if token is None or not files:
        return []
    model = _pending_model()
    kept = []
    for upload in files:
        pending = model(
            user=user,
            token=token,
            content_type=upload.sniffed_type,
            original_name=upload.name[:200],
            size=upload.size,
        )
        upload.seek(0)
        pending.file = upload
        pending.save()
        kept.append(pending)
    return kept


def pending_discard(pending_uploads) -> None:
    """Remove pending uploads and their files (used, removed in the form, or too old)."""
    for pending in pending_uploads:
        pending.file.delete(save=False)
        pending.delete()


def pending_as_upload(pending) -> File:
    """A pending upload as the services take a checked upload: its file (open for reading),
    named as chosen, with its checked type and size."""
    upload = File(pending.file.storage.open(pending.file.name, "rb"), name=pending.original_name)
    upload.sniffed_type = pending.content_type
    upload.size = pending.size
    return upload


def pending_cleanup(*, now=None) -> int:
    """Remove the pending uploads chosen more than a day ago; how many were removed."""
    now = now or timezone.now()
    old = list(_pending_model().objects.filter(created_at__lt=now - PENDING_LIFETIME))
    pending_discard(old)
    return len(old)
