"""Forms that forgive: the error summary, the marks of optional fields, sensible defaults, the
quick-add of partners when asked for, guests who are not partners, and files chosen before a
refused submit kept until the corrected form saves them — with a tired user's wrong clicks."""

import datetime
import re
import uuid

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from partnerships import uploads
from partnerships.models import (
    Agreement,
    Meeting,
    MeetingAttachment,
    PendingUpload,
    Sector,
)
from partnerships.resources import MeetingResource
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 6, 15)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 200


@pytest.fixture(autouse=True)
def _today_and_storage(monkeypatch, settings, tmp_path):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def new_meeting(library):
    return f"/libraries/{library.pk}/meetings/new/"


def photo(name="zdjecie.jpg", content=JPEG):
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def meeting_data(**overrides):
    return factories.meeting_post(new_partners=[("", ""), ("", "")], **overrides)


def token_of(response) -> str:
    return re.search(r'name="submission_token" value="([0-9a-f-]+)"',
                     response.content.decode()).group(1)


def stored_files(tmp_path):
    root = tmp_path / "private"
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


class TestErrorSummary:
    def test_each_failing_field_is_named_and_linked_and_tied_to_its_message(
        self, english, animator, library
    ):
        english.force_login(animator.user)

        response = english.post(new_meeting(library), meeting_data(participants="", kind=""))

        assert response.status_code == 400
        html = response.content.decode()
        summary = html[html.index('id="error-summary"'):html.index("</ul>",
                                                                     html.index("error-summary"))]
        assert 'tabindex="-1"' in html[html.index("<div", html.index("error-summary") - 60):]
        assert "nothing has been saved yet" in summary
        assert '<a href="#id_kind_0">Kind: This field is required.</a>' in summary
        assert ('<a href="#id_participants">Number of participants: '
                "Give the number of people present.</a>") in summary
        # The message sits next to its field, tied to the input it belongs to.
        assert html.count('id="id_participants_error"') == 1
        participants = re.search(r"<input[^>]*name=\"participants\"[^>]*>", html).group(0)
        assert 'aria-invalid="true"' in participants
        assert "id_participants_error" in participants
        assert not Meeting.objects.exists()

    def test_a_new_partners_error_is_in_the_summary_and_opens_the_quick_add(
        self, english, animator, library
    ):
        english.force_login(animator.user)

        response = english.post(new_meeting(library),
                                meeting_data(**{"new-0-name": "Nadleśnictwo Lipnica"}))

        html = response.content.decode()
        assert response.status_code == 400
        assert '<a href="#id_new-0-sector">Sector: Choose the partner' in html
        assert '<details class="new-partners field" open>' in html

    def test_the_partial_gives_every_form_of_the_app_a_summary(self, english, animator):
        english.force_login(animator.user)

        response = english.post("/notifications/", {"reminders": "maybe"})

        html = response.content.decode()
        assert response.status_code == 400
        assert 'data-error-summary' in html and 'href="#id_reminders_0"' in html


class TestOptionalMarks:
    def test_optional_fields_say_so_and_required_ones_do_not(self, english, animator, library):
        english.force_login(animator.user)

        html = english.get(new_meeting(library)).content.decode()

        assert re.search(r'for="id_summary">Summary <span class="optional">\(optional\)', html)
        assert re.search(r'for="id_participants">Number of participants</label>', html)
        assert re.search(r"<legend>Kind</legend>", html)

    def test_a_form_of_optional_fields_only_marks_nothing(self, english, animator, library):
        english.force_login(animator.user)

        html = english.get(new_meeting(library)).content.decode()
        quick_add = html[html.index('<details class="new-partners'):html.index("</details>")]

        assert "(optional)" not in quick_add


class TestDefaults:
    def test_participants_start_empty_and_the_date_is_today(self, client, animator, library):
        client.force_login(animator.user)

        html = client.get(new_meeting(library)).content.decode()

        participants = re.search(r"<input[^>]*name=\"participants\"[^>]*>", html).group(0)
        assert "value=" not in participants
        assert 'name="date" value="2026-06-15"' in html

    def test_the_date_is_left_empty_when_today_is_outside_the_round(
        self, client, animator, library, monkeypatch
    ):
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: D(2026, 11, 2))
        client.force_login(animator.user)

        meeting = client.get(new_meeting(library)).content.decode()
        stage = client.get(f"/libraries/{library.pk}/milestones/new/").content.decode()

        assert re.search(r'<input type="date" name="date"(?![^>]*value=)', meeting)
        assert re.search(r'<input type="date" name="reached_on"(?![^>]*value=)', stage)

    def test_each_kind_of_meeting_has_a_hint(self, english, animator, library):
        english.force_login(animator.user)

        html = english.get(new_meeting(library)).content.decode()

        assert html.count('class="choice-hint"') == 4
        assert "A phone call or a video meeting." in html

    def test_a_tired_user_leaving_participants_empty_is_told_and_nothing_is_saved(
        self, client, animator, library
    ):
        client.force_login(animator.user)

        response = client.post(new_meeting(library), meeting_data(participants=""))

        assert response.status_code == 400
        assert 'id="id_participants_error"' in response.content.decode()
        assert not Meeting.objects.exists()


