"""Will it last? The sustainability check (partnerships/progress.py: Lasting), on the card, the
dashboard and in the round report. Its texts are read in Polish, the default language.

The test round runs from 1 March to 30 September 2026: the check starts on 1 September.
"""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from partnerships import lasting, report
from partnerships.models import JointActionStatus, Partnership, Round, Sector
from partnerships.progress import (
    LastingNotAnnotated,
    lasting_annotations,
    lasting_from,
)
from tests import factories
from tests.spreadsheets import read_xlsx

pytestmark = pytest.mark.django_db
D = datetime.date
START = D(2026, 9, 1)  # the check's first day in the test round
IN_CHECK = D(2026, 9, 10)
AFTER_ROUND = D(2026, 10, 6)
GOOD_SECTORS = (Sector.LOCAL_GOVERNMENT, Sector.SCHOOL, Sector.NGO)


def make(round_, *, code="12", agreement=True, action=True, sectors=GOOD_SECTORS,
         next_meeting_on=AFTER_ROUND, animator=None, name=None):
    """A partnership meeting the four conditions by 1 September, unless told otherwise:
    agreement signed 1 June, joint action carried out 1 July, `sectors` joined 1 April, the
    latest meeting (20 August) planning the next on `next_meeting_on`."""
    library = factories.LibraryFactory(voivodeship=factories.voivodeship(code),
                                       **({"name": name} if name else {}))
    partnership = factories.PartnershipFactory(round=round_, library=library)
    if animator is not None:
        factories.AssignmentFactory(partnership=partnership, animator=animator)
    if agreement:
        factories.AgreementFactory(partnership=partnership, signed_on=D(2026, 6, 1))
    if action:
        factories.JointActionFactory(partnership=partnership, planned_on=D(2026, 7, 1),
                                     done_on=D(2026, 7, 1), status=JointActionStatus.DONE)
    for sector in sectors:
        factories.PartnerFactory(partnership=partnership, sector=sector, joined_on=D(2026, 4, 1))
    factories.MeetingFactory(partnership=partnership, date=D(2026, 5, 5),
                             next_meeting_on=D(2026, 8, 20))
    factories.MeetingFactory(partnership=partnership, date=D(2026, 8, 20),
                             next_meeting_on=next_meeting_on)
    return partnership


def check(partnership, day=IN_CHECK):
    return (
        Partnership.objects.filter(pk=partnership.pk)
        .with_progress(day)
        .annotate(**lasting_annotations(day))
        .get()
        .progress.lasting
    )


def held(result):
    return {c.key: c.holds for c in result.conditions}


# ----- The rule -----


class TestStartDay:
    def test_the_first_day_of_the_month_the_round_ends_in(self, round_):
        assert lasting_from(round_) == START

    def test_a_round_of_other_months(self):
        winter = factories.RoundFactory(name="Runda zimowa", start=D(2025, 11, 1))
        assert winter.end == D(2026, 5, 31)
        assert lasting_from(winter) == D(2026, 5, 1)

    def test_never_before_the_round_starts(self):
        short = Round(start=D(2026, 10, 5), end=D(2026, 10, 20))
        assert lasting_from(short) == D(2026, 10, 5)

    def test_judged_from_the_start_day_not_the_day_before(self, round_):
        partnership = make(round_)

        assert not check(partnership, START - datetime.timedelta(days=1)).checked
        assert check(partnership, START).checked
        assert check(partnership, D(2026, 9, 30)).checked

    def test_after_the_round_still_judged(self, round_):
        assert check(make(round_), D(2026, 10, 3)).sustainable


