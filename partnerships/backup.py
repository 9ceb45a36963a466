"""One round in one file: `round_export` writes it, `round_import` restores it.

The archive is a ZIP holding
- `manifest.json`: the format and its version, when and from which round it was written, the
  number of records of each model, the SHA-256 of `records.json`, and every uploaded file
  (its model, record, field, name in the storage, size and SHA-256);
- `records.json`: every record of the round, model by model in the order they are restored —
  the voivodeships referenced, the user accounts (librarians of the round's libraries, the
  animators assigned in the round, their experts, the coordinators and anyone a record names,
  with their role groups, e-mail addresses and password hashes, so that people sign in with
  their own passwords after a restore; no sessions), the libraries, the round, its
  partnerships, the animators, assignments, partners, meetings with the partners present,
  attachments, agreements with their signatories, milestones, joint actions with their
  partners, and what keeps people from being e-mailed twice (reminders and digests sent,
  notification preferences, account events);
- `files/…`: the uploaded files of those records (meeting attachments, agreement scans).

The change history (django-simple-history) is not in the archive: a restore records each
record once more as created (a history row written with it by `bulk_create_with_history`,
with the reason `RESTORED`), and the many-to-many fields it sets as changed; the whole
history comes back only with a dump of the whole database (README, "Backups").

`round_import` restores into a database without the round and its libraries (after
`migrate`), in one transaction: new primary keys, every relation mapped to them; accounts that
already exist under the same username are kept as they are and used. Files are checked against
their SHA-256 before anything is written, saved through the storage of their model field and
checked again once stored; if anything fails, nothing stays in the database nor in the storage.
"""

import datetime
import hashlib
import json
import os
import zipfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from animators.models import AccountEvent, Animator
from libraries.models import Library, Voivodeship
from partnerships.models import (
    Agreement,
    Assignment,
    JointAction,
    Meeting,
    MeetingAttachment,
    Milestone,
    NotificationPreference,
    Partner,
    Partnership,
    Round,
    SentDigest,
    SentReminder,
)
from prb_partnerships import freshness
from prb_partnerships.roles import Role

FORMAT = "prb-round-archive"
VERSION = 1
MANIFEST = "manifest.json"
RECORDS = "records.json"
FILES = "files"
# The history reason of every record written by a restore (at most 100 characters).
RESTORED = "Restored from a round archive"

User = get_user_model()

# The user fields kept (no sessions, no per-user permissions: the roles are the groups).
USER_FIELDS = [
    "username",
    "email",
    "first_name",
    "last_name",
    "password",
    "is_active",
    "is_staff",
    "is_superuser",
    "last_login",
    "date_joined",
]

# The models in the order they are restored: each refers only to those before it.
ORDER = [
    Voivodeship,
    User,
    EmailAddress,
    Library,
    Round,
    Partnership,
    Animator,
    Assignment,
    Partner,
    Meeting,
    MeetingAttachment,
    Agreement,
    Milestone,
    JointAction,
    SentReminder,
    SentDigest,
    NotificationPreference,
    AccountEvent,
]
# The uploaded files: model → its file field.
FILE_FIELDS = {MeetingAttachment: "file", Agreement: "document"}
CHUNK = 1024 * 1024


class _Encoder(DjangoJSONEncoder):
    """Dates and times to the microsecond (DjangoJSONEncoder keeps only milliseconds)."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class ArchiveError(Exception):
    """The round cannot be exported, or the archive cannot be restored (the message says why)."""


def _label(model) -> str:
    return model._meta.label_lower


@dataclass
class ImportResult:
    round: Round
    counts: Counter = field(default_factory=Counter)
    files: int = 0
    accounts_kept: int = 0


# ----- Export -----------------------------------------------------------------------------


def _rows(queryset, **options) -> list[dict]:
    """The records as Django's serializer gives them: {"model", "pk", "fields"}, foreign keys
    and many-to-many fields as the related records' keys."""
    return serializers.serialize("python", queryset.order_by("pk"), **options)


def _user_keys(model, rows) -> set:
    """The user ids named by the foreign keys and many-to-many fields of `rows`."""
    names = [
        f.name for f in model._meta.get_fields()
        if f.concrete and f.is_relation and f.related_model is User
    ]
    keys = set()
    for row in rows:
        for name in names:
            value = row["fields"].get(name)
            if isinstance(value, list):
                keys.update(value)
            elif value is not None:
                keys.add(value)
    return keys


