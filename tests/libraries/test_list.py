"""/libraries/: every partnership of the round, filtered, sorted, paginated and exported."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from libraries import views
from partnerships.filters import PartnershipFilterSet
from partnerships.models import Assignment, Partnership, Stage
from prb_partnerships.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db
URL = "/libraries/"
D = datetime.date


@pytest.fixture
def libraries(round_, expert):
    """Three partnerships: Zakopane (małopolskie, diagnosis, Anna), Łomża (podlaskie, nothing,
    Bartek), Sopot (pomorskie, withdrawn, no animator). A partner "Koło Gospodyń" in Łomża."""
    anna = factories.AnimatorFactory(expert=expert, user__first_name="Anna",
                                     user__last_name="Kowalska")
    bartek = factories.AnimatorFactory(user__first_name="Bartek", user__last_name="Zieliński")
    zakopane = factories.PartnershipFactory(
        round=round_, library__name="Biblioteka w Zakopanem", library__town="Zakopane",
        library__voivodeship=factories.voivodeship("12"))
    lomza = factories.PartnershipFactory(
        round=round_, library__name="Biblioteka w Łomży", library__gmina="Łomża",
        library__voivodeship=factories.voivodeship("20"))
    sopot = factories.PartnershipFactory(
        round=round_, library__name="Biblioteka w Sopocie",
        library__voivodeship=factories.voivodeship("22"), withdrawn_on=D(2026, 4, 1))
    factories.AssignmentFactory(partnership=zakopane, animator=anna)
    factories.AssignmentFactory(partnership=lomza, animator=bartek)
    factories.MilestoneFactory(partnership=zakopane, stage=Stage.DIAGNOSIS,
                               reached_on=D(2026, 3, 20))
    factories.PartnerFactory(partnership=lomza, name="Koło Gospodyń Wiejskich w Piątnicy")
    return {"zakopane": zakopane, "lomza": lomza, "sopot": sopot, "anna": anna,
            "bartek": bartek}


def filtered(**params):
    queryset = Partnership.objects.with_progress(D(2026, 5, 1)).with_activity(D(2026, 5, 1))
    return PartnershipFilterSet(params, queryset=queryset).qs


class TestFilterSet:
    def test_voivodeship_by_teryt_code(self, libraries):
        assert list(filtered(voivodeship="20")) == [libraries["lomza"]]

    def test_stage(self, libraries):
        assert list(filtered(stage="diagnosis")) == [libraries["zakopane"]]
        assert filtered(stage="not_started").count() == 2

    def test_status(self, libraries):
        assert list(filtered(status="withdrawn")) == [libraries["sopot"]]
        assert filtered(status="late").count() == 2

    def test_animator(self, libraries):
        assert list(filtered(animator=libraries["bartek"].pk)) == [libraries["lomza"]]

    def test_expert(self, libraries, expert):
        assert list(filtered(expert=expert.pk)) == [libraries["zakopane"]]

    @pytest.mark.parametrize("q,expected", [
        ("zakopane", "zakopane"), ("Łomża", "lomza"), ("Gospodyń", "lomza"), ("sopoc", "sopot"),
    ])
    def test_q_searches_library_gmina_town_and_partners(self, libraries, q, expected):
        assert list(filtered(q=q)) == [libraries[expected]]


class TestPage:
    def test_lists_every_partnership_with_the_count(self, client, expert, libraries):
        client.force_login(expert)

        response = client.get(URL)

        content = response.content.decode()
        assert response.status_code == 200
        assert "3 partnerstwa" in content
        for key in ("zakopane", "lomza", "sopot"):
            assert libraries[key].library.name in content

    def test_filters_from_the_url(self, client, expert, libraries):
        client.force_login(expert)

        response = client.get(URL, {"voivodeship": "12"})

        assert list(response.context["page"].object_list) == [libraries["zakopane"]]

    def test_sorting_by_a_column(self, client, expert, libraries):
        client.force_login(expert)

        page = client.get(URL, {"o": "-voivodeship"}).context["page"]

        assert [p.library.voivodeship.name for p in page] == [
            "pomorskie", "podlaskie", "małopolskie"
        ]

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="Polish collation: PostgreSQL")
    def test_names_sort_in_polish_order(self, client, expert, libraries):
        client.force_login(expert)

        page = client.get(URL, {"o": "library"}).context["page"]

        assert [p.library.name for p in page] == [
            "Biblioteka w Łomży", "Biblioteka w Sopocie", "Biblioteka w Zakopanem"
        ]

    def test_pagination(self, client, expert, round_, monkeypatch):
        monkeypatch.setattr(views, "PAGE_SIZE", 2)
        for _ in range(5):
            factories.PartnershipFactory(round=round_)
        client.force_login(expert)

        response = client.get(URL, {"page": 3})

        assert len(response.context["page"].object_list) == 1
        assert "strona 3 z 3" in response.content.decode()

    def test_a_forged_filter_value_shows_an_error_and_no_rows(self, client, expert, libraries):
        client.force_login(expert)

        response = client.get(URL, {"voivodeship": "99"})

        assert response.context["page"].paginator.count == 0
        assert "Wybierz poprawną wartość" in response.content.decode()

    def test_animator_sees_only_their_libraries(self, client, libraries):
        client.force_login(libraries["anna"].user)

        response = client.get(URL)

        assert list(response.context["page"].object_list) == [libraries["zakopane"]]

    def test_librarian_is_sent_to_their_card(self, client, librarian, library):
        client.force_login(librarian)

        response = client.get(URL, follow=True)

        assert response.redirect_chain[-1][0] == f"/libraries/{library.pk}/"

    def test_user_without_a_role_gets_403(self, client, plain_user):
        client.force_login(plain_user)

        assert client.get(URL).status_code == 403

    def test_login_required(self, client):
        assert client.get(URL)["Location"].startswith("/accounts/login/")

    @pytest.mark.parametrize("size", [2, 10])
    def test_query_count_does_not_grow(self, client, expert, round_, size,
                                       django_assert_num_queries):
        build_partnerships(round_, size)
        client.force_login(expert)

        # 1 session, 2 user, 3 groups, 4 current round, 5 count, 6 the page's partnerships,
        # 7 rounds for the selector, 8 voivodeships, 9 animators, 10 experts (filter choices)
        with django_assert_num_queries(10):
            response = client.get(URL, {"o": "animator"})

        assert response.status_code == 200


def build_partnerships(round_, size):
    for _ in range(size):
        partnership = factories.PartnershipFactory(round=round_)
        factories.AssignmentFactory(partnership=partnership)
        factories.PartnerFactory(partnership=partnership)
        factories.MeetingFactory(partnership=partnership)
        factories.MilestoneFactory(partnership=partnership)


class TestExport:
    def test_csv_has_polish_headers_and_exactly_the_rows_on_screen(
        self, client, expert, libraries
    ):
        client.force_login(expert)

        response = client.get(URL + "export.csv", {"status": "late", "o": "-voivodeship"})

        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        assert len(rows[0]) == 1 and "status opóźnione" in rows[0][0]  # what made the file
        assert rows[1][:3] == ["Biblioteka", "Kod TERC", "Województwo"]
        assert [row[0] for row in rows[2:]] == ["Biblioteka w Łomży", "Biblioteka w Zakopanem"]

    def test_xlsx_holds_all_pages(self, client, expert, round_, monkeypatch):
        monkeypatch.setattr(views, "PAGE_SIZE", 2)
        for _ in range(5):
            factories.PartnershipFactory(round=round_)
        client.force_login(expert)

        response = client.get(URL + "export.xlsx")

        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert sheet.max_row == 2 + 5  # the filters, the headers, the rows
        assert sheet.cell(row=2, column=11).value == "Etap"

    def test_unknown_format_is_404(self, client, expert):
        client.force_login(expert)

        assert client.get(URL + "export.pdf").status_code == 404

    def test_animator_exports_only_their_libraries(self, client, libraries):
        client.force_login(libraries["anna"].user)

        text = client.get(URL + "export.csv").content.decode()

        assert "Zakopanem" in text and "Łomży" not in text

    def test_librarian_gets_403(self, client, librarian):
        client.force_login(librarian)

        assert client.get(URL + "export.csv").status_code == 403

    @pytest.mark.parametrize("size", [2, 10])
    def test_query_count_does_not_grow(self, client, expert, round_, size,
                                       django_assert_num_queries):
        build_partnerships(round_, size)
        client.force_login(expert)

        # 1 session, 2 user, 3 groups, 4 current round, 5 the partnerships
        with django_assert_num_queries(5):
            response = client.get(URL + "export.xlsx")

        assert response.status_code == 200


def test_last_meeting_and_partner_count_are_shown(client, expert, libraries):
    factories.MeetingFactory(partnership=libraries["lomza"], date=D(2026, 4, 2))
    client.force_login(expert)

    row = next(p for p in client.get(URL).context["page"] if p == libraries["lomza"])

    assert row.last_meeting_on == D(2026, 4, 2)
    assert row.partners_count == 1
    assert timezone.localdate() >= D(2026, 4, 2)


class TestExpertSwitch:
    """An expert can narrow the list to her partnerships and back in one tap; the list without
    parameters stays the whole programme."""

    def test_the_plain_list_shows_all_and_offers_only_mine(self, client, expert, libraries):
        client.force_login(expert)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

        response = client.get(URL)

        content = response.content.decode()
        assert response.context["page"].paginator.count == 3
        assert (
            f'<a href="/libraries/?expert={expert.pk}">'
            f"Only mine (expert: {expert.get_full_name()})</a>"
        ) in content
        assert '<a href="/libraries/" aria-current="page">All</a>' in content

    def test_only_mine_keeps_the_other_filters_and_all_clears_just_the_expert(
        self, client, expert, libraries
    ):
        client.force_login(expert)

        response = client.get(URL, {"expert": expert.pk, "status": "late"})

        assert list(response.context["page"]) == [libraries["zakopane"]]
        switch = response.context["expert_switch"]
        assert switch["current"] == "mine"
        assert switch["all_url"] == "/libraries/?status=late"
        assert client.get(switch["all_url"]).context["page"].paginator.count == 2

    def test_another_experts_filter_marks_neither(self, client, expert, libraries):
        other = factories.UserFactory(role=Role.EXPERT)
        client.force_login(expert)

        response = client.get(URL, {"expert": other.pk})

        assert response.context["expert_switch"]["current"] is None

    def test_the_coordinator_and_animators_get_no_switch(self, client, coordinator, libraries):
        client.force_login(coordinator)
        assert client.get(URL).context["expert_switch"] is None

        client.force_login(libraries["anna"].user)
        assert client.get(URL).context["expert_switch"] is None

    @pytest.mark.parametrize("size", [2, 10])
    def test_query_count_does_not_grow_in_her_scope(self, client, expert, round_, size,
                                                    django_assert_num_queries):
        build_partnerships(round_, size)
        for assignment in Assignment.objects.all():
            assignment.animator.expert = expert
            assignment.animator.save()
        client.force_login(expert)

        # 1 session, 2 user, 3 groups, 4 current round, 5 the expert asked for (the filter
        # checks the choice), 6 count, 7 the page's partnerships, 8 rounds for the selector,
        # 9 voivodeships, 10 animators, 11 experts (filter choices)
        with django_assert_num_queries(11):
            response = client.get(URL, {"expert": expert.pk})

        assert response.context["page"].paginator.count == size