class TestConditions:
    def test_all_four_hold(self, round_):
        result = check(make(round_))

        assert held(result) == {"agreement": True, "joint_action": True, "sectors": True,
                                "meeting_after_round": True}
        assert result.sustainable and not result.missing_one and result.missing == []

    def test_agreement_counts_from_the_day_it_was_signed(self, round_):
        partnership = make(round_, agreement=False)
        factories.AgreementFactory(partnership=partnership, signed_on=D(2026, 9, 5))

        assert not held(check(partnership, D(2026, 9, 4)))["agreement"]
        assert held(check(partnership, D(2026, 9, 5)))["agreement"]

    def test_a_joint_action_only_when_carried_out_by_the_day(self, round_):
        partnership = make(round_, action=False)
        factories.JointActionFactory(partnership=partnership, planned_on=D(2026, 8, 1),
                                     status=JointActionStatus.IN_PROGRESS)
        factories.JointActionFactory(partnership=partnership, planned_on=D(2026, 8, 2),
                                     status=JointActionStatus.CANCELLED)
        assert not held(check(partnership))["joint_action"]

        factories.JointActionFactory(partnership=partnership, planned_on=D(2026, 9, 12),
                                     done_on=D(2026, 9, 12), status=JointActionStatus.DONE)
        assert not held(check(partnership, D(2026, 9, 11)))["joint_action"]
        result = check(partnership, D(2026, 9, 12))
        assert held(result)["joint_action"]
        assert result.conditions[1].text == "pierwsze zrealizowane 12 września 2026"

    def test_gmina_office_missing(self, round_):
        result = check(make(round_, sectors=(Sector.SCHOOL, Sector.NGO, Sector.PARISH)))

        assert held(result)["sectors"] is False
        assert result.missing_one
        assert result.missing[0].short == "brak urzędu gminy"
        assert result.missing[0].text == (
            "Brak jeszcze urzędu gminy ani innego partnera z samorządu."
        )

    def test_two_sectors_are_not_enough(self, round_):
        partnership = make(round_, sectors=(Sector.LOCAL_GOVERNMENT, Sector.NGO, Sector.NGO))

        result = check(partnership)
        assert not held(result)["sectors"]
        assert result.missing[0].text == (
            "Potrzebni są partnerzy z co najmniej trzech sektorów; na razie: 2."
        )
        assert result.missing[0].short == "mniej niż trzy sektory"

    def test_neither_the_gmina_office_nor_three_sectors(self, round_):
        result = check(make(round_, sectors=(Sector.NGO,)))

        assert result.missing[0].text == (
            "Brak jeszcze urzędu gminy ani innego partnera z samorządu. "
            "Potrzebni są partnerzy z co najmniej trzech sektorów; na razie: 1."
        )
        assert result.missing[0].short == "brak urzędu gminy, mniej niż trzy sektory"

    def test_a_partner_who_left_is_not_counted(self, round_):
        partnership = make(round_, sectors=(Sector.LOCAL_GOVERNMENT, Sector.NGO))
        school = factories.PartnerFactory(partnership=partnership, sector=Sector.SCHOOL,
                                          joined_on=D(2026, 4, 1), left_on=D(2026, 9, 10))

        assert held(check(partnership, D(2026, 9, 9)))["sectors"]  # leaves on the 10th
        assert not held(check(partnership, D(2026, 9, 10)))["sectors"]
        school.left_on = None
        school.save()
        assert held(check(partnership, D(2026, 9, 10)))["sectors"]

    def test_a_partner_who_joins_later_is_not_counted_yet(self, round_):
        partnership = make(round_, sectors=(Sector.LOCAL_GOVERNMENT, Sector.NGO))
        factories.PartnerFactory(partnership=partnership, sector=Sector.SCHOOL,
                                 joined_on=D(2026, 9, 15))

        assert not held(check(partnership, D(2026, 9, 14)))["sectors"]
        assert held(check(partnership, D(2026, 9, 15)))["sectors"]

    def test_a_meeting_planned_on_the_last_day_is_within_the_round(self, round_):
        result = check(make(round_, next_meeting_on=round_.end))

        assert not held(result)["meeting_after_round"]
        assert result.missing[0].text == (
            "Następne zaplanowane spotkanie (30 września 2026) wypada jeszcze w rundzie, która "
            "kończy się 30 września 2026."
        )

    def test_a_meeting_planned_the_day_after_the_round(self, round_):
        result = check(make(round_, next_meeting_on=round_.end + datetime.timedelta(days=1)))

        assert held(result)["meeting_after_round"]
        assert result.conditions[3].text == "następne spotkanie zaplanowane na 1 października 2026"

    def test_the_plan_of_the_latest_meeting_counts(self, round_):
        partnership = make(round_, next_meeting_on=AFTER_ROUND)
        factories.MeetingFactory(partnership=partnership, date=D(2026, 9, 8))  # plans nothing

        assert held(check(partnership, D(2026, 9, 7)))["meeting_after_round"]
        result = check(partnership, D(2026, 9, 8))
        assert not held(result)["meeting_after_round"]
        assert result.missing[0].text == (
            "Brak spotkania zaplanowanego po rundzie, która kończy się 30 września 2026."
        )

    def test_missing_two(self, round_):
        result = check(make(round_, agreement=False, next_meeting_on=None))

        assert [c.key for c in result.missing] == ["agreement", "meeting_after_round"]
        assert [c.short for c in result.missing] == [
            "brak podpisanego porozumienia", "brak spotkania zaplanowanego po rundzie",
        ]
        assert [c.short for c in result.conditions if c.holds] == ["", ""]
        assert not result.sustainable and not result.missing_one

    def test_a_withdrawn_partnership_is_not_judged(self, round_):
        partnership = make(round_)
        partnership.withdrawn_on = D(2026, 9, 2)
        partnership.save()

        assert check(partnership, D(2026, 9, 1)).sustainable
        assert check(partnership, D(2026, 9, 2)) is None

    def test_without_the_annotations_it_says_so(self, round_):
        partnership = Partnership.objects.with_progress(IN_CHECK).get(pk=make(round_).pk)

        with pytest.raises(LastingNotAnnotated):
            _ = partnership.progress.lasting

    def test_the_facts_of_another_day_are_refused(self, round_):
        partnership = (
            Partnership.objects.with_progress(IN_CHECK)
            .annotate(**lasting_annotations(START))
            .get(pk=make(round_).pk)
        )

        with pytest.raises(LastingNotAnnotated):
            _ = partnership.progress.lasting

    def test_no_extra_query_per_partnership(self, round_, django_assert_num_queries):
        for _ in range(3):
            make(round_, sectors=(Sector.NGO,))

        with django_assert_num_queries(1):
            checks = [
                p.progress.lasting
                for p in Partnership.objects.with_progress(IN_CHECK).annotate(
                    **lasting_annotations(IN_CHECK)
                )
            ]
        assert [c.sustainable for c in checks] == [False] * 3


