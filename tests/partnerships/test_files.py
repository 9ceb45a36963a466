"""Uploaded files that cannot hurt: stored under names the server makes, served with their
checked type and headers that keep the browser from running them, cut off at 10 MB as they
arrive, removed from the storage when their record goes (and only then)."""

import datetime
import os
import re
import subprocess
import sys

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils import timezone

from partnerships import services
from partnerships.models import (
    Agreement,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    PendingUpload,
    Stage,
)
from partnerships.progress import StageOrderError
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 6, 15)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 200
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _today_and_storage(monkeypatch, settings, tmp_path):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    settings.MEDIA_ROOT = tmp_path / "private"


def storage():
    return MeetingAttachment._meta.get_field("file").storage


def stored_files(tmp_path):
    """Every file in the private storage's folder, relative to it."""
    root = tmp_path / "private"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def meeting_data(**overrides):
    return factories.meeting_post(
        kind=MeetingKind.VISIT, summary="Rozmowa o lokalnej diagnozie.", **overrides
    )


def log_meeting(client, library, *uploads):
    response = client.post(
        f"/libraries/{library.pk}/meetings/new/", meeting_data(attachments=list(uploads))
    )
    assert response.status_code == 302
    return MeetingAttachment.objects.order_by("pk").last()


def record_agreement(client, library, upload, signed_on="2026-06-05"):
    return client.post(f"/libraries/{library.pk}/agreement/", {
        "kind": "declaration", "signed_on": signed_on, "document": upload})


class TestStoredUnderServerNames:
    def test_a_jpeg_with_html_uploaded_as_html_is_a_jpeg_to_the_browser(self, client, animator,
                                                                        library):
        content = JPEG + b"<html><script>alert(document.cookie)</script></html>"
        client.force_login(animator.user)

        attachment = log_meeting(
            client, library, SimpleUploadedFile("photo.html", content, content_type="text/html")
        )

        assert re.fullmatch(r"meetings/2026/06/[0-9a-f]{32}\.jpg", attachment.file.name)
        assert attachment.original_name == "photo.html"  # kept only as data
        assert attachment.content_type == "image/jpeg"
        assert storage().open(attachment.file.name).read() == content
        response = client.get(f"/attachments/{attachment.pk}/")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["Content-Disposition"] == 'inline; filename="photo.jpg"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "sandbox"
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == content

    def test_a_pdf_is_downloaded_not_shown(self, client, animator, library):
        client.force_login(animator.user)
        attachment = log_meeting(
            client, library, SimpleUploadedFile("lista obecności.PDF.exe", PDF)
        )

        response = client.get(f"/attachments/{attachment.pk}/")

        assert re.fullmatch(r"meetings/2026/06/[0-9a-f]{32}\.pdf", attachment.file.name)
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment; ")
        assert "lista%20obecno%C5%9Bci.PDF.pdf" in response["Content-Disposition"]
        assert response["Content-Security-Policy"] == "sandbox"
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_a_stored_type_never_accepted_is_bytes_to_download(self, client, animator,
                                                               partnership):
        meeting = factories.MeetingFactory(partnership=partnership)
        attachment = MeetingAttachment.objects.create(
            meeting=meeting, file=ContentFile(b"<html></html>", name="a.html"),
            content_type="text/html", original_name="a.html", size=13,
        )
        client.force_login(animator.user)

        response = client.get(f"/attachments/{attachment.pk}/")

        assert attachment.file.name.endswith(".bin")
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"] == 'attachment; filename="a.bin"'

    def test_the_agreement_scan_is_named_after_the_library(self, client, animator, library,
                                                           partnership):
        factories.reach_stages(partnership, 4)
        client.force_login(animator.user)

        record_agreement(client, library, SimpleUploadedFile("umowa.pdf", PNG))

        agreement = Agreement.objects.get(partnership=partnership)
        assert re.fullmatch(r"agreements/2026/06/[0-9a-f]{32}\.png", agreement.document.name)
        response = client.get(f"/agreements/{agreement.pk}/document/")
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"] == (
            f'inline; filename="porozumienie-{library.pk}.png"'
        )
        assert response["Content-Security-Policy"] == "sandbox"
        assert b"".join(response.streaming_content) == PNG

    def test_outsiders_still_get_404(self, client, animator, library, partnership,
                                     other_animator, other_librarian):
        factories.reach_stages(partnership, 4)
        client.force_login(animator.user)
        attachment = log_meeting(client, library, SimpleUploadedFile("a.jpg", JPEG))
        record_agreement(client, library, SimpleUploadedFile("p.pdf", PDF))
        urls = [f"/attachments/{attachment.pk}/",
                f"/agreements/{Agreement.objects.get().pk}/document/"]

        for outsider in (other_animator.user, other_librarian):
            client.force_login(outsider)
            assert [client.get(url).status_code for url in urls] == [404, 404]


