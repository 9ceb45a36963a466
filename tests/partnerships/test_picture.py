"""The picture of a partnership on its card and print view, and of the sectors of a voivodeship
on the dashboard (partnerships/picture.py)."""

import datetime
import re
from html import unescape

import pytest
from django.utils import timezone

from partnerships import picture
from partnerships.models import Sector
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 6, 15)
DASHBOARD = "/dashboard/"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


def card(library, **params):
    query = "?print=1" if params.get("print") else ""
    return f"/libraries/{library.pk}/{query}"


def at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def partners(partnership, animator):
    """Four partners: the gmina office at 3 meetings and a signatory, a school at 1, a
    foundation at none, a parish at 2 that left on 1 June (also present, by mistake, at a
    meeting of another partnership, which does not count)."""
    office = factories.PartnerFactory(partnership=partnership, name="Urząd Gminy Zielonka",
                                      sector=Sector.LOCAL_GOVERNMENT)
    school = factories.PartnerFactory(partnership=partnership, name="Szkoła Podstawowa nr 1",
                                      sector=Sector.SCHOOL)
    foundation = factories.PartnerFactory(partnership=partnership, name="Fundacja Razem",
                                          sector=Sector.NGO)
    parish = factories.PartnerFactory(partnership=partnership, name="Parafia św. Anny",
                                      sector=Sector.PARISH, left_on=D(2026, 6, 1))
    present = [[office, school, parish], [office, parish], [office]]
    for day, who in enumerate(present, start=1):
        meeting = factories.MeetingFactory(partnership=partnership, date=D(2026, 4, day))
        meeting.partners_present.add(*who)
    elsewhere = factories.MeetingFactory(partnership=factories.PartnershipFactory(
        round=partnership.round))
    elsewhere.partners_present.add(parish)
    agreement = factories.AgreementFactory(partnership=partnership, signed_on=D(2026, 5, 20))
    agreement.signatories.add(office)
    return {"office": office, "school": school, "foundation": foundation, "parish": parish}


def drawings(content):
    """The SVG drawings of the picture on a page: [(variant, markup)]."""
    return [
        (variant, svg)
        for svg, variant in re.findall(
            r'(<svg viewBox="[^"]+" class="picture picture--(\w+)".*?</svg>)', content, re.S
        )
    ]


def spokes(svg):
    """key → (classes of its group, stroke width of its line)."""
    groups = dict(
        (key, classes)
        for classes, key in re.findall(r'<g class="([^"]+)" data-key="([^"]+)">', svg)
    )
    widths = dict(
        (key, (float(width), classes))
        for width, key, classes in re.findall(
            r'<line [^>]*stroke-width="([\d.]+)" data-key="([^"]+)" class="([^"]+)"', svg
        )
    )
    assert groups.keys() == widths.keys()
    return {key: (groups[key], *widths[key]) for key in groups}