# ----- The card -----


@pytest.fixture
def today(monkeypatch):
    """The day the pages are asked on (default: in the check)."""

    def set_today(day):
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)

    set_today(IN_CHECK)
    return set_today


class TestCard:
    def test_librarian_reads_the_check_in_polish(self, client, round_, today):
        partnership = make(round_, agreement=False)
        librarian = factories.UserFactory(role="librarian")
        partnership.library.librarians.add(librarian)
        client.force_login(librarian)

        page = client.get(f"/libraries/{partnership.library.pk}/").content.decode()

        assert "Czy partnerstwo przetrwa?" in page
        assert "Jeszcze niespełnione: 1 z czterech warunków." in page
        assert "Porozumienie nie zostało jeszcze podpisane." in page
        assert "pierwsze zrealizowane 1 lipca 2026" in page
        assert "następne spotkanie zaplanowane na 6 października 2026" in page
        assert "✗" in page and "✓" in page
        assert "Zapisz porozumienie" not in page.split("Czy partnerstwo przetrwa?")[1].split(
            "</section>")[0]  # a librarian is not offered to record it

    def test_all_met(self, client, round_, today, coordinator):
        partnership = make(round_)
        client.force_login(coordinator)

        page = client.get(f"/libraries/{partnership.library.pk}/").content.decode()

        assert "Wszystkie cztery warunki są spełnione." in page

    def test_the_animator_is_offered_what_fixes_it(self, client, round_, today, expert):
        animator = factories.AnimatorFactory(expert=expert)
        partnership = make(round_, agreement=False, sectors=(Sector.NGO,), animator=animator)
        client.force_login(animator.user)

        page = client.get(f"/libraries/{partnership.library.pk}/").content.decode()
        section = page.split('id="lasting-heading"')[1].split("</section>")[0]

        library = partnership.library.pk
        assert f'href="/libraries/{library}/agreement/"' in section
        assert f'href="/libraries/{library}/partners/new/"' in section
        assert "Brak jeszcze urzędu gminy ani innego partnera z samorządu." in section

    def test_in_english(self, client, round_, today, coordinator):
        partnership = make(round_, next_meeting_on=None)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        client.force_login(coordinator)

        page = client.get(f"/libraries/{partnership.library.pk}/").content.decode()

        assert "Will it last?" in page
        assert "No meeting planned after the round, which ends on 30 September 2026." in page

    def test_nothing_before_the_check_starts(self, client, round_, today, coordinator):
        partnership = make(round_)
        today(D(2026, 8, 31))
        client.force_login(coordinator)

        page = client.get(f"/libraries/{partnership.library.pk}/").content.decode()

        assert "Czy partnerstwo przetrwa?" not in page

    def test_nothing_for_a_withdrawn_partnership(self, client, round_, today, coordinator):
        partnership = make(round_)
        partnership.withdrawn_on = D(2026, 9, 5)
        partnership.save()
        client.force_login(coordinator)

        page = client.get(f"/libraries/{partnership.library.pk}/").content.decode()

        assert "Czy partnerstwo przetrwa?" not in page

    def test_in_the_print_view_without_links(self, client, round_, today, expert):
        animator = factories.AnimatorFactory(expert=expert)
        partnership = make(round_, agreement=False, animator=animator)
        client.force_login(animator.user)

        page = client.get(f"/libraries/{partnership.library.pk}/?print=1").content.decode()
        section = page.split('id="lasting-heading"')[1].split("</section>")[0]

        assert "Porozumienie nie zostało jeszcze podpisane." in section
        assert "href" not in section