class TestQuickAddAndGuests:
    def test_the_quick_add_is_closed_until_asked_for_and_confirm_hidden(
        self, client, animator, library
    ):
        client.force_login(animator.user)

        html = client.get(new_meeting(library)).content.decode()

        assert '<details class="new-partners field">' in html
        assert 'type="checkbox" name="new-0-confirm"' not in html
        assert 'type="hidden" name="new-0-confirm"' in html

    def test_confirm_appears_only_next_to_a_name_like_a_partners(self, client, animator,
                                                                 library, partnership):
        factories.PartnerFactory(partnership=partnership, name="Koło Gospodyń Wiejskich")
        client.force_login(animator.user)

        similar = client.post(new_meeting(library), meeting_data(**{
            "new-0-name": "koło gospodyń wiejskich", "new-0-sector": Sector.RURAL_WOMEN,
            "new-1-name": "Nadleśnictwo", "participants": ""}))

        html = similar.content.decode()
        assert 'type="checkbox" name="new-0-confirm"' in html
        assert 'type="checkbox" name="new-1-confirm"' not in html

    def test_guests_are_saved_in_the_history_and_the_export_without_becoming_partners(
        self, client, animator, library, partnership
    ):
        client.force_login(animator.user)

        response = client.post(new_meeting(library), meeting_data(
            guests="Nadleśnictwo Lipnica, radna gminy"))

        assert response.status_code == 302
        meeting = Meeting.objects.get()
        assert meeting.guests == "Nadleśnictwo Lipnica, radna gminy"
        assert not partnership.partners.exists()
        assert meeting.history.get().guests == "Nadleśnictwo Lipnica, radna gminy"
        dataset = MeetingResource().export(Meeting.objects.all())
        assert "Nadleśnictwo Lipnica, radna gminy" in dataset.csv

        client.post(f"/meetings/{meeting.pk}/edit/", meeting_data(guests="Sołtys"))
        meeting.refresh_from_db()
        assert meeting.guests == "Sołtys"


