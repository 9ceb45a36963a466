"""`export_round` writes the demo round and its files into one archive; `import_round` restores
it into an empty database with every record, relation and file as it was."""

import hashlib
import json
import zipfile
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from animators.models import Animator
from libraries.models import Library, Voivodeship
from partnerships import backup
from partnerships.models import Agreement, Meeting, MeetingAttachment, Milestone, Partnership
from tests.conftest import DEMO_TODAY

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="empties tables by TRUNCATE"),
]
User = get_user_model()

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
# The tables `migrate` fills (voivodeships, role groups, permissions): kept when emptying.
REFERENCE = [Voivodeship, Group, Permission, ContentType, Group.permissions.through]


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def demo_round():
    """The demo round, with a photo of an attendance list and an agreement's scan."""
    call_command("seed_demo", f"--today={DEMO_TODAY}", "--password=demo", stdout=StringIO())
    meeting = Meeting.objects.filter(partners_present__isnull=False).order_by("pk").first()
    MeetingAttachment.objects.create(
        meeting=meeting,
        file=ContentFile(JPEG, name="lista.jpg"),
        content_type="image/jpeg",
        original_name="lista obecności.jpg",
        size=len(JPEG),
    )
    agreement = Agreement.objects.order_by("pk").first()
    agreement.document = ContentFile(PDF, name="porozumienie.pdf")
    agreement.document_type = "application/pdf"
    agreement.save()
    return Partnership.objects.get(pk=meeting.partnership_id).round


def counts() -> dict:
    """The number of records of every table but those of the history and the sessions."""
    models = [m for m in backup.ORDER if m is not Voivodeship]
    tables = {m._meta.label: m.objects.count() for m in models}
    for model in models:
        for field in model._meta.many_to_many:
            tables[field.remote_field.through._meta.label] = (
                field.remote_field.through.objects.count()
            )
    tables["groups of users"] = User.groups.through.objects.count()
    return tables


def stored_files() -> dict:
    """original name / partnership → SHA-256 of the file as the storage gives it back."""
    files = {}
    for attachment in MeetingAttachment.objects.select_related("meeting"):
        with attachment.file.open("rb") as f:
            files[attachment.original_name] = hashlib.sha256(f.read()).hexdigest()
    for agreement in Agreement.objects.exclude(document="").select_related("partnership__library"):
        with agreement.document.open("rb") as f:
            files[agreement.partnership.library.terc] = hashlib.sha256(f.read()).hexdigest()
    return files


def relations() -> dict:
    """What people see of the round, by natural keys (the ids change in a restore)."""
    active = {
        p.library.terc: p.active_assignment.animator.user.email
        for p in Partnership.objects.select_related("library").with_active_assignment()
        if p.active_assignment
    }
    present = {
        (m.partnership.library.terc, m.date, m.kind, m.summary): sorted(
            p.name for p in m.partners_present.all()
        )
        for m in Meeting.objects.select_related("partnership__library").prefetch_related(
            "partners_present"
        )
    }
    milestones = sorted(
        (m.partnership.library.terc, m.stage, m.reached_on, m.meeting.date if m.meeting else None)
        for m in Milestone.objects.select_related("partnership__library", "meeting")
    )
    librarians = sorted(Library.objects.values_list("terc", "librarians__email"))
    experts = sorted(Animator.objects.values_list("user__email", "expert__email"))
    roles = sorted(User.objects.values_list("email", "groups__name"))
    created = sorted(Meeting.objects.values_list("created_at", flat=True))
    return {
        "active animator": active,
        "partners present": present,
        "milestones": milestones,
        "librarians": librarians,
        "experts": experts,
        "roles": roles,
        "meetings logged at": created,
    }


def empty_database():
    """Everything but what `migrate` loads is gone, as on a new server; so are the files."""
    for attachment in MeetingAttachment.objects.all():
        attachment.file.delete(save=False)
    for agreement in Agreement.objects.exclude(document=""):
        agreement.document.delete(save=False)
    keep = {model._meta.db_table for model in REFERENCE}
    tables = [
        connection.ops.quote_name(table)
        for table in connection.introspection.django_table_names(only_existing=True)
        if table not in keep
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert not User.objects.exists() and not Library.objects.exists()


def files_on_disk(tmp_path) -> list:
    return sorted(p.name for p in (tmp_path / "private").rglob("*") if p.is_file())


def export(round_, path) -> str:
    out = StringIO()
    call_command("export_round", str(round_.pk), f"--output={path}", stdout=out)
    return out.getvalue()


def test_the_demo_round_comes_back_whole_after_an_empty_database(demo_round, tmp_path, client):
    before = counts(), stored_files(), relations()
    archive = tmp_path / "runda.zip"

    said = export(demo_round, archive)
    empty_database()
    out = StringIO()
    call_command("import_round", str(archive), stdout=out)

    assert (counts(), stored_files(), relations()) == before
    assert before[0]["auth.User"] == 165 and len(before[1]) == 2
    assert "2 files written" in said
    assert "Round 'Runda II 2026' restored with 2 files" in out.getvalue()
    # People sign in with their own passwords again.
    assert client.login(username="animator01@example.org", password="demo")


def test_the_archive_lists_every_file_with_its_checksum(demo_round, tmp_path):
    archive = tmp_path / "runda.zip"
    export(demo_round, archive)

    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        checksums = {
            hashlib.sha256(zf.read(entry["archive_path"])).hexdigest()
            for entry in manifest["files"]
        }
    assert checksums == {hashlib.sha256(JPEG).hexdigest(), hashlib.sha256(PDF).hexdigest()}
    assert {e["sha256"] for e in manifest["files"]} == checksums
    assert manifest["counts"]["partnerships.meeting"] == Meeting.objects.count()
    assert archive.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only


def test_a_database_that_holds_the_round_is_refused_and_left_as_it_was(demo_round, tmp_path):
    archive = tmp_path / "runda.zip"
    export(demo_round, archive)
    before = counts(), stored_files(), files_on_disk(tmp_path)

    with pytest.raises(CommandError, match="already holds the round 'Runda II 2026'"):
        call_command("import_round", str(archive), stdout=StringIO())

    assert (counts(), stored_files(), files_on_disk(tmp_path)) == before


def test_a_damaged_file_in_the_archive_restores_nothing(demo_round, tmp_path):
    archive, damaged = tmp_path / "runda.zip", tmp_path / "uszkodzone.zip"
    export(demo_round, archive)
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data.replace(b"%%EOF", b"%%EOX"))
    empty_database()

    damaged_scan = "of partnerships.agreement #[0-9]+ does not match its checksum"
    with pytest.raises(CommandError, match=damaged_scan):
        call_command("import_round", str(damaged), stdout=StringIO())

    assert not Partnership.objects.exists() and not User.objects.exists()
    assert files_on_disk(tmp_path) == []