def _records(round_) -> dict[type, list[dict]]:
    partnerships = Partnership.objects.filter(round=round_)
    libraries = Library.objects.filter(partnerships__round=round_)
    animators = Animator.objects.filter(assignments__partnership__round=round_).distinct()
    records = {
        Library: _rows(libraries),
        Round: _rows(Round.objects.filter(pk=round_.pk)),
        Partnership: _rows(partnerships),
        Animator: _rows(animators),
        Assignment: _rows(Assignment.objects.filter(partnership__round=round_)),
        Partner: _rows(Partner.objects.filter(partnership__round=round_)),
        Meeting: _rows(Meeting.objects.filter(partnership__round=round_)),
        MeetingAttachment: _rows(
            MeetingAttachment.objects.filter(meeting__partnership__round=round_)
        ),
        Agreement: _rows(Agreement.objects.filter(partnership__round=round_)),
        Milestone: _rows(Milestone.objects.filter(partnership__round=round_)),
        JointAction: _rows(JointAction.objects.filter(partnership__round=round_)),
        SentReminder: _rows(SentReminder.objects.filter(partnership__round=round_)),
    }
    users = set(
        User.objects.filter(
            Q(libraries__in=libraries)
            | Q(animator__in=animators)
            | Q(supervised_animators__in=animators)
            | Q(groups__name=Role.COORDINATOR)
            | Q(is_superuser=True)
        ).values_list("pk", flat=True)
    )
    for model, rows in records.items():
        users |= _user_keys(model, rows)
    records[SentDigest] = _rows(SentDigest.objects.filter(recipient__in=users))
    records[NotificationPreference] = _rows(
        NotificationPreference.objects.filter(user__in=users)
    )
    records[AccountEvent] = _rows(AccountEvent.objects.filter(user__in=users))
    users |= _user_keys(AccountEvent, records[AccountEvent])

    records[User] = _rows(User.objects.filter(pk__in=users), fields=USER_FIELDS)
    groups = {}
    for user_id, name in User.groups.through.objects.filter(user__in=users).values_list(
        "user_id", "group__name"
    ):
        groups.setdefault(user_id, []).append(name)
    for row in records[User]:
        row["groups"] = sorted(groups.get(row["pk"], []))
    records[EmailAddress] = _rows(EmailAddress.objects.filter(user__in=users))

    codes = {row["fields"]["voivodeship"] for row in records[Library]}
    ids = {pk for row in records[Animator] for pk in row["fields"]["voivodeships"]}
    records[Voivodeship] = _rows(Voivodeship.objects.filter(Q(code__in=codes) | Q(pk__in=ids)))
    return {model: records[model] for model in ORDER}


def _file_entries(records) -> list[dict]:
    """One entry per uploaded file: where it is in the storage and in the archive."""
    entries = []
    for model, field_name in FILE_FIELDS.items():
        for row in records[model]:
            name = row["fields"][field_name]
            if name:
                entries.append(
                    {
                        "model": _label(model),
                        "pk": row["pk"],
                        "field": field_name,
                        "name": name,
                        "archive_path": (
                            f"{FILES}/{len(entries) + 1:05d}/{PurePosixPath(name).name}"
                        ),
                    }
                )
    return entries


def _copy_file(model, entry, archive) -> None:
    """Stream one stored file into the archive, recording its size and SHA-256."""
    storage = model._meta.get_field(entry["field"]).storage
    digest, size = hashlib.sha256(), 0
    try:
        source = storage.open(entry["name"], "rb")
    except FileNotFoundError as exc:
        raise ArchiveError(
            f"The file {entry['name']!r} of {entry['model']} #{entry['pk']} is missing from "
            "the storage; the round cannot be archived whole."
        ) from exc
    with source, archive.open(entry["archive_path"], "w", force_zip64=True) as target:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    entry["size"] = size
    entry["sha256"] = digest.hexdigest()


