"""The partnership card and what the animator records from it."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partnerships.models import (
    Agreement,
    JointAction,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    Milestone,
    Partner,
    Sector,
    Stage,
)
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


def card(library):
    return f"/libraries/{library.pk}/"


def new_meeting(library):
    return f"/libraries/{library.pk}/meetings/new/"


def meeting_data(**overrides):
    defaults = {
        "decisions": "Piknik w sierpniu.",
        "support_declared": "Urząd gminy: sala i transport.",
        "next_meeting_on": "2026-07-01",
    }
    return factories.meeting_post(new_partners=[("", ""), ("", "")], **(defaults | overrides))


class TestCard:
    def test_librarian_reads_everything_but_cannot_edit(self, client, librarian, library,
                                                        partnership, animator):
        factories.PartnerFactory(partnership=partnership, name="Urząd Gminy",
                                 sector=Sector.LOCAL_GOVERNMENT)
        factories.MeetingFactory(partnership=partnership, date=D(2026, 5, 5),
                                 decisions="Spotykamy się co miesiąc.")
        factories.AgreementFactory(partnership=partnership, signed_on=D(2026, 6, 1),
                                   kind="declaration")
        factories.JointActionFactory(partnership=partnership, title="Piknik rodzinny")
        client.force_login(librarian)

        content = client.get(card(library)).content.decode()

        for text in ("Urząd Gminy", "Spotykamy się co miesiąc.", "Deklaracja",
                     "1 czerwca 2026", "Piknik rodzinny", animator.user.email):
            assert text in content
        assert "Zapisz spotkanie" not in content and "/meetings/new/" not in content
        assert "Historia przypisań" not in content

    def test_assigned_animator_can_edit_from_the_card(self, client, animator, library):
        client.force_login(animator.user)

        content = client.get(card(library)).content.decode()

        assert new_meeting(library) in content
        assert "Historia przypisań" not in content

    def test_expert_sees_the_assignment_history(self, client, expert, library, animator):
        client.force_login(expert)

        assert "Historia przypisań" in client.get(card(library)).content.decode()

    def test_sector_mix_check(self, client, librarian, library, partnership):
        factories.PartnerFactory(partnership=partnership, sector=Sector.SCHOOL)
        client.force_login(librarian)

        content = client.get(card(library)).content.decode()
        assert "Brak jeszcze urzędu gminy" in content
        assert "co najmniej trzech sektorów; na razie: 1" in content

        for sector in (Sector.LOCAL_GOVERNMENT, Sector.NGO):
            factories.PartnerFactory(partnership=partnership, sector=sector)
        content = client.get(card(library)).content.decode()
        assert "Brak jeszcze urzędu gminy" not in content
        assert "Dobry przekrój sektorów" in content

    def test_print_view_has_no_edit_links(self, client, animator, library):
        client.force_login(animator.user)

        response = client.get(card(library), {"print": 1})

        content = response.content.decode()
        assert "css/print.css" in content
        assert "/meetings/new/" not in content and library.name in content

    @pytest.mark.parametrize("size", [1, 4])
    def test_query_count_does_not_grow_with_meetings_and_partners(
        self, client, animator, library, partnership, size, django_assert_num_queries
    ):
        for i in range(size):
            partner = factories.PartnerFactory(partnership=partnership)
            meeting = factories.MeetingFactory(partnership=partnership,
                                               date=D(2026, 4, 1) + datetime.timedelta(days=i))
            meeting.partners_present.add(partner)
            MeetingAttachment.objects.create(meeting=meeting, file="x.jpg", size=1,
                                             content_type="image/jpeg", original_name="x.jpg")
            action = factories.JointActionFactory(partnership=partnership)
            action.partners.add(partner)
            factories.MilestoneFactory(partnership=partnership, stage=list(Stage)[i],
                                       reached_on=D(2026, 3, 10))
        agreement = factories.AgreementFactory(partnership=partnership)
        agreement.signatories.add(partner)
        client.force_login(animator.user)

        # 1 session, 2 user, 3 groups, 4 library, 5 current round, 6 partnership with progress,
        # 7 active assignment, 8 milestones, 9 partners, 10 meetings, 11 partners present,
        # 12 attachments, 13 joint actions, 14 their partners, 15 agreement,
        # 16 signatories, 17 the partners with the meetings they attended and whether they
        # signed (the picture, partnerships/picture.py), 18 may this user edit, 19 their meetings
        # still open to correction (part of the key the card is kept under,
        # prb_partnerships/freshness.py)
        with django_assert_num_queries(19):
            response = client.get(card(library))

        assert response.status_code == 200


class TestLogAMeeting:
    def test_logs_a_meeting_with_a_new_partner_and_a_photo(self, client, animator, library,
                                                           partnership):
        present = factories.PartnerFactory(partnership=partnership, name="Szkoła Podstawowa")
        factories.reach_stages(partnership, 2)  # diagnosis, invitations
        client.force_login(animator.user)
        photo = SimpleUploadedFile("lista.jpg", JPEG, content_type="image/jpeg")

        response = client.post(new_meeting(library), meeting_data(**{
            "partners_present": [present.pk],
            "new-0-name": "Koło Gospodyń Wiejskich",
            "new-0-sector": Sector.RURAL_WOMEN,
            "attachments": [photo],
        }))

        assert response.status_code == 302
        meeting = Meeting.objects.get(partnership=partnership)
        assert meeting.logged_by == animator.user and meeting.participants == 12
        assert {p.name for p in meeting.partners_present.all()} == {
            "Szkoła Podstawowa", "Koło Gospodyń Wiejskich"}
        new = Partner.objects.get(name="Koło Gospodyń Wiejskich")
        assert new.joined_on == D(2026, 6, 10) and new.sector == Sector.RURAL_WOMEN
        attachment = meeting.attachments.get()
        assert attachment.content_type == "image/jpeg"
        # The first partnership meeting sets the milestone, in the same save.
        milestone = Milestone.objects.get(partnership=partnership, stage=Stage.FIRST_MEETING)
        assert (milestone.reached_on, milestone.meeting) == (D(2026, 6, 10), meeting)
        content = client.get(card(library)).content.decode()
        assert "Pierwsze spotkanie partnerstwa w bibliotece." in content
        assert "lista.jpg" in content

    def test_date_defaults_to_today(self, client, animator, library):
        client.force_login(animator.user)

        form = client.get(new_meeting(library)).context["form"]

        assert form.initial["date"] == TODAY

    def test_a_similar_partner_name_is_flagged_until_confirmed(self, client, animator, library,
                                                               partnership):
        factories.PartnerFactory(partnership=partnership, name="Koło Gospodyń Wiejskich w Lipnicy")
        client.force_login(animator.user)
        data = meeting_data(**{"new-0-name": "koło gospodyn wiejskich w lipnicy",
                               "new-0-sector": Sector.RURAL_WOMEN})

        response = client.post(new_meeting(library), data)

        assert response.status_code == 400
        assert "jest już partnerem tej biblioteki" in response.content.decode()
        assert not Meeting.objects.exists()

        response = client.post(new_meeting(library), {**data, "new-0-confirm": "on"})
        assert response.status_code == 302
        assert partnership.partners.count() == 2

    @pytest.mark.parametrize("field,value,message", [
        ("date", "2026-02-27", "Data musi mieścić się w rundzie"),
        ("date", "2026-10-02", "Data musi mieścić się w rundzie"),
        ("date", "2026-06-16", "Ta data jest w przyszłości."),
        ("participants", "-3", "Podaj liczbę od 0 do 2000."),
        ("participants", "250000", "Podaj liczbę od 0 do 2000."),
        ("next_meeting_on", "2026-06-01", "Następne spotkanie nie może być przed tym spotkaniem."),
        ("kind", "picnic", "Wybierz poprawną wartość"),
    ])
    def test_bad_input_is_refused_with_a_message_and_saves_nothing(
        self, client, animator, library, field, value, message
    ):
        client.force_login(animator.user)

        response = client.post(new_meeting(library), meeting_data(**{
            field: value, "new-0-name": "Nowy partner", "new-0-sector": Sector.NGO}))

        assert response.status_code == 400
        assert message in response.content.decode()
        assert not Meeting.objects.exists() and not Partner.objects.exists()

    def test_a_partner_of_another_library_cannot_be_forged_in(self, client, animator, library,
                                                              other_partnership):
        stranger = factories.PartnerFactory(partnership=other_partnership)
        client.force_login(animator.user)

        response = client.post(new_meeting(library),
                               meeting_data(partners_present=[stranger.pk]))

        assert response.status_code == 400
        assert "Wybierz poprawną wartość" in response.content.decode()
        assert not Meeting.objects.exists()

    @pytest.mark.parametrize("name,content,message", [
        ("lista.jpg", b"MZ\x90\x00" + b"\x00" * 100, "nie jest zdjęciem JPEG ani PNG"),
        ("lista.txt", b"hello", "nie jest zdjęciem JPEG ani PNG"),
        ("program.exe", b"\x7fELF" + b"\x00" * 100, "nie jest zdjęciem JPEG ani PNG"),
    ])
    def test_uploads_are_checked_by_content(self, client, animator, library, name, content,
                                            message):
        client.force_login(animator.user)
        upload = SimpleUploadedFile(name, content, content_type="image/jpeg")

        response = client.post(new_meeting(library), meeting_data(attachments=[upload]))

        assert response.status_code == 400
        assert message in response.content.decode()
        assert not Meeting.objects.exists() and not MeetingAttachment.objects.exists()

    def test_an_upload_over_10_mb_is_refused(self, client, animator, library):
        client.force_login(animator.user)
        big = SimpleUploadedFile("skan.pdf", PDF + b"0" * (10 * 1024 * 1024),
                                 content_type="application/pdf")

        response = client.post(new_meeting(library), meeting_data(attachments=[big]))

        assert response.status_code == 400
        assert "limit to 10 MB" in response.content.decode()
        assert not Meeting.objects.exists()

    def test_a_library_outside_ones_scope_is_404(self, client, other_animator, library):
        client.force_login(other_animator.user)

        assert client.get(new_meeting(library)).status_code == 404
        assert client.post(new_meeting(library), meeting_data()).status_code == 404
        assert not Meeting.objects.exists()

    def test_librarian_gets_403(self, client, librarian, library):
        client.force_login(librarian)

        assert client.get(new_meeting(library)).status_code == 403

    def test_login_required(self, client, library):
        response = client.post(new_meeting(library), meeting_data())

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    @pytest.mark.parametrize("size", [1, 6])
    def test_query_count_does_not_grow_with_partners(self, client, animator, library,
                                                     partnership, size,
                                                     django_assert_num_queries):
        for _ in range(size):
            factories.PartnerFactory(partnership=partnership)
            factories.MeetingFactory(partnership=partnership)
        client.force_login(animator.user)

        # 1 session, 2 user, 3 groups, 4 current round, 5 partnership, 6 may edit,
        # 7 partners for the checkboxes (the similar-name check reads them only on POST)
        with django_assert_num_queries(7):
            response = client.get(new_meeting(library))

        assert response.status_code == 200


class TestCorrectAndDelete:
    def test_animator_corrects_their_meeting_within_14_days(self, client, animator,
                                                            partnership):
        meeting = factories.MeetingFactory(partnership=partnership, logged_by=animator.user,
                                           date=D(2026, 6, 1))
        client.force_login(animator.user)

        response = client.post(f"/meetings/{meeting.pk}/edit/",
                               meeting_data(date="2026-06-02", kind=MeetingKind.VISIT))

        assert response.status_code == 302
        meeting.refresh_from_db()
        assert meeting.date == D(2026, 6, 2)

    def test_after_14_days_only_an_expert_can(self, client, animator, expert, partnership):
        meeting = factories.MeetingFactory(partnership=partnership, logged_by=animator.user)
        Meeting.objects.filter(pk=meeting.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=15))
        client.force_login(animator.user)

        assert client.get(f"/meetings/{meeting.pk}/edit/").status_code == 403
        assert client.post(f"/meetings/{meeting.pk}/delete/").status_code == 403

        client.force_login(expert)
        assert client.post(f"/meetings/{meeting.pk}/delete/").status_code == 302
        assert not Meeting.objects.filter(pk=meeting.pk).exists()

    def test_deleting_the_first_meeting_takes_its_milestone_along(self, client, animator,
                                                                  partnership):
        factories.reach_stages(partnership, 2)
        client.force_login(animator.user)
        client.post(new_meeting(partnership.library), meeting_data())
        meeting = Meeting.objects.get()
        assert Milestone.objects.filter(stage=Stage.FIRST_MEETING).exists()

        client.post(f"/meetings/{meeting.pk}/delete/")

        assert not Milestone.objects.filter(stage=Stage.FIRST_MEETING).exists()

    def test_another_animators_meeting_cannot_be_touched(self, client, animator, partnership):
        meeting = factories.MeetingFactory(partnership=partnership,
                                           logged_by=factories.UserFactory())
        client.force_login(animator.user)

        assert client.get(f"/meetings/{meeting.pk}/edit/").status_code == 403


class TestAttachments:
    def test_served_only_to_those_who_may_see_the_meeting(self, client, animator, librarian,
                                                          other_animator, library):
        client.force_login(animator.user)
        client.post(new_meeting(library), meeting_data(
            attachments=[SimpleUploadedFile("skan.pdf", PDF, content_type="application/pdf")]))
        attachment = MeetingAttachment.objects.get()
        url = f"/attachments/{attachment.pk}/"

        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == PDF

        client.force_login(librarian)
        assert client.get(url).status_code == 200
        client.force_login(other_animator.user)
        assert client.get(url).status_code == 404
        client.logout()
        assert client.get(url).status_code == 302

    def test_stored_files_have_no_public_url(self, client, animator, library):
        client.force_login(animator.user)
        client.post(new_meeting(library), meeting_data(
            attachments=[SimpleUploadedFile("skan.pdf", PDF, content_type="application/pdf")]))
        name = MeetingAttachment.objects.get().file.name

        for url in (f"/{name}", f"/media/{name}", f"/static/{name}", f"/private_media/{name}"):
            assert client.get(url).status_code == 404


class TestOtherRecords:
    def test_add_a_partner_and_mark_them_as_left(self, client, animator, library, partnership):
        client.force_login(animator.user)

        client.post(f"/libraries/{library.pk}/partners/new/", {
            "name": "Parafia pw. św. Jana", "sector": Sector.PARISH, "joined_on": "2026-05-01"})
        partner = Partner.objects.get(partnership=partnership)
        response = client.post(f"/partners/{partner.pk}/edit/", {
            "name": partner.name, "sector": partner.sector, "joined_on": "2026-05-01",
            "left_on": "2026-06-01"})

        assert response.status_code == 302
        partner.refresh_from_db()
        assert partner.left_on == D(2026, 6, 1)

    def test_a_partner_cannot_leave_before_joining(self, client, animator, library):
        client.force_login(animator.user)

        response = client.post(f"/libraries/{library.pk}/partners/new/", {
            "name": "OSP", "sector": Sector.VOLUNTEER_FIRE, "joined_on": "2026-05-01",
            "left_on": "2026-04-01"})

        assert response.status_code == 400
        assert not Partner.objects.exists()

    def test_record_a_stage_by_hand(self, client, animator, library, partnership):
        client.force_login(animator.user)

        response = client.post(f"/libraries/{library.pk}/milestones/new/", {
            "stage": Stage.DIAGNOSIS, "reached_on": "2026-03-25", "note": "Mapa partnerów."})

        assert response.status_code == 302
        assert Milestone.objects.get(partnership=partnership).note == "Mapa partnerów."

    def test_stages_proven_by_facts_cannot_be_set_by_hand(self, client, animator, library):
        client.force_login(animator.user)

        response = client.post(f"/libraries/{library.pk}/milestones/new/", {
            "stage": Stage.AGREEMENT, "reached_on": "2026-03-25"})

        assert response.status_code == 400
        assert not Milestone.objects.exists()

    def test_record_the_agreement_with_its_scan(self, client, animator, library, partnership):
        signer = factories.PartnerFactory(partnership=partnership)
        factories.reach_stages(partnership, 4)  # planning reached in March
        client.force_login(animator.user)

        response = client.post(f"/libraries/{library.pk}/agreement/", {
            "kind": "declaration", "signed_on": "2026-06-05", "signatories": [signer.pk],
            "document": SimpleUploadedFile("p.pdf", PDF, content_type="application/pdf")})

        assert response.status_code == 302
        agreement = Agreement.objects.get(partnership=partnership)
        assert list(agreement.signatories.all()) == [signer]
        assert agreement.document_type == "application/pdf"
        milestone = Milestone.objects.get(stage=Stage.AGREEMENT)
        assert (milestone.reached_on, milestone.agreement) == (D(2026, 6, 5), agreement)
        assert client.get(f"/agreements/{agreement.pk}/document/").status_code == 200

    def test_a_done_joint_action_sets_its_milestone(self, client, animator, library,
                                                    partnership):
        factories.reach_stages(partnership, 5)
        client.force_login(animator.user)

        response = client.post(f"/libraries/{library.pk}/actions/new/", {
            "title": "Piknik", "planned_on": "2026-06-01", "status": "done",
            "done_on": "2026-06-07", "participants_reached": "150"})

        assert response.status_code == 302
        assert JointAction.objects.get().participants_reached == 150
        assert Milestone.objects.get(stage=Stage.JOINT_ACTION).reached_on == D(2026, 6, 7)

    def test_a_done_joint_action_needs_its_date(self, client, animator, library):
        client.force_login(animator.user)

        response = client.post(f"/libraries/{library.pk}/actions/new/", {
            "title": "Piknik", "planned_on": "2026-06-01", "status": "done"})

        assert response.status_code == 400
        assert not JointAction.objects.exists()