class TestTheSizeLimitWhileTheBodyArrives:
    def test_an_11_mb_file_is_refused_and_never_stored(self, client, animator, library,
                                                       monkeypatch, tmp_path):
        passed_on = []
        receive = TemporaryFileUploadHandler.receive_data_chunk

        def counting(handler, raw_data, start):
            passed_on.append(len(raw_data))
            return receive(handler, raw_data, start)

        monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counting)
        client.force_login(animator.user)
        big = SimpleUploadedFile("skan.pdf", PDF + b"0" * (11 * MB - len(PDF)))

        response = client.post(f"/libraries/{library.pk}/meetings/new/",
                               meeting_data(attachments=[big]))

        assert response.status_code == 400
        page = response.content.decode()
        assert "skan.pdf ma 11.0 MB; limit to 10 MB." in page
        assert "Rozmowa o lokalnej diagnozie." in page  # what was typed is kept
        assert not Meeting.objects.exists() and stored_files(tmp_path) == []
        # Nothing beyond 10 MB went to the temporary file (64 KB chunks).
        assert 0 < sum(passed_on) <= 10 * MB

    def test_an_11_mb_scan_of_the_agreement_too(self, client, animator, library, partnership,
                                                tmp_path):
        factories.reach_stages(partnership, 4)
        client.force_login(animator.user)

        response = record_agreement(
            client, library, SimpleUploadedFile("skan.jpg", JPEG + b"0" * (11 * MB))
        )

        assert response.status_code == 400
        assert "skan.jpg ma 11.0 MB; limit to 10 MB." in response.content.decode()
        assert not Agreement.objects.exists() and stored_files(tmp_path) == []

    def test_a_request_over_60_mb_is_refused_before_it_is_read(self, client, animator, library,
                                                               monkeypatch):
        def must_not_read(*args):
            raise AssertionError("the body was read")

        monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", must_not_read)
        client.force_login(animator.user)

        response = client.post(
            f"/libraries/{library.pk}/meetings/new/",
            meeting_data(attachments=[SimpleUploadedFile("a.jpg", JPEG)]),
            CONTENT_LENGTH=str(61 * MB),  # what the browser announces
        )

        assert response.status_code == 400
        assert not Meeting.objects.exists()


