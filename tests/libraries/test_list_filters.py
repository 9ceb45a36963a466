"""/libraries/ as the dashboard's figures open it: the `attention` filter (late, quiet, missed
meeting), the state on a day (`as_of`), the summary of the filters in use, people named by name,
the sort options in each language, and an export that says which filters made it."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.utils import timezone, translation

from partnerships import dashboard
from partnerships.filters import PartnershipFilterSet
from partnerships.models import Partnership, Stage
from tests import factories

pytestmark = pytest.mark.django_db
URL = "/libraries/"
EXPORT = "/libraries/export.csv"
D = datetime.date
DAY = "2026-05-20"  # the day most tests look at


@pytest.fixture
def libraries(round_, expert):
    """On 20 May 2026: Radom (mazowieckie) missed the meeting planned for 18 May; Płock
    (mazowieckie) is late since 15 April (only the diagnosis); Kraków (małopolskie) is quiet
    (no meeting since 25 April); Sopot (pomorskie) withdrew on 1 April."""
    mazowieckie, malopolskie = factories.voivodeship("14"), factories.voivodeship("12")
    anna = factories.AnimatorFactory(expert=expert, user__first_name="Anna",
                                     user__last_name="Nowak", user__email="anna@example.org")
    radom = factories.PartnershipFactory(
        round=round_, library__name="Biblioteka w Radomiu", library__voivodeship=mazowieckie)
    factories.reach_stages(radom, 3, days=[D(2026, 3, 10), D(2026, 4, 10), D(2026, 4, 25)])
    factories.MeetingFactory(partnership=radom, date=D(2026, 5, 15),
                             next_meeting_on=D(2026, 5, 18))
    plock = factories.PartnershipFactory(
        round=round_, library__name="Biblioteka w Płocku", library__voivodeship=mazowieckie)
    factories.reach_stages(plock, 1, days=[D(2026, 3, 20)])
    factories.MeetingFactory(partnership=plock, date=D(2026, 5, 10))
    krakow = factories.PartnershipFactory(
        round=round_, library__name="Biblioteka w Krakowie", library__voivodeship=malopolskie)
    factories.reach_stages(krakow, 3, days=[D(2026, 3, 10), D(2026, 4, 10), D(2026, 4, 25)])
    sopot = factories.PartnershipFactory(
        round=round_, library__name="Biblioteka w Sopocie",
        library__voivodeship=factories.voivodeship("22"), withdrawn_on=D(2026, 4, 1))
    factories.MeetingFactory(partnership=sopot, date=D(2026, 3, 20),
                             next_meeting_on=D(2026, 3, 30))
    factories.AssignmentFactory(partnership=radom, animator=anna)
    factories.AssignmentFactory(partnership=krakow, animator=anna)
    return {"radom": radom, "plock": plock, "krakow": krakow, "sopot": sopot, "anna": anna}


def names(response):
    return [p.library.name for p in response.context["page"].object_list]


def english(client):
    client.cookies["django_language"] = "en"
    return client


class TestAttention:
    @pytest.mark.parametrize("kind,expected", [
        ("late", ["Biblioteka w Płocku"]),
        ("quiet", ["Biblioteka w Krakowie"]),
        ("missed_meeting", ["Biblioteka w Radomiu"]),
    ])
    def test_each_kind_on_a_day(self, client, expert, libraries, kind, expected):
        client.force_login(expert)

        response = client.get(URL, {"attention": kind, "as_of": DAY})

        assert names(response) == expected

    @pytest.mark.parametrize("day", [D(2026, 3, 25), D(2026, 4, 16), D(2026, 5, 20),
                                     D(2026, 6, 30), D(2026, 9, 30)])
    def test_the_same_partnerships_as_the_dashboard_lists(self, client, expert, libraries,
                                                          round_, day):
        board = dashboard.build(round_=round_, as_of=day)
        client.force_login(expert)

        for kind, listed in (("late", "late"), ("quiet", "quiet"),
                             ("missed_meeting", "missed_meetings")):
            response = client.get(URL, {"attention": kind, "as_of": day.isoformat()})
            assert sorted(names(response)) == sorted(p.library.name for p in board[listed])

    def test_an_animator_sees_only_their_own(self, client, libraries):
        client.force_login(libraries["anna"].user)

        assert names(client.get(URL, {"attention": "late", "as_of": DAY})) == []
        assert names(client.get(URL, {"attention": "quiet", "as_of": DAY})) == [
            "Biblioteka w Krakowie"
        ]

    def test_an_unknown_kind_is_refused_with_no_rows(self, client, expert, libraries):
        client.force_login(expert)

        response = client.get(URL, {"attention": "asleep"})

        assert response.context["page"].paginator.count == 0
        assert "Wybierz poprawną wartość" in response.content.decode()

    def test_filterset_alone(self, libraries):
        day = D(2026, 5, 20)
        queryset = Partnership.objects.with_progress(day).with_activity(day)

        quiet = PartnershipFilterSet({"attention": "quiet"}, queryset=queryset, as_of=day).qs

        assert list(quiet) == [libraries["krakow"]]


class TestAsOf:
    def test_the_state_on_that_day(self, client, expert, libraries):
        client.force_login(expert)

        before = client.get(URL, {"status": "late", "as_of": "2026-04-15"})
        after = client.get(URL, {"status": "late", "as_of": "2026-04-16"})

        assert "Biblioteka w Płocku" not in names(before)  # deadline day: not late yet
        assert "Biblioteka w Płocku" in names(after)
        assert after.context["as_of"] == D(2026, 4, 16)

    @pytest.mark.parametrize("value,message", [
        ("2026-13-45", "Enter a valid date."),
        ("2025-05-20", "Choose a day of the round: from 1 March 2026 to 30 September 2026."),
    ])
    def test_a_bad_day_says_so_and_shows_the_list_of_today(self, client, expert, libraries,
                                                           round_, value, message):
        english(client).force_login(expert)

        response = client.get(URL, {"as_of": value, "status": "late"})

        content = response.content.decode()
        assert response.status_code == 200
        assert message in content
        today = round_.clamp(timezone.localdate())
        assert response.context["as_of"] == today
        assert f"Shown instead: the state on {today:%-d %B %Y}." in content
        # The panel opens on the field with its error.
        assert '<details class="card filters filters--libraries" open>' in content
        assert 'aria-invalid="true"' in content

    def test_an_export_with_a_bad_day_goes_back_to_the_list(self, client, expert, libraries):
        client.force_login(expert)

        response = client.get(EXPORT, {"as_of": "2025-05-20"})

        assert response.status_code == 302
        assert response["Location"] == f"{URL}?as_of=2025-05-20"


class TestSummary:
    def test_says_which_filters_are_in_use_and_folds_the_panel(self, client, expert, libraries):
        english(client).force_login(expert)

        response = client.get(URL, {"status": "late", "voivodeship": "14", "as_of": DAY,
                                    "o": "-library"})

        content = response.content.decode()
        assert response.context["filters_in_use"] == [
            ("as_of", "as of", "20 May 2026"),
            ("status", "status", "late"),
            ("voivodeship", "voivodeship", "mazowieckie"),
        ]
        assert "<strong>late</strong>" in content and "<strong>mazowieckie</strong>" in content
        assert f'(<a href="{URL}">clear</a>)' in content
        assert '<details class="card filters filters--libraries">' in content  # folded
        assert "Change filters" in content
        # The summary, the folded panel, then the count and the rows.
        assert (content.index("filter-summary") < content.index("card filters")
                < content.index("list-toolbar") < content.index("<table"))

    def test_no_summary_without_filters(self, client, expert, libraries):
        client.force_login(expert)

        response = client.get(URL, {"o": "library"})

        assert response.context["filters_in_use"] == []
        assert "filter-summary" not in response.content.decode()

    def test_a_search_is_quoted(self, client, expert, libraries):
        english(client).force_login(expert)

        response = client.get(URL, {"q": " Radom "})

        assert response.context["filters_in_use"] == [("q", "search", "„Radom”")]


class TestNames:
    def test_animators_and_experts_are_named_surname_first(self, client, coordinator,
                                                           libraries, expert):
        expert.first_name, expert.last_name = "Ewa", "Kowal"
        expert.save()
        client.force_login(coordinator)

        response = client.get(URL, {"animator": libraries["anna"].pk, "expert": expert.pk})

        form = response.context["filterset"].form
        assert "Nowak Anna" in [label for _value, label in form.fields["animator"].choices]
        assert "Kowal Ewa" in [label for _value, label in form.fields["expert"].choices]
        content = response.content.decode()
        assert "anna@example.org" not in content and expert.email not in content
        assert [value for _name, _label, value in response.context["filters_in_use"]] == [
            "Nowak Anna", "Kowal Ewa"
        ]


class TestSortLabels:
    def test_every_direction_is_in_the_language_of_the_page(self):
        with translation.override("pl"):
            assert list(PartnershipFilterSet({}).form.fields["o"].choices)  # built in Polish
        with translation.override("en"):
            labels = {
                value: str(label)
                for value, label in PartnershipFilterSet({}).form.fields["o"].choices
            }

        assert labels["library"] == "library A–Z"
        assert labels["-library"] == "library Z–A"
        assert labels["-last_meeting"] == "last meeting, newest first"
        assert labels["-partners"] == "partners, most first"
        assert not [label for label in labels.values() if "malejąco" in str(label)
                    or "descending" in str(label) and label != "status (descending)"]
        assert labels[""] == "default (library A–Z)"
        assert len(labels) == 2 * 8 + 1  # both directions of 8 columns, and the default


class TestPlurals:
    @pytest.mark.parametrize("count,text", [(1, "1 partnerstwo"), (3, "3 partnerstwa"),
                                            (5, "5 partnerstw"), (22, "22 partnerstwa")])
    def test_the_count_says_partnerships_in_polish(self, client, expert, round_, count, text):
        for _ in range(count):
            factories.PartnershipFactory(round=round_)
        client.force_login(expert)

        assert text in client.get(URL).content.decode()


class TestExport:
    def test_the_file_name_says_the_filters_and_the_day(self, client, expert, libraries):
        client.force_login(expert)

        response = client.get("/libraries/export.xlsx",
                              {"status": "late", "voivodeship": "14", "as_of": DAY})

        assert response["Content-Disposition"] == (
            'attachment; filename="partnerstwa-opoznione-mazowieckie-2026-05-20.xlsx"'
        )

    def test_the_first_row_says_the_filters_the_round_and_the_day(self, client, expert,
                                                                  libraries):
        english(client).force_login(expert)

        response = client.get(EXPORT, {"attention": "missed_meeting", "as_of": DAY})

        rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
        assert rows[0] == ["Filters: needs attention: planned meeting passed, nothing logged"
                           " — Runda testowa, as of 20 May 2026"]
        assert rows[1][0] == "Library"
        assert [row[0] for row in rows[2:]] == ["Biblioteka w Radomiu"]

    def test_without_filters_the_first_row_says_so(self, client, expert, libraries):
        english(client).force_login(expert)

        response = client.get("/libraries/export.xlsx")

        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert sheet["A1"].value.startswith("Filters: none (every partnership) — Runda testowa")
        assert sheet["A2"].value == "Library"
        assert sheet.freeze_panes == "A3"
        assert response["Content-Disposition"].endswith('-2026-09-30.xlsx"')

    def test_a_search_that_looks_like_a_formula_stays_text(self, client, expert, libraries):
        client.force_login(expert)

        response = client.get("/libraries/export.xlsx", {"q": "=HYPERLINK(\"x\")"})

        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert sheet["A1"].data_type == "s"
        assert "„=HYPERLINK(\"x\")”" in sheet["A1"].value
        assert 'filename="partnerstwa-hyperlinkx-2026-09-30.xlsx"' in (
            response["Content-Disposition"]
        )

    def test_a_column_says_the_overdue_stage_and_its_deadline(self, client, expert, libraries):
        english(client).force_login(expert)

        response = client.get(EXPORT, {"as_of": DAY, "o": "library"})

        rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
        headers = rows[1]
        column = headers.index("Overdue stage")
        assert headers[column - 1] == "Status"
        overdue = {row[0]: row[column] for row in rows[2:]}
        assert overdue["Biblioteka w Płocku"] == "overdue since 15 April: partners invited"
        assert overdue["Biblioteka w Radomiu"] == overdue["Biblioteka w Sopocie"] == ""

    def test_the_list_shows_the_same_overdue_stage(self, client, expert, libraries):
        english(client).force_login(expert)

        content = client.get(URL, {"as_of": DAY, "status": "late"}).content.decode()

        assert "Next stage and deadline" in content
        assert "overdue since 15 April: partners invited" in content


@pytest.mark.parametrize("size", [2, 10])
def test_query_counts_with_every_filter_do_not_grow(client, expert, round_, size,
                                                    django_assert_num_queries):
    anna = factories.AnimatorFactory(expert=expert)
    for _ in range(size):
        partnership = factories.PartnershipFactory(
            round=round_, library__voivodeship=factories.voivodeship("14"))
        factories.AssignmentFactory(partnership=partnership, animator=anna)
        factories.PartnerFactory(partnership=partnership)
        factories.MeetingFactory(partnership=partnership, date=D(2026, 4, 1),
                                 next_meeting_on=D(2026, 4, 20))
        factories.MilestoneFactory(partnership=partnership, stage=Stage.DIAGNOSIS,
                                   reached_on=D(2026, 3, 20))
    params = {"as_of": DAY, "status": "late", "attention": "quiet", "voivodeship": "14",
              "animator": anna.pk, "expert": expert.pk, "q": "Biblioteka", "o": "-animator"}
    client.force_login(expert)

    # 1 session, 2 user, 3 groups, 4 current round (no round in the URL), 5 the voivodeship,
    # 6 the animator, 7 the expert (the filters' values), 8 count, 9 the page's partnerships,
    # 10 rounds for the selector, 11 voivodeships, 12 animators, 13 experts (filter choices)
    with django_assert_num_queries(13):
        response = client.get(URL, params)
    assert response.context["page"].paginator.count == size

    # 1 session, 2 user, 3 groups, 4 current round, 5–7 the filters' values, 8 the partnerships
    with django_assert_num_queries(8):
        response = client.get(EXPORT, params)
    assert response.status_code == 200