def round_export(*, round_, output) -> dict:
    """Write the archive of `round_` to the path `output` (created, never overwritten, readable
    by its owner only: it holds personal data and password hashes). Returns the manifest."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # One snapshot for every query: the round as it stood at one moment.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        records = _records(round_)
        entries = _file_entries(records)
        payload = json.dumps(
            {_label(model): rows for model, rows in records.items()},
            cls=_Encoder,
            ensure_ascii=False,
        ).encode()
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "round": {"pk": round_.pk, "name": round_.name},
            "counts": {_label(model): len(rows) for model, rows in records.items()},
            "records_sha256": hashlib.sha256(payload).hexdigest(),
            "files": entries,
        }
        try:
            descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as exc:
            raise ArchiveError(f"{output} already exists; choose another file.") from exc
        try:
            with (
                os.fdopen(descriptor, "wb") as stream,
                zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive,
            ):
                archive.writestr(RECORDS, payload)
                for entry in entries:
                    _copy_file(_model(entry["model"]), entry, archive)
                archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        except BaseException:
            os.remove(output)
            raise
    return manifest


# ----- Import -----------------------------------------------------------------------------

MODELS = {_label(model): model for model in ORDER}


def _model(label):
    try:
        return MODELS[label]
    except KeyError as exc:
        raise ArchiveError(f"The archive names an unknown model {label!r}.") from exc


def _read(archive) -> tuple[dict, dict]:
    """The manifest and the records, checked: format, version, checksum, file names."""
    try:
        manifest = json.loads(archive.read(MANIFEST))
        payload = archive.read(RECORDS)
    except KeyError as exc:
        raise ArchiveError(f"Not a round archive: {exc.args[0]}") from exc
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise ArchiveError(
            f"Not a round archive of version {VERSION} (format {manifest.get('format')!r}, "
            f"version {manifest.get('version')!r})."
        )
    if hashlib.sha256(payload).hexdigest() != manifest["records_sha256"]:
        raise ArchiveError("The records do not match their checksum: the archive is damaged.")
    records = json.loads(payload)
    for label, rows in records.items():
        if len(rows) != manifest["counts"].get(label):
            raise ArchiveError(f"The number of {label} records does not match the manifest.")
    for entry in manifest["files"]:
        path = PurePosixPath(entry["name"])
        if path.is_absolute() or ".." in path.parts:
            raise ArchiveError(f"Refused: the file name {entry['name']!r} leaves the storage.")
        _check_file(archive, entry)
    return manifest, records


def _check_file(archive, entry) -> None:
    digest = hashlib.sha256()
    try:
        with archive.open(entry["archive_path"]) as source:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
    except KeyError as exc:
        raise ArchiveError(f"The file {_which(entry)} is missing from the archive.") from exc
    if digest.hexdigest() != entry["sha256"]:
        raise ArchiveError(
            f"The file {_which(entry)} does not match its checksum: the archive is damaged."
        )


def _which(entry) -> str:
    return f"{entry['name']!r} of {entry['model']} #{entry['pk']}"


def _refuse_existing(records) -> None:
    names = [row["fields"]["name"] for row in records[_label(Round)]]
    if Round.objects.filter(name__in=names).exists():
        raise ArchiveError(
            f"The database already holds the round {names[0]!r}: import_round restores a round "
            "into a database without it (and without its libraries)."
        )
    tercs = [row["fields"]["terc"] for row in records[_label(Library)]]
    existing = sorted(Library.objects.filter(terc__in=tercs).values_list("terc", flat=True))
    if existing:
        raise ArchiveError(
            f"The database already holds {len(existing)} of the round's libraries (TERC "
            f"{', '.join(existing[:5])}{' …' if len(existing) > 5 else ''}): import_round "
            "restores a round into a database without them."
        )
    for row in records[_label(User)]:
        fields = row["fields"]
        if (
            fields["email"]
            and User.objects.filter(email__iexact=fields["email"])
            .exclude(username=fields["username"])
            .exists()
        ):
            raise ArchiveError(
                f"Another account already uses the e-mail {fields['email']}: remove it or "
                "restore into an empty database."
            )


@contextmanager
def _timestamps_as_stored():
    """Keep the stored `created_at`, `updated_at` … instead of the time of the restore."""
    switched = [
        (f, f.auto_now, f.auto_now_add)
        for model in ORDER
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for f, _now, _now_add in switched:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in switched:
            f.auto_now, f.auto_now_add = now, now_add


class _Restorer:
    """Writes the records one by one with `save()` (so the history records the restore),
    keeping a map old key → new key per model for the relations."""

    def __init__(self, archive, manifest):
        self.archive = archive
        self.keys = {model: {} for model in ORDER}
        self.files = {(e["model"], e["pk"], e["field"]): e for e in manifest["files"]}
        self.saved = []  # (storage, name) of the files written, removed if the restore fails
        self.result = ImportResult(round=None)

    def existing(self, model, fields):
        """The record already in the database that the archive's record stands for, if any."""
        if model is Voivodeship:
            return Voivodeship.objects.filter(code=fields["code"]).first()
        if model is User:
            return User.objects.filter(username=fields["username"]).first()
        if model is EmailAddress:
            return EmailAddress.objects.filter(
                Q(email__iexact=fields["email"]) | Q(user_id=self.key(User, fields["user"]))
            ).first()
        if model is Animator:
            return Animator.objects.filter(user_id=self.key(User, fields["user"])).first()
        if model is NotificationPreference:
            return NotificationPreference.objects.filter(
                user_id=self.key(User, fields["user"])
            ).first()
        if model is SentDigest:
            return SentDigest.objects.filter(
                recipient_id=self.key(User, fields["recipient"]), week=fields["week"]
            ).first()
        return None

    def key(self, model, old):
        if old is None:
            return None
        try:
            return self.keys[model][old]
        except KeyError as exc:
            raise ArchiveError(
                f"The archive refers to {_label(model)} #{old}, which it does not hold."
            ) from exc

    def restore(self, model, rows) -> None:
        """Write the new records of `model`: those of an audited model in bulk with one history
        row each (`bulk_create_with_history`, reason RESTORED), the others one by one."""
        new = []
        for row in rows:
            found = self.existing(model, row["fields"])
            if found is not None:
                self.keys[model][row["pk"]] = found.pk
                if model is User:
                    self.result.accounts_kept += 1
            else:
                new.append((row, self.build(model, row)))
        objs = [obj for _row, obj in new]
        freshness.bump()  # bulk_create sends no signals
        if hasattr(model, "history"):
            bulk_create_with_history(
                objs, model, batch_size=500, default_change_reason=RESTORED
            )
        else:
            for obj in objs:
                obj.save()
        for row, obj in new:
            self.keys[model][row["pk"]] = obj.pk
        for row, obj in new:
            for f in model._meta.many_to_many:
                values = row["fields"].get(f.name)
                if values:  # each set() is recorded in the history of audited models
                    getattr(obj, f.name).set([self.key(f.related_model, v) for v in values])
            if model is User and row["groups"]:
                obj.groups.set(
                    [Group.objects.get_or_create(name=name)[0] for name in row["groups"]]
                )
        self.result.counts[_label(model)] += len(new)

    def build(self, model, row):
        """The unsaved record of `row`, its relations mapped to the new keys, its file stored."""
        obj = model()
        for name, value in row["fields"].items():
            f = model._meta.get_field(name)
            if f.many_to_many:
                continue
            if f.is_relation:
                target = f.related_model
                if f.target_field.name != target._meta.pk.name:  # the voivodeship's code
                    setattr(obj, f.attname, value)
                elif value is not None and value not in self.keys[target] and f.null:
                    setattr(obj, f.attname, None)  # a person not in the archive
                else:
                    setattr(obj, f.attname, self.key(target, value))
            else:
                setattr(obj, f.attname, f.to_python(value))
        self.restore_file(model, row["pk"], obj)
        return obj

    def restore_file(self, model, old_pk, obj) -> None:
        field_name = FILE_FIELDS.get(model)
        entry = field_name and self.files.get((_label(model), old_pk, field_name))
        if not entry:
            return
        storage = model._meta.get_field(field_name).storage
        with self.archive.open(entry["archive_path"]) as source:
            name = storage.save(entry["name"], File(source, name=entry["name"]))
        self.saved.append((storage, name))
        digest = hashlib.sha256()
        with storage.open(name, "rb") as stored:
            while chunk := stored.read(CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != entry["sha256"]:
            raise ArchiveError(f"The file {_which(entry)} was not stored intact.")
        setattr(obj, field_name, name)
        self.result.files += 1


def round_import(*, path) -> ImportResult:
    """Restore the round archived in the file `path` (see the module's docstring)."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ArchiveError(f"{path} cannot be read as a ZIP archive: {exc}") from exc
    with archive:
        manifest, records = _read(archive)
        for label in records:
            _model(label)
        restorer = _Restorer(archive, manifest)
        try:
            with transaction.atomic(), _timestamps_as_stored():
                _refuse_existing(records)
                for model in ORDER:
                    restorer.restore(model, records.get(_label(model), []))
                restorer.result.round = Round.objects.get(
                    pk=restorer.key(Round, manifest["round"]["pk"])
                )
        except BaseException:
            for storage, name in restorer.saved:
                storage.delete(name)
            raise
    return restorer.result


def default_output(round_) -> str:
    return f"round-{round_.pk}-{datetime.date.today():%Y-%m-%d}.zip"