class TestPendingUploads:
    def refused_with_a_photo(self, client, library, **fields):
        response = client.post(new_meeting(library), meeting_data(
            participants="", attachments=[photo()], **fields))
        assert response.status_code == 400
        return response

    def test_a_photo_chosen_before_an_error_is_kept_and_saved_with_the_corrected_form(
        self, client, animator, library, tmp_path
    ):
        client.force_login(animator.user)

        response = self.refused_with_a_photo(client, library)

        pending = PendingUpload.objects.get()
        assert pending.user == animator.user and str(pending.token) == token_of(response)
        html = response.content.decode()
        assert "zdjecie.jpg ✓" in html
        assert f'name="attachments-pending" value="{pending.pk}"' in html
        assert not Meeting.objects.exists()
        kept_file = pending.file.name

        saved = client.post(new_meeting(library), meeting_data(**{
            "submission_token": token_of(response), "attachments-pending": [pending.pk]}))

        assert saved.status_code == 302
        attachment = MeetingAttachment.objects.get()
        assert attachment.original_name == "zdjecie.jpg"
        assert attachment.content_type == "image/jpeg" and attachment.size == len(JPEG)
        assert attachment.file.read() == JPEG
        assert not PendingUpload.objects.exists()
        assert kept_file.rsplit("/", 1)[-1] not in stored_files(tmp_path)

    def test_a_pending_photo_removed_is_not_saved(self, client, animator, library, tmp_path):
        client.force_login(animator.user)
        response = self.refused_with_a_photo(client, library)
        pending = PendingUpload.objects.get()

        saved = client.post(new_meeting(library), meeting_data(**{
            "submission_token": token_of(response), "attachments-pending": [pending.pk],
            "attachments-pending-remove": [pending.pk]}))

        assert saved.status_code == 302
        assert not MeetingAttachment.objects.exists()
        assert not PendingUpload.objects.exists() and stored_files(tmp_path) == []

    def test_kept_and_new_files_are_both_saved(self, client, animator, library):
        client.force_login(animator.user)
        response = self.refused_with_a_photo(client, library)
        pending = PendingUpload.objects.get()

        client.post(new_meeting(library), meeting_data(**{
            "submission_token": token_of(response), "attachments-pending": [pending.pk],
            "attachments": [photo("lista.jpg")]}))

        assert sorted(a.original_name for a in MeetingAttachment.objects.all()) == [
            "lista.jpg", "zdjecie.jpg"]

    def test_another_persons_token_and_ids_give_nothing(self, client, animator, library,
                                                        partnership, expert):
        client.force_login(animator.user)
        response = self.refused_with_a_photo(client, library)
        pending = PendingUpload.objects.get()

        client.force_login(expert)  # sees and edits every partnership
        forged = client.post(new_meeting(library), meeting_data(**{
            "submission_token": token_of(response), "attachments-pending": [pending.pk]}))

        assert forged.status_code == 302
        assert not MeetingAttachment.objects.exists()
        assert PendingUpload.objects.get() == pending  # still its owner's

    def test_a_wrong_token_gives_nothing(self, client, animator, library):
        client.force_login(animator.user)
        self.refused_with_a_photo(client, library)
        pending = PendingUpload.objects.get()

        client.post(new_meeting(library), meeting_data(**{
            "submission_token": str(uuid.uuid4()), "attachments-pending": [pending.pk]}))

        assert not MeetingAttachment.objects.exists()

    def test_a_file_that_fails_its_checks_is_not_kept(self, client, animator, library):
        client.force_login(animator.user)

        response = client.post(new_meeting(library), meeting_data(
            participants="", attachments=[photo("program.jpg", b"MZ\x90\x00" * 50)]))

        assert response.status_code == 400
        assert not PendingUpload.objects.exists()

    def test_kept_files_count_towards_the_limit(self, client, animator, library):
        client.force_login(animator.user)
        response = client.post(new_meeting(library), meeting_data(
            participants="", attachments=[photo(f"{i}.jpg") for i in range(5)]))
        ids = list(PendingUpload.objects.values_list("pk", flat=True))
        assert len(ids) == 5

        again = client.post(new_meeting(library), meeting_data(**{
            "submission_token": token_of(response), "attachments-pending": ids,
            "attachments": [photo("szosty.jpg")]}))

        assert again.status_code == 400
        assert not Meeting.objects.exists()
        assert PendingUpload.objects.count() == 5

    def test_an_agreement_scan_is_kept_after_an_error(self, client, animator, library,
                                                      partnership):
        factories.reach_stages(partnership, 4)
        client.force_login(animator.user)
        url = f"/libraries/{library.pk}/agreement/"
        scan = SimpleUploadedFile("porozumienie.pdf", PDF, content_type="application/pdf")

        refused = client.post(url, {"kind": "agreement", "signed_on": "", "document": scan})

        assert refused.status_code == 400
        pending = PendingUpload.objects.get()
        assert "porozumienie.pdf ✓" in refused.content.decode()

        saved = client.post(url, {"kind": "agreement", "signed_on": "2026-06-10",
                                  "submission_token": token_of(refused),
                                  "document-pending": [pending.pk]})

        assert saved.status_code == 302
        agreement = Agreement.objects.get()
        assert agreement.document_type == "application/pdf" and agreement.document.read() == PDF
        assert not PendingUpload.objects.exists()

    def test_pending_uploads_older_than_a_day_are_removed(self, client, animator, library,
                                                          tmp_path):
        client.force_login(animator.user)
        self.refused_with_a_photo(client, library)
        self.refused_with_a_photo(client, library)
        old, recent = PendingUpload.objects.order_by("pk")
        PendingUpload.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - datetime.timedelta(hours=25))

        call_command("remove_pending_uploads", stdout=open("/dev/null", "w"))

        assert list(PendingUpload.objects.all()) == [recent]
        assert stored_files(tmp_path) == [recent.file.name.rsplit("/", 1)[-1]]

    def test_pending_uploads_are_stored_privately_under_a_server_name(self, client, animator,
                                                                      library):
        client.force_login(animator.user)
        self.refused_with_a_photo(client, library)

        pending = PendingUpload.objects.get()

        assert pending._meta.get_field("file")._storage_callable is uploads.private_storage
        assert pending.file.name.startswith("pending/") and "zdjecie" not in pending.file.name


class TestDraftsOnEveryCardForm:
    @pytest.mark.parametrize("path", ["meetings/new/", "partners/new/", "milestones/new/",
                                      "agreement/", "actions/new/"])
    def test_every_form_of_the_card_keeps_a_draft(self, client, animator, library, path):
        client.force_login(animator.user)

        html = client.get(f"/libraries/{library.pk}/{path}").content.decode()

        assert re.search(r'<form [^>]*data-draft="[a-z]+-\d+-?[a-z0-9]*"', html)
        assert 'id="draft-notice"' in html

    def test_the_confirmation_drops_the_draft(self, client, animator, library, partnership):
        client.force_login(animator.user)

        response = client.post(f"/libraries/{library.pk}/partners/new/", {
            "name": "Nadleśnictwo", "sector": Sector.OTHER}, follow=True)

        assert f'data-saved-draft="partner-{partnership.pk}-new"' in response.content.decode()