# ----- The dashboard -----


@pytest.fixture
def programme(round_, expert):
    """In małopolskie (12): two sustainable, one missing the agreement, one missing two, one
    withdrawn; in mazowieckie (14), someone else's: one missing the meeting after the round."""
    mine = factories.AnimatorFactory(expert=expert)
    other = factories.AnimatorFactory(expert=factories.UserFactory(role="expert"))
    made = {
        "good1": make(round_, animator=mine, name="Biblioteka A"),
        "good2": make(round_, animator=mine, name="Biblioteka B"),
        "no_agreement": make(round_, animator=mine, agreement=False, name="Biblioteka C"),
        "two": make(round_, animator=mine, agreement=False, action=False, name="Biblioteka D"),
        "withdrawn": make(round_, animator=mine, name="Biblioteka E"),
        "no_meeting": make(round_, code="14", animator=other, next_meeting_on=None,
                           name="Biblioteka F"),
    }
    made["withdrawn"].withdrawn_on = D(2026, 8, 1)
    made["withdrawn"].save()
    return made


def dashboard_data(round_, day=IN_CHECK, **kwargs):
    from partnerships import dashboard

    return dashboard.build(round_=round_, as_of=day, **kwargs)


class TestDashboard:
    def test_share_per_voivodeship_and_missing_one(self, round_, programme):
        data = dashboard_data(round_)

        part = data["lasting"]
        assert part["checked"] and part["starts_on"] == START
        assert (part["total"].judged, part["total"].sustainable) == (5, 2)
        assert part["total"].percent == 40
        rows = {row.voivodeship.code: row.lasting for row in data["voivodeships"]}
        assert (rows["12"].judged, rows["12"].sustainable, rows["12"].percent) == (4, 2, 50)
        assert (rows["14"].judged, rows["14"].sustainable, rows["14"].percent) == (1, 0, 0)
        assert rows["02"].percent is None
        assert [(p.pk, c.key) for p, c in part["missing_one"]] == [
            (programme["no_agreement"].pk, "agreement"),
            (programme["no_meeting"].pk, "meeting_after_round"),
        ]

    def test_an_experts_own_partnerships(self, round_, programme, expert):
        part = dashboard_data(round_, expert=expert)["lasting"]

        assert (part["total"].judged, part["total"].sustainable) == (4, 2)
        assert [p.pk for p, _c in part["missing_one"]] == [programme["no_agreement"].pk]

    def test_as_of_a_day_of_the_check(self, round_, programme):
        # On 9 September the latest meeting of the sustainable ones planned the next within
        # the round for a while: the plan after the round is what the latest meeting says.
        factories.MeetingFactory(partnership=programme["good1"], date=D(2026, 9, 12))

        assert dashboard_data(round_, D(2026, 9, 11))["lasting"]["total"].sustainable == 2
        part = dashboard_data(round_, D(2026, 9, 12))["lasting"]
        assert part["total"].sustainable == 1
        assert programme["good1"].pk in [p.pk for p, _c in part["missing_one"]]

    def test_before_the_check_nothing_is_judged(self, round_, programme):
        part = dashboard_data(round_, D(2026, 8, 31))["lasting"]

        assert not part["checked"]
        assert part["total"].judged == 0 and part["missing_one"] == []

    def test_the_page_in_polish(self, client, round_, programme, expert):
        client.force_login(expert)

        page = client.get("/dashboard/", {"as_of": "2026-09-10", "scope": "all"})
        html = page.content.decode()

        assert "Czy partnerstwa przetrwają?" in html
        assert "trwałe: 2 z 5 partnerstw" in html
        assert "2 partnerstwa, którym brakuje jednego warunku" in html
        library = programme["no_agreement"].library
        assert f'<a href="/libraries/{library.pk}/">Biblioteka C</a>' in html
        assert "— brak podpisanego porozumienia" in html
        assert "— brak spotkania zaplanowanego po rundzie" in html
        assert "Trwałe %" in html
        table = html.split('id="voivodeships-caption"')[1].split("</table>")[0]
        row = table.split(">małopolskie<")[1].split("</tr>")[0]
        assert row.rstrip().endswith('<td class="num">50</td>')

    def test_the_page_before_the_check(self, client, round_, programme, expert):
        client.force_login(expert)

        html = client.get("/dashboard/", {"as_of": "2026-08-31"}).content.decode()

        assert "Sprawdzenie trwałości zaczyna się 1 września 2026" in html
        assert "Trwałe %" not in html

    @pytest.mark.parametrize("scope", ["mine", "all"])
    def test_query_count_does_not_grow(self, client, round_, expert, scope,
                                       django_assert_num_queries):
        """The check's facts are annotations of the partnerships' query: a day of the check
        costs the queries of a day before it (13, pinned in tests/partnerships/
        test_dashboard.py), with 1 partnership of each kind as with 4."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        mine = factories.AnimatorFactory(expert=expert)
        client.force_login(expert)

        made = []

        def add(count):
            for _ in range(count):
                # Every other of mine misses the agreement.
                made.append(make(round_, animator=mine, agreement=len(made) % 2 == 0))
                make(round_, code="14", animator=factories.AnimatorFactory())

        add(1)
        with CaptureQueriesContext(connection) as before_the_check:
            client.get("/dashboard/", {"as_of": "2026-08-31", "scope": scope})
        for size in (1, 4):
            if size > 1:
                add(size - 1)
            with django_assert_num_queries(len(before_the_check)):
                response = client.get("/dashboard/", {"as_of": "2026-09-10", "scope": scope})
            part = response.context["lasting"]
            assert part["total"].judged == (size if scope == "mine" else 2 * size)
            assert len(part["missing_one"]) == size // 2  # 0 of 1, 2 of 4


# ----- The round report -----


class TestReport:
    def test_the_sheet(self, round_, programme):
        programme["good1"].library.name = "=HYPERLINK(\"http://x\",\"y\")"
        programme["good1"].library.save()

        book = report.round_report(round_, as_of=IN_CHECK)
        sheet = book.sheets()[-1]

        assert sheet.title == "Trwałość"
        assert sheet.headers == [
            "Biblioteka", "Kod TERC", "Województwo", "Animator/ka", "Podpisane porozumienie",
            "Co najmniej jedno wspólne działanie zrealizowane",
            "Co najmniej trzy sektory wśród aktywnych partnerów, w tym urząd gminy",
            "Spotkanie zaplanowane po rundzie", "Trwałe", "Czego brakuje",
        ]
        rows = {row[1]: row for row in sheet}
        assert len(rows) == 5  # the withdrawn partnership is not judged
        assert programme["withdrawn"].library.terc not in rows
        two = rows[programme["two"].library.terc]
        assert two[4:] == (
            "nie", "nie", "tak", "tak", "nie",
            "Porozumienie nie zostało jeszcze podpisane. "
            "Żadne wspólne działanie nie zostało jeszcze zrealizowane.",
        )
        assert rows[programme["good2"].library.terc][4:9] == ("tak",) * 5
        assert rows[programme["good2"].library.terc][9] == ""

    def test_downloaded_safe_and_with_the_same_queries(self, client, round_, programme,
                                                       coordinator, monkeypatch,
                                                       django_assert_num_queries):
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: IN_CHECK)
        programme["good1"].library.name = "=1+1"
        programme["good1"].library.save()
        client.force_login(coordinator)

        # As tests/partnerships/test_round_report.py: the check adds no query.
        with django_assert_num_queries(5 + 1 + 1 + 2 + 2 + 1 + 2 + 1):
            response = client.get(
                reverse("admin:partnerships_round_report", args=[round_.pk])
            )

        book = read_xlsx(response.content)
        assert book.sheetnames[-1] == "Trwałość"
        rows = list(book["Trwałość"].iter_rows(values_only=True))
        names = {row[0] for row in rows[1:]}
        assert "=1+1" in names  # text, not a formula
        cell = next(c for c in book["Trwałość"]["A"] if c.value == "=1+1")
        assert cell.data_type == "s" and cell.quotePrefix


def test_the_dashboard_part_alone(round_):
    """`lasting.dashboard` gives every voivodeship row a share, even the empty ones."""
    from partnerships.dashboard import ListLinks, _voivodeships

    rows = _voivodeships([], ListLinks(round_=round_, as_of=IN_CHECK))
    part = lasting.dashboard([], rows, round_, IN_CHECK)

    assert part["lasting"]["total"].percent is None
    assert all(row.lasting.judged == 0 for row in rows)
