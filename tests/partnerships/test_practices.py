"""Good practices: marking a meeting or a joint action (who may, which photo), what everyone
signed in sees of another library (the practice, not the card), the filters and search of
`/practices/`, featuring by the experts, the coordinator's export, and the query counts."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse

from partnerships import practices
from partnerships.models import (
    GoodPractice,
    JointActionStatus,
    MeetingAttachment,
    MeetingKind,
    Sector,
    Stage,
)
from partnerships.practice_forms import PracticeFilterSet
from prb_partnerships.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db

LIST = reverse("partnerships:practice_list")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF zdjecie"
WHY = "Partnerzy przygotowali spotkanie razem, a młodzież sama poprowadziła warsztaty."


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


def day(partnership, days):
    return partnership.round.start + datetime.timedelta(days=days)


def attach(meeting, name="zdjecie.jpg", content=JPEG, content_type="image/jpeg"):
    return MeetingAttachment.objects.create(
        meeting=meeting,
        file=ContentFile(content, name=name),
        content_type=content_type,
        original_name=name,
        size=len(content),
    )


@pytest.fixture
def meeting(partnership, animator):
    school = factories.PartnerFactory(
        partnership=partnership, name="Szkoła Podstawowa w Lipnicy", sector=Sector.SCHOOL
    )
    meeting = factories.MeetingFactory(
        partnership=partnership,
        date=day(partnership, 40),
        kind=MeetingKind.WORKSHOP,
        summary="Warsztaty z młodzieżą o historii wsi.",
        decisions="Budżet 500 zł od wójta — poufne.",
        guests="Pani sołtys Nowak",
        logged_by=animator.user,
    )
    meeting.partners_present.add(school)
    return meeting


@pytest.fixture
def photo(meeting):
    return attach(meeting)


@pytest.fixture
def action(partnership):
    return factories.JointActionFactory(
        partnership=partnership,
        title="Gra terenowa „Śladami historii”",
        description="Drużyny rodzinne rozwiązują zagadki.",
        planned_on=day(partnership, 100),
        done_on=day(partnership, 100),
        status=JointActionStatus.DONE,
    )


def mark_url(record):
    name = "practice_mark_meeting" if hasattr(record, "kind") else "practice_mark_action"
    return reverse(f"partnerships:{name}", args=[record.pk])


def detail_url(practice):
    return reverse("partnerships:practice_detail", args=[practice.pk])


@pytest.fixture
def practice(meeting, photo, animator):
    return practices.practice_mark(record=meeting, why=WHY, photo=photo, by=animator.user)


# ----- Marking -----


def test_the_animator_marks_a_meeting_with_its_photo(client, animator, meeting, photo):
    client.force_login(animator.user)

    form = client.get(mark_url(meeting))
    response = client.post(mark_url(meeting), {"why": WHY, "photo": photo.pk})

    assert form.status_code == 200
    practice = GoodPractice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(practice)
    assert (practice.meeting, practice.photo, practice.marked_by) == (
        meeting, photo, animator.user
    )
    assert practice.partnership == meeting.partnership and practice.why == WHY
    assert practice.history.get().history_user == animator.user


def test_an_expert_marks_a_joint_action_with_a_photo_of_a_meeting(
    client, expert, action, meeting, photo
):
    client.force_login(expert)

    response = client.post(mark_url(action), {"why": WHY, "photo": photo.pk})

    assert response.status_code == 302
    assert GoodPractice.objects.get().joint_action == action
    assert GoodPractice.objects.get().photo == photo


def test_a_librarian_may_not_mark_and_an_outsider_does_not_see_the_meeting(
    client, librarian, other_animator, other_librarian, meeting
):
    answers = {}
    for user in (librarian, other_animator.user, other_librarian):
        client.force_login(user)
        answers[user.email] = (
            client.get(mark_url(meeting)).status_code,
            client.post(mark_url(meeting), {"why": WHY}).status_code,
        )

    assert answers == {
        librarian.email: (403, 403),
        other_animator.user.email: (404, 404),
        other_librarian.email: (404, 404),
    }
    assert not GoodPractice.objects.exists()


def test_the_services_refuse_those_who_may_not_edit_the_partnership(
    librarian, other_animator, meeting
):
    for user in (librarian, other_animator.user):
        with pytest.raises(PermissionDenied):
            practices.practice_mark(record=meeting, why=WHY, by=user)
    assert not GoodPractice.objects.exists()


@pytest.mark.parametrize("forged", ["999999", "abc"])
def test_a_forged_photo_id_is_refused(client, animator, meeting, photo, forged):
    client.force_login(animator.user)

    response = client.post(mark_url(meeting), {"why": WHY, "photo": forged})

    assert response.status_code == 400
    assert "Wybierz poprawną wartość" in response.content.decode()
    assert not GoodPractice.objects.exists()


def test_a_photo_of_another_meeting_or_a_document_is_refused(
    client, animator, partnership, meeting, other_partnership
):
    elsewhere = attach(factories.MeetingFactory(partnership=partnership, date=day(partnership, 30)))
    scan = attach(meeting, "lista.pdf", b"%PDF-1.4 lista", "application/pdf")
    client.force_login(animator.user)

    answers = [
        client.post(mark_url(meeting), {"why": WHY, "photo": photo.pk}).status_code
        for photo in (elsewhere, scan)
    ]

    assert answers == [400, 400]
    assert not GoodPractice.objects.exists()
    # The service says why, in Polish, whoever calls it.
    other = attach(factories.MeetingFactory(partnership=other_partnership))
    with pytest.raises(practices.PracticeError, match="jednym ze zdjęć tego spotkania"):
        practices.practice_mark(record=meeting, why=WHY, photo=elsewhere, by=animator.user)
    action = factories.JointActionFactory(
        partnership=partnership, status=JointActionStatus.DONE, done_on=day(partnership, 50)
    )
    with pytest.raises(practices.PracticeError, match="spotkań tego partnerstwa"):
        practices.practice_mark(record=action, why=WHY, photo=other, by=animator.user)


def test_a_record_is_marked_once(client, animator, expert, meeting, practice):
    with pytest.raises(practices.PracticeError, match="już oznaczone"):
        practices.practice_mark(record=meeting, why="Jeszcze raz.", by=expert)

    # The mark page of a marked meeting corrects the practice for the one who marked it.
    client.force_login(animator.user)
    form = client.get(mark_url(meeting))
    client.post(mark_url(meeting), {"why": "Poprawione: " + WHY, "photo": ""})

    assert form.context["form"]["why"].value() == WHY
    practice.refresh_from_db()
    assert (practice.why, practice.photo) == ("Poprawione: " + WHY, None)
    assert GoodPractice.objects.count() == 1
    assert practice.history.count() == 2


def test_someone_else_who_edits_the_card_sees_the_practice_but_cannot_change_it(
    client, expert, animator, meeting
):
    practice = practices.practice_mark(record=meeting, why=WHY, by=expert)
    client.force_login(animator.user)

    page = client.get(mark_url(meeting))
    sent = client.post(mark_url(meeting), {"why": "Nadpisane"})

    assert page.status_code == 200 and page.context["form"] is None
    assert detail_url(practice) in page.content.decode()
    assert sent.status_code == 400
    practice.refresh_from_db()
    assert practice.why == WHY
    with pytest.raises(PermissionDenied):
        practices.practice_update(practice=practice, why="x", by=animator.user)


def test_a_joint_action_not_carried_out_cannot_be_marked(client, animator, partnership):
    planned = factories.JointActionFactory(partnership=partnership)
    client.force_login(animator.user)

    page = client.get(mark_url(planned))
    sent = client.post(mark_url(planned), {"why": WHY})

    assert page.context["blocked"] == "not_done"
    assert sent.status_code == 400
    with pytest.raises(practices.PracticeError, match="zrealizowane"):
        practices.practice_mark(record=planned, why=WHY, by=animator.user)
    assert not GoodPractice.objects.exists()


def test_why_is_needed(client, animator, meeting):
    client.force_login(animator.user)

    response = client.post(mark_url(meeting), {"why": "   "})

    assert response.status_code == 400
    assert not GoodPractice.objects.exists()
    with pytest.raises(practices.PracticeError):
        practices.practice_mark(record=meeting, why="  ", by=animator.user)


def test_the_card_links_to_the_mark_form_and_then_to_the_practice(
    client, animator, librarian, meeting, action, library
):
    card = reverse("libraries:library_detail", args=[library.pk])
    client.force_login(animator.user)
    before = client.get(card).content.decode()
    client.force_login(librarian)
    for_librarian = client.get(card).content.decode()
    practice = practices.practice_mark(record=action, why=WHY, by=animator.user)
    after = client.get(card).content.decode()

    assert mark_url(meeting) in before and mark_url(action) in before
    assert "Oznacz jako dobrą praktykę" in before
    assert "Oznacz jako dobrą praktykę" not in for_librarian
    assert detail_url(practice) in after and mark_url(action) not in after


def test_the_one_who_marked_it_or_the_staff_remove_it(
    client, animator, expert, other_animator, meeting, practice
):
    url = reverse("partnerships:practice_remove", args=[practice.pk])
    client.force_login(other_animator.user)
    refused = client.post(url)
    client.force_login(animator.user)
    confirm = client.get(url)
    removed = client.post(url)

    assert (refused.status_code, confirm.status_code, removed.status_code) == (403, 200, 302)
    assert not GoodPractice.objects.exists()
    assert meeting.pk and type(meeting).objects.filter(pk=meeting.pk).exists()


# ----- What everyone sees -----


def test_a_librarian_of_another_library_sees_the_practice_but_not_the_card(
    client, other_librarian, practice, photo, library
):
    client.force_login(other_librarian)

    listed = client.get(LIST)
    page = client.get(detail_url(practice))
    html = page.content.decode()
    card = client.get(reverse("libraries:library_detail", args=[library.pk]))
    picture = client.get(reverse("partnerships:practice_photo", args=[practice.pk]))
    download = client.get(reverse("partnerships:attachment_download", args=[photo.pk]))

    assert [p.pk for p in listed.context["rows"]] == [practice.pk]
    assert page.status_code == 200
    assert WHY in html and "Warsztaty z młodzieżą o historii wsi." in html
    assert library.name in html and library.gmina in html
    assert "szkoła lub przedszkole" in html  # the sector, not the partner
    assert reverse("libraries:library_detail", args=[library.pk]) not in html
    for secret in ("Szkoła Podstawowa w Lipnicy", "Budżet 500 zł", "Pani sołtys Nowak"):
        assert secret not in html
    assert card.status_code == 404
    assert picture.status_code == 200 and b"".join(picture.streaming_content) == JPEG
    assert picture["Content-Type"] == "image/jpeg"
    assert download.status_code == 404


def test_those_who_see_the_card_get_its_link(client, librarian, expert, practice, library):
    card = reverse("libraries:library_detail", args=[library.pk])
    for user in (librarian, expert):
        client.force_login(user)
        assert f'{card}#meeting-{practice.meeting_id}' in client.get(
            detail_url(practice)
        ).content.decode()


def test_the_photo_address_serves_only_a_practices_photo(
    client, other_librarian, animator, meeting
):
    practice = practices.practice_mark(record=meeting, why=WHY, by=animator.user)
    client.force_login(other_librarian)

    url = reverse("partnerships:practice_photo", args=[practice.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 405


def test_anonymous_visitors_sign_in_first(client, practice):
    for url in (LIST, detail_url(practice)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# ----- Filters and search -----


@pytest.fixture
def variety(round_, expert):
    """Four practices: a workshop with a school in Małopolska at stage 3, a featured joint
    action with a rural women's circle in Mazowsze at stage 6, a visit with nobody present at
    stage 1, and a partnership meeting of a library named "Lipnica" on stage 0."""
    found = {}
    first = factories.PartnershipFactory(round=round_)
    factories.reach_stages(first, 3)
    school = factories.PartnerFactory(partnership=first, sector=Sector.SCHOOL)
    workshop = factories.MeetingFactory(
        partnership=first, date=day(first, 30), kind=MeetingKind.WORKSHOP,
        summary="Warsztaty rękodzieła",
    )
    workshop.partners_present.add(school)
    found["workshop"] = practices.practice_mark(record=workshop, why="Wspólne przygotowanie.",
                                                by=expert)

    second = factories.PartnershipFactory(
        round=round_, library__voivodeship=factories.voivodeship("14")
    )
    factories.reach_stages(second, 6)
    women = factories.PartnerFactory(partnership=second, sector=Sector.RURAL_WOMEN)
    action = second.joint_actions.get()
    action.partners.add(women)
    found["action"] = practices.practice_mark(record=action, why="Koło gospodyń gotowało.",
                                              by=expert)
    practices.practice_feature(practice=found["action"], featured=True, by=expert)

    visit = factories.MeetingFactory(partnership=first, date=day(first, 1))
    found["visit"] = practices.practice_mark(record=visit, why="Dobra rozmowa.", by=expert)

    third = factories.PartnershipFactory(round=round_, library__name="Biblioteka w Lipnicy")
    meeting = factories.MeetingFactory(
        partnership=third, date=day(third, 3), kind=MeetingKind.PARTNERSHIP
    )
    found["lipnica"] = practices.practice_mark(record=meeting, why="Przyszli wszyscy.", by=expert)
    return found


def filtered(user, **query):
    queryset = practices.for_list(GoodPractice.objects.visible_to(user), user)
    filterset = PracticeFilterSet(query, queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("pk", flat=True))


def pks(*practices_):
    return {p.pk for p in practices_}


def test_filters(expert, variety):
    v = variety
    assert filtered(expert, sector=Sector.SCHOOL) == pks(v["workshop"])
    assert filtered(expert, sector=Sector.RURAL_WOMEN) == pks(v["action"])
    assert filtered(expert, voivodeship="14") == pks(v["action"])
    assert filtered(expert, kind="joint_action") == pks(v["action"])
    assert filtered(expert, kind=MeetingKind.VISIT) == pks(v["visit"])
    assert filtered(expert, featured="yes") == pks(v["action"])
    assert filtered(expert) == pks(*v.values())


def test_the_stage_is_the_one_reached_on_the_records_day(expert, variety):
    """reach_stages dates stage n on day 2n of the round: the workshop (day 30) is at stage
    3, the visit (day 1) before any stage, the action (day 12) at stage 6, which it reached."""
    v = variety
    assert filtered(expert, stage=Stage.FIRST_MEETING) == pks(v["workshop"])
    assert filtered(expert, stage=Stage.JOINT_ACTION) == pks(v["action"])
    assert filtered(expert, stage="not_started") == pks(v["visit"], v["lipnica"])
    assert filtered(expert, stage=Stage.PLANNING) == set()


def test_search_looks_in_why_summary_title_and_library(expert, variety):
    v = variety
    assert filtered(expert, q="gospodyń") == pks(v["action"])
    assert filtered(expert, q="rękodzieła") == pks(v["workshop"])
    assert filtered(expert, q=v["action"].joint_action.title[:12]) == pks(v["action"])
    assert filtered(expert, q="Lipnicy") == pks(v["lipnica"])
    assert filtered(expert, q="nic-takiego") == set()


def test_the_list_is_newest_first_and_says_the_filters_in_use(client, librarian, variety):
    client.force_login(librarian)

    everything = client.get(LIST)
    featured = client.get(LIST, {"featured": "yes", "kind": "joint_action"})
    nothing = client.get(LIST, {"q": "nic-takiego"})

    assert [p.pk for p in everything.context["rows"]] == [
        variety[k].pk for k in ("lipnica", "visit", "action", "workshop")
    ]
    assert [p.pk for p in featured.context["rows"]] == [variety["action"].pk]
    assert "pokaż <strong>tylko wyróżnione</strong>" in featured.content.decode()
    assert "Żadna dobra praktyka nie pasuje" in nothing.content.decode()


def test_a_bad_filter_shows_nothing_and_says_so(client, librarian, variety):
    client.force_login(librarian)

    response = client.get(LIST, {"kind": "nie-ma"})

    assert response.context["rows"] == []
    assert response.context["filterset"].errors


# ----- Featuring and the export -----


def test_only_experts_and_the_coordinator_feature(
    client, expert, coordinator, animator, librarian, practice
):
    url = reverse("partnerships:practice_feature", args=[practice.pk])
    answers = {}
    for user in (animator.user, librarian):
        client.force_login(user)
        answers[user.email] = client.post(url, {"featured": "1"}).status_code
    practice.refresh_from_db()
    assert answers == {animator.user.email: 403, librarian.email: 403}
    assert not practice.featured

    client.force_login(expert)
    assert client.get(url).status_code == 405
    assert client.post(url, {"featured": "1"}).status_code == 302
    practice.refresh_from_db()
    assert practice.featured
    client.post(url, {"featured": "nie"})
    practice.refresh_from_db()
    assert practice.featured
    client.force_login(coordinator)
    client.post(url, {"featured": "0"})
    practice.refresh_from_db()
    assert not practice.featured
    with pytest.raises(PermissionDenied):
        practices.practice_feature(practice=practice, featured=True, by=animator.user)


def test_the_practice_page_offers_featuring_to_experts_only(
    client, expert, animator, practice
):
    client.force_login(animator.user)
    for_animator = client.get(detail_url(practice)).content.decode()
    client.force_login(expert)
    for_expert = client.get(detail_url(practice)).content.decode()

    feature = reverse("partnerships:practice_feature", args=[practice.pk])
    assert feature not in for_animator and feature in for_expert
    assert 'name="csrfmiddlewaretoken"' in for_expert


EXPORT = reverse("partnerships:practice_export")


def test_only_the_coordinator_exports(client, expert, animator, librarian, practice):
    for user in (expert, animator.user, librarian):
        client.force_login(user)
        assert client.get(EXPORT).status_code == 403


def test_the_export_has_a_row_with_the_texts_of_each_practice(
    client, coordinator, expert, variety
):
    practices.practice_update(
        practice=variety["visit"], why='=HYPERLINK("http://zle.example","kliknij")', by=expert
    )
    client.force_login(coordinator)

    response = client.get(EXPORT, {"kind": "visit"})
    everything = client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "rodzaj" in rows[0][0]  # the caption names the filter
    headers = rows[1]
    assert headers[:6] == ("Biblioteka", "Gmina", "Województwo", "Runda", "Rodzaj", "Tytuł")
    assert "Dlaczego się udało" in headers and "Co się wydarzyło" in headers
    assert len(rows) == 3
    row = dict(zip(headers, rows[2], strict=True))
    assert row["Dlaczego się udało"] == '=HYPERLINK("http://zle.example","kliknij")'
    assert sheet.cell(row=3, column=headers.index("Dlaczego się udało") + 1).data_type == "s"
    assert row["Adres"].endswith(detail_url(variety["visit"]))
    assert row["Rodzaj"] == "wizyta animatora"
    all_rows = list(
        openpyxl.load_workbook(io.BytesIO(everything.content)).active.iter_rows(values_only=True)
    )
    assert len(all_rows) == 2 + len(variety)
    featured = next(r for r in all_rows[2:] if r[headers.index("Wyróżniona")] == "tak")
    assert featured[headers.index("Sektory partnerów")] == "koło gospodyń wiejskich"


# ----- Query counts -----


def build_practices(round_, size, by):
    for number in range(size):
        partnership = factories.PartnershipFactory(round=round_)
        partner = factories.PartnerFactory(partnership=partnership)
        meeting = factories.MeetingFactory(partnership=partnership)
        meeting.partners_present.add(partner)
        if number % 2:
            record = factories.JointActionFactory(
                partnership=partnership, status=JointActionStatus.DONE,
                done_on=day(partnership, 60),
            )
            record.partners.add(partner)
        else:
            record = meeting
        practices.practice_mark(record=record, why="Udało się.", photo=attach(meeting), by=by)


@pytest.mark.parametrize("size", [2, 12])
def test_the_lists_query_count_does_not_grow(
    client, round_, expert, other_librarian, size, django_assert_num_queries
):
    build_practices(round_, size, expert)
    client.force_login(other_librarian)

    # 1 session, 2 user, 3 groups, 4 count, 5 the page's practices (with their records,
    # libraries, photos and whether the card may be opened), 6 partners present at the
    # meetings, 7 partners of the actions, 8 voivodeships (filter choices)
    with django_assert_num_queries(8):
        response = client.get(LIST, {"sector": Sector.NGO, "q": "Udało"})

    assert len(response.context["rows"]) == size


@pytest.mark.parametrize("size", [2, 12])
def test_the_exports_query_count_does_not_grow(
    client, round_, expert, coordinator, size, django_assert_num_queries
):
    build_practices(round_, size, expert)
    client.force_login(coordinator)

    # 1 session, 2 user, 3 groups, 4 the practices, 5 partners present, 6 partners of actions
    with django_assert_num_queries(6):
        response = client.get(EXPORT)

    assert response.status_code == 200


def test_a_practice_page_costs_a_few_queries(
    client, other_librarian, practice, django_assert_num_queries
):
    client.force_login(other_librarian)

    # 1 session, 2 user, 3 groups, 4 the practice (its meeting, library, photo, whether the
    # card may be opened), 5 the partners present (a meeting's practice has no action's)
    with django_assert_num_queries(5):
        client.get(detail_url(practice))


# ----- The admin -----


def test_the_admin_lists_practices_and_features_through_the_service(
    client, expert, practice
):
    client.force_login(expert)
    changelist = reverse("admin:partnerships_goodpractice_changelist")

    listed = client.get(changelist)
    featured = client.post(
        changelist, {"action": "feature", "_selected_action": [practice.pk]}
    )
    add = client.get(reverse("admin:partnerships_goodpractice_add"))

    assert listed.status_code == 200 and practice.partnership.library.name in (
        listed.content.decode()
    )
    assert featured.status_code == 302
    practice.refresh_from_db()
    assert practice.featured
    assert practice.history.first().history_user == expert
    assert add.status_code == 403


def test_the_admin_is_for_the_staff(client, animator, practice):
    animator.user.is_staff = True
    animator.user.save()
    client.force_login(animator.user)

    response = client.get(reverse("admin:partnerships_goodpractice_changelist"))

    assert response.status_code == 403
    assert Role.ANIMATOR in animator.user.groups.values_list("name", flat=True)