class TestRemovedWhenTheRecordGoes:
    def test_a_replaced_scan_is_removed_once_committed(self, client, animator, library,
                                                       partnership, tmp_path,
                                                       django_capture_on_commit_callbacks):
        factories.reach_stages(partnership, 4)
        client.force_login(animator.user)
        with django_capture_on_commit_callbacks(execute=True):
            record_agreement(client, library, SimpleUploadedFile("a.pdf", PDF))
        first = Agreement.objects.get().document.name

        with django_capture_on_commit_callbacks(execute=True):
            response = record_agreement(client, library, SimpleUploadedFile("b.jpg", JPEG))

        assert response.status_code == 302
        second = Agreement.objects.get().document.name
        assert stored_files(tmp_path) == [second] and second != first

    def test_a_refused_replacement_keeps_the_old_scan(self, client, animator, library,
                                                      partnership, tmp_path,
                                                      django_capture_on_commit_callbacks):
        factories.reach_stages(partnership, 7)  # agreement on 11 March, joint action on 13th
        client.force_login(animator.user)
        with django_capture_on_commit_callbacks(execute=True):
            record_agreement(client, library, SimpleUploadedFile("a.pdf", PDF), "2026-03-11")
        first = Agreement.objects.get().document.name

        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            # After the joint action: stage 6 would go, and stage 7 with it — refused.
            response = record_agreement(
                client, library, SimpleUploadedFile("b.jpg", JPEG), "2026-03-14"
            )

        assert response.status_code == 400
        assert "Nic nie zostało zapisane" in response.content.decode()
        assert callbacks == []
        assert Agreement.objects.get().document.name == first
        # The new scan is not stored as the agreement's: it is kept for the corrected form
        # (a pending upload of the person who chose it, removed when used or after a day).
        pending = PendingUpload.objects.get(user=animator.user)
        assert sorted(stored_files(tmp_path)) == sorted([first, pending.file.name])

    def test_a_deleted_meeting_takes_its_files(self, client, animator, library, tmp_path,
                                               django_capture_on_commit_callbacks):
        client.force_login(animator.user)
        attachment = log_meeting(client, library, SimpleUploadedFile("a.jpg", JPEG),
                                 SimpleUploadedFile("b.pdf", PDF))
        assert len(stored_files(tmp_path)) == 2

        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/meetings/{attachment.meeting_id}/delete/")

        assert not Meeting.objects.exists() and stored_files(tmp_path) == []

    def test_a_refused_meeting_deletion_keeps_its_files(self, client, expert, partnership,
                                                        tmp_path,
                                                        django_capture_on_commit_callbacks):
        factories.reach_stages(partnership, 4)  # the meeting proves stage 3, stage 4 by hand
        meeting = Meeting.objects.get()
        MeetingAttachment.objects.create(
            meeting=meeting, file=ContentFile(JPEG, name="a.jpg"), content_type="image/jpeg",
            original_name="a.jpg", size=len(JPEG),
        )
        client.force_login(expert)

        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/meetings/{meeting.pk}/delete/")

        assert Meeting.objects.filter(pk=meeting.pk).exists()
        assert len(stored_files(tmp_path)) == 1

    def test_a_deleted_agreement_takes_its_scan_unless_refused(
        self, client, animator, expert, library, partnership, tmp_path,
        django_capture_on_commit_callbacks,
    ):
        factories.reach_stages(partnership, 4)
        client.force_login(animator.user)
        record_agreement(client, library, SimpleUploadedFile("a.pdf", PDF))
        agreement = Agreement.objects.get()
        factories.MilestoneFactory(partnership=partnership, stage=Stage.EVALUATION,
                                   reached_on=D(2026, 6, 10))
        factories.JointActionFactory(partnership=partnership, status="done",
                                     planned_on=D(2026, 6, 8), done_on=D(2026, 6, 8))
        services.milestones_record_from_facts(partnership=partnership)

        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(StageOrderError):  # stage 7 needs the agreement
                services.agreement_delete(agreement=agreement, by=expert)
        assert stored_files(tmp_path) == [agreement.document.name]

        partnership.milestones.get(stage=Stage.EVALUATION).delete()
        with django_capture_on_commit_callbacks(execute=True):
            services.agreement_delete(agreement=Agreement.objects.get(), by=expert)
        assert not Agreement.objects.exists() and stored_files(tmp_path) == []


class TestStorageFromSettings:
    def test_files_live_only_in_the_configured_storage(self, client, animator, library,
                                                       monkeypatch, tmp_path,
                                                       django_capture_on_commit_callbacks):
        """An object store has no paths: upload, download and removal use the storage alone."""
        bucket = InMemoryStorage()
        monkeypatch.setattr(MeetingAttachment._meta.get_field("file"), "storage", bucket)
        client.force_login(animator.user)

        attachment = log_meeting(client, library, SimpleUploadedFile("a.jpg", JPEG))

        assert bucket.exists(attachment.file.name) and stored_files(tmp_path) == []
        response = client.get(f"/attachments/{attachment.pk}/")
        assert b"".join(response.streaming_content) == JPEG
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/meetings/{attachment.meeting_id}/delete/")
        assert not bucket.exists(attachment.file.name)

    def test_s3_bucket_settings_choose_an_object_store(self, settings):
        env = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "prb_partnerships.settings",
            "DEBUG": "0", "SECRET_KEY": "x", "S3_BUCKET": "prb-pliki",
            "S3_ENDPOINT_URL": "https://s3.example.org", "S3_REGION": "pl-1",
            "S3_ACCESS_KEY_ID": "klucz", "S3_SECRET_ACCESS_KEY": "sekret",
        }
        code = (
            "import django; django.setup();"
            "from partnerships.models import Agreement as A;"
            "s = A._meta.get_field('document').storage;"
            "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.region_name, s.access_key)"
        )

        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                text=True, check=True, cwd=settings.BASE_DIR)

        assert result.stdout.split() == [
            "S3Storage", "prb-pliki", "https://s3.example.org", "pl-1", "klucz"]