def table_rows(content):
    """The rows of the table under the picture, as lists of cell texts."""
    table = re.search(r'<details class="picture-table".*?</details>', content, re.S).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    return [
        [unescape(re.sub(r"<[^>]+>", "", cell)).strip()
         for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        for row in rows
    ]


class TestCardPicture:
    def test_each_partner_once_in_each_drawing_with_its_facts(self, client, librarian, library,
                                                               partners):
        client.force_login(librarian)

        content = client.get(card(library)).content.decode()

        found = drawings(content)
        assert [variant for variant, _svg in found] == ["wide", "phone"]
        keys = {f"partner-{p.pk}": name for name, p in partners.items()}
        for _variant, svg in found:
            by_key = spokes(svg)
            assert sorted(by_key) == sorted(keys)
            assert all(svg.count(f'data-key="{key}"') == 2 for key in keys)  # circle, line
            office, school, foundation, parish = (
                by_key[f"partner-{partners[name].pk}"]
                for name in ("office", "school", "foundation", "parish")
            )
            # The thicker the line, the more meetings attended: 3 > 2 > 1 > 0.
            assert office[1] > parish[1] > school[1] > foundation[1]
            # The signatory has the second ring, the others not.
            assert "picture__spoke--signed" in office[0]
            assert not any("signed" in s[0] for s in (school, foundation, parish))
            # The partner who left: faded circle, dashed line.
            assert "picture__spoke--left" in parish[0] and "picture__line--left" in parish[2]
            assert not any("left" in s[0] + s[2] for s in (office, school, foundation))
        assert all('role="img"' in svg.split(">")[0] for _variant, svg in found)
        assert 'aria-labelledby="picture-title-wide picture-desc-wide"' in content

    def test_the_table_says_the_same_in_the_order_of_the_sectors(self, client, librarian,
                                                                 library, partners):
        client.force_login(librarian)

        content = client.get(card(library)).content.decode()

        assert table_rows(content) == [
            ["Urząd Gminy Zielonka", "Samorząd / urząd gminy", "3", "tak", "—"],
            ["Szkoła Podstawowa nr 1", "Szkoła lub przedszkole", "1", "nie", "—"],
            ["Fundacja Razem", "Stowarzyszenie lub fundacja", "0", "nie", "—"],
            ["Parafia św. Anny", "Parafia", "2", "nie", "1 czerwca 2026"],
        ]
        # The legend explains the faded circles, since one partner left.
        assert "picture-key picture__spoke--left" in content

    def test_the_circle_says_the_count_and_the_tooltip_the_whole_story(self, client, librarian,
                                                                       library, partners):
        client.force_login(librarian)

        content = client.get(card(library)).content.decode()

        office = re.search(
            rf'data-key="partner-{partners["office"].pk}">\s*<title>([^<]+)</title>', content
        ).group(1)
        assert "Urząd Gminy Zielonka" in office and "3" in office

    def test_the_print_view_has_the_picture_and_its_table_open(self, client, animator, library,
                                                               partners):
        client.force_login(animator.user)

        content = client.get(card(library, print=True)).content.decode()

        assert len(drawings(content)) == 2
        assert '<details class="picture-table" open>' in content

    def test_no_picture_without_partners(self, client, librarian, library):
        client.force_login(librarian)

        content = client.get(card(library)).content.decode()

        assert not drawings(content) and "picture-heading" not in content

    def test_names_are_escaped(self, client, librarian, library, partnership):
        factories.PartnerFactory(partnership=partnership, name='<b>"Koło" & Spółka</b>')
        client.force_login(librarian)

        content = client.get(card(library)).content.decode()

        assert "<b>" not in content and "&lt;b&gt;" in content

    @pytest.mark.parametrize("size", [1, 6])
    def test_the_picture_costs_one_query(self, partnership, size, django_assert_num_queries):
        for i in range(size):
            partner = factories.PartnerFactory(partnership=partnership)
            factories.MeetingFactory(partnership=partnership,
                                     date=D(2026, 4, 1) + datetime.timedelta(days=i)
                                     ).partners_present.add(partner)
        agreement = factories.AgreementFactory(partnership=partnership)
        agreement.signatories.add(partner)

        # 1 the partners with the meetings they attended and whether they signed
        with django_assert_num_queries(1):
            result = picture.partnership_picture(partnership, partnership.library)

        assert result["count"] == size and result["signatories"] == 1


class TestLayout:
    """What makes the drawings readable: at 360 px the phone's drawing (320 units wide) is
    about 294 px wide, so its 14-unit labels are ≥ 12 px; every label stays inside."""

    def spokes(self, n, name="Stowarzyszenie Miłośników Ziemi Zielonkowskiej i Okolic"):
        return [
            picture.Spoke(key=f"p{i}", name=f"{name} {i}", group=list(Sector)[i % 5].label,
                          count=i, title="")
            for i in range(n)
        ]

    @pytest.mark.parametrize("n", [1, 2, 7, 24])
    @pytest.mark.parametrize("variant", ["phone", "wide"])
    def test_every_label_inside_the_drawing(self, n, variant):
        d = picture.layout("Gminna Biblioteka Publiczna im. Marii Konopnickiej w Zielonce",
                           self.spokes(n), variant)

        assert len(d["spokes"]) == n
        texts = [(s["label"], s["anchor"]) for s in d["spokes"]]
        texts += [(h["lines"], h["anchor"]) for h in d["headings"]]
        for lines, anchor in texts:
            for line in lines:
                width = picture.text_width(line["text"])
                left = line["x"] - width if anchor == "end" else line["x"]
                assert 0 <= left and left + width <= d["width"], line
                assert 0 < line["y"] < d["height"]
        assert d["width"] == (320 if variant == "phone" else 760)
        # No two circles overlap.
        ys = sorted((s["x"], s["y"]) for s in d["spokes"])
        for (x1, y1), (x2, y2) in zip(ys, ys[1:], strict=False):
            assert x1 != x2 or y2 - y1 >= 2 * (picture.NODE_R + picture.RING_GAP)

    def test_line_widths_grow_with_the_count(self):
        d = picture.layout("Biblioteka", self.spokes(8), "phone")

        widths = [s["width"] for s in sorted(d["spokes"], key=lambda s: s["spoke"].count)]
        assert widths == sorted(widths) and len(set(widths)) == 8
        assert widths[0] == picture.MIN_LINE_WIDTH and widths[-1] <= picture.MAX_LINE_WIDTH

    def test_long_names_wrap_and_end_with_an_ellipsis(self):
        width = picture.text_width("Ochotnicza Straż")

        first, second = picture.wrap("Ochotnicza Straż Pożarna w Nowej Wsi", width)
        assert first == "Ochotnicza Straż"
        assert second.startswith("Pożarna w") and second.endswith("…")
        assert picture.text_width(second) <= width
        assert picture.wrap("Koło", width) == ["Koło"]
        cut = picture.wrap("Konstantynopolitańczykowianeczka", 60, lines=9)
        assert len(cut) > 1 and all(picture.text_width(line) <= 60 for line in cut)
        assert "".join(cut).replace("-", "") == "Konstantynopolitańczykowianeczka"


def build_voivodeship(round_, expert, size, code="12"):
    """`size` partnerships of `expert`'s animator in voivodeship `code`: each with a school; every
    other one also with the gmina office; plus a partner who left and one who joins later."""
    animator = factories.AnimatorFactory(expert=expert)
    made = []
    for i in range(size):
        partnership = factories.PartnershipFactory(
            round=round_, library__voivodeship=factories.voivodeship(code))
        factories.AssignmentFactory(partnership=partnership, animator=animator,
                                    assigned_at=at(D(2026, 3, 2)))
        factories.PartnerFactory(partnership=partnership, sector=Sector.SCHOOL)
        factories.PartnerFactory(partnership=partnership, sector=Sector.SCHOOL)  # counted once
        if i % 2 == 0:
            factories.PartnerFactory(partnership=partnership, sector=Sector.LOCAL_GOVERNMENT)
        factories.PartnerFactory(partnership=partnership, sector=Sector.PARISH,
                                 left_on=D(2026, 5, 1))
        factories.PartnerFactory(partnership=partnership, sector=Sector.MEDIA,
                                 joined_on=D(2026, 6, 20))
        made.append(partnership)
    return made


class TestDashboardPicture:
    def test_counts_partnerships_with_an_active_partner_of_each_sector(self, client, expert,
                                                                       round_):
        build_voivodeship(round_, expert, 4, "12")
        build_voivodeship(round_, expert, 1, "02")
        client.force_login(expert)

        response = client.get(DASHBOARD, {"as_of": "2026-06-10", "voivodeship": "12"})

        pic = response.context["sector_picture"]
        counts = {row["sector"]: row["count"] for row in pic["rows"]}
        assert pic["total"] == 4 and pic["code"] == "12"
        assert counts[Sector.SCHOOL] == 4 and counts[Sector.LOCAL_GOVERNMENT] == 2
        assert counts[Sector.PARISH] == 0 and counts[Sector.MEDIA] == 0  # left / not yet
        assert [row["sector"] for row in pic["rows"]][:2] == [Sector.SCHOOL,
                                                               Sector.LOCAL_GOVERNMENT]
        content = response.content.decode()
        for _variant, svg in drawings(content):
            by_key = spokes(svg)
            assert sorted(by_key) == ["sector-local_government", "sector-school"]
            assert by_key["sector-school"][1] > by_key["sector-local_government"][1]
        assert "małopolskie" in pic["name"]

    def test_the_day_shown_counts(self, client, expert, round_):
        build_voivodeship(round_, expert, 2)
        client.force_login(expert)

        later = client.get(DASHBOARD, {"as_of": "2026-06-25"}).context["sector_picture"]
        earlier = client.get(DASHBOARD, {"as_of": "2026-04-20"}).context["sector_picture"]

        assert {r["sector"]: r["count"] for r in later["rows"]}[Sector.MEDIA] == 2
        assert {r["sector"]: r["count"] for r in earlier["rows"]}[Sector.PARISH] == 2

    def test_the_scope_is_the_dashboards(self, client, expert, round_):
        build_voivodeship(round_, expert, 2)
        build_voivodeship(round_, factories.UserFactory(role="expert"), 3)
        withdrawn = build_voivodeship(round_, expert, 1)[0]
        withdrawn.withdrawn_on = D(2026, 5, 1)
        withdrawn.save()
        client.force_login(expert)

        mine = client.get(DASHBOARD, {"as_of": "2026-06-10"}).context["sector_picture"]
        everyone = client.get(DASHBOARD, {"as_of": "2026-06-10", "scope": "all"})

        assert mine["total"] == 2 and mine["code"] == ""
        assert everyone.context["sector_picture"]["total"] == 5
        assert [v.code for v in mine["choices"]] == ["12"]

    def test_an_unknown_voivodeship_says_so_and_shows_all(self, client, expert, round_):
        build_voivodeship(round_, expert, 2)
        client.force_login(expert)

        response = client.get(DASHBOARD, {"voivodeship": "99"})

        assert response.status_code == 200
        assert response.context["sector_picture"]["total"] == 2
        assert "99" in response.context["sector_picture"]["unknown"]

    @pytest.mark.parametrize("size", [2, 8])
    def test_query_count_does_not_grow(self, client, expert, round_, size,
                                       django_assert_num_queries):
        build_voivodeship(round_, expert, size)
        client.force_login(expert)

        data = client.get(DASHBOARD, {"as_of": "2026-06-10"}).context
        # Only the picture's query: the partners' sectors of the partnerships shown.
        with django_assert_num_queries(1):
            pic = picture.sector_picture(data, as_of=D(2026, 6, 10), code="12", scope="mine")

        assert pic["total"] == size
