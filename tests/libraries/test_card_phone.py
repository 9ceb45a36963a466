"""The partnership card that fits a phone: what it says at the top, for whom, and the folded
meetings; the animator's home and the print view say the stage and the status the same way."""

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone, translation

from partnerships.models import Meeting, MeetingKind, Partnership
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 7, 10)  # the test round: 1 March – 30 September; formalisation due 30 June


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def late(partnership, animator):
    """Stages 1–4 reached in March, no agreement: late since 30 June; the last meeting today."""
    factories.reach_stages(partnership, 4)
    factories.MeetingFactory(partnership=partnership, date=TODAY, kind=MeetingKind.PARTNERSHIP,
                             summary="Rozmowa o porozumieniu.")
    return partnership


def card(library, **query):
    return f"/libraries/{library.pk}/" + ("?" + "&".join(query) if query else "")


def section(content, heading_id):
    """The HTML of the <section> labelled by `heading_id`."""
    start = content.index(f'aria-labelledby="{heading_id}"')
    return content[start:content.index("</section>", start)]


class TestTopOfTheCard:
    def test_says_the_stage_reached_the_status_with_its_reason_and_the_next_step(
        self, english, animator, library, late
    ):
        english.force_login(animator.user)

        top = section(english.get(card(library)).content.decode(), "status-heading")

        assert "stage 4 of 7 reached: planning: vision, areas of work, action plan" in top
        assert "late" in top and "overdue since 30 June: partnership formalised" in top
        # Formalisation is next: its button comes first, then the meeting's.
        agreement = top.index(f"/libraries/{library.pk}/agreement/")
        assert agreement < top.index(f"/libraries/{library.pk}/meetings/new/")
        assert "Record the agreement" in top

    def test_names_the_animator_and_the_expert_with_links_to_call_and_write(
        self, english, librarian, library, late, animator, expert
    ):
        english.force_login(librarian)

        top = section(english.get(card(library)).content.decode(), "status-heading")

        assert 'href="tel:+48600100200"' in top
        assert f'href="mailto:{animator.user.email}"' in top
        assert f'href="mailto:{expert.email}"' in top
        assert expert.get_full_name() in top

    def test_the_librarian_reads_what_the_status_means_and_what_to_do_next(
        self, english, librarian, library, late
    ):
        english.force_login(librarian)

        top = section(english.get(card(library)).content.decode(), "status-heading")

        assert "What this means" in top and "is marked as late" in top
        assert "Prepare an agreement, a declaration or a regulation with the partners" in top
        assert "Whom to contact" in top
        assert "/agreement/" not in top and "/meetings/new/" not in top

    def test_on_track_says_the_next_deadline(self, english, librarian, library, partnership):
        factories.reach_stages(partnership, 5)  # the agreement is signed
        english.force_login(librarian)

        top = section(english.get(card(library)).content.decode(), "status-heading")

        assert "stage 5 of 7 reached: partnership formalised" in top
        assert "on track" in top
        assert "next stage: first joint action carried out — due 31 August" in top
        assert "keeps to the programme&#x27;s schedule" in top

    def test_a_withdrawn_library_says_since_when_and_offers_no_next_step(
        self, english, animator, library, partnership
    ):
        Partnership.objects.filter(pk=partnership.pk).update(withdrawn_on=D(2026, 5, 4))
        english.force_login(animator.user)

        top = section(english.get(card(library)).content.decode(), "status-heading")

        assert "no stage reached yet" in top
        assert "the library withdrew on 4 May 2026" in top
        assert "Next step" not in top

    def test_a_meeting_today_is_said_as_today(self, english, animator, library, late):
        english.force_login(animator.user)

        top = section(english.get(card(library)).content.decode(), "status-heading")

        assert "10 July 2026 <span class=\"muted\">(today)</span>" in top
        assert "0 days ago" not in top

    def test_the_agreement_comes_before_the_partners_and_the_meetings(
        self, client, librarian, library, late
    ):
        client.force_login(librarian)

        content = client.get(card(library)).content.decode()

        assert (content.index('id="agreement-heading"') < content.index('id="partners-heading"')
                < content.index('id="meetings-heading"'))


class TestMeetings:
    @pytest.fixture
    def seventeen(self, late):
        """17 meetings in all (the first partnership meeting, today's and 15 more)."""
        for day in range(15):
            factories.MeetingFactory(partnership=late, date=D(2026, 5, 1) + datetime.timedelta(day),
                                     summary=f"Spotkanie numer {day}.")
        assert late.meetings.count() == 17
        return late

    def test_the_latest_five_first_and_the_rest_behind_show_all(self, english, librarian,
                                                                 library, seventeen):
        english.force_login(librarian)

        meetings = section(english.get(card(library)).content.decode(), "meetings-heading")

        shown, folded = meetings.split("<details", 1)
        assert shown.count('<article class="meeting"') == 5
        assert folded.count('<article class="meeting"') == 12
        assert "show all 17 meetings" in folded
        # Latest first: today's, then 15, 14, 13 and 12 May.
        assert shown.index("Rozmowa o porozumieniu.") < shown.index("Spotkanie numer 14.")
        assert "Spotkanie numer 11." in shown and "Spotkanie numer 10." in folded

    def test_five_or_fewer_are_not_folded(self, client, librarian, library, late):
        client.force_login(librarian)

        assert "<details" not in section(client.get(card(library)).content.decode(),
                                         "meetings-heading")

    def test_guests_are_shown_when_recorded(self, english, librarian, library, late):
        if "guests" not in {field.name for field in Meeting._meta.get_fields()}:
            pytest.skip("Meeting has no guests field yet")
        Meeting.objects.filter(date=TODAY).update(guests="Sołtys wsi Zawada")
        english.force_login(librarian)

        meetings = section(english.get(card(library)).content.decode(), "meetings-heading")

        assert "Guests:</strong> Sołtys wsi Zawada" in meetings

    def test_the_print_view_lists_every_meeting_with_no_stray_separators(
        self, english, animator, library, seventeen
    ):
        english.force_login(animator.user)

        content = english.get(card(library, print="1")).content.decode()

        meetings = section(content, "meetings-heading")
        assert "<details" not in meetings
        assert meetings.count('<article class="meeting"') == 17
        for article in re.findall(r'<article class="meeting".*?</article>', meetings, re.S):
            assert "·" not in article
            assert "/edit/" not in article and "/delete/" not in article
        assert "stage 4 of 7 reached" in content and "overdue since 30 June" in content
        assert "(today)" not in content  # paper keeps dates, not "today"


class TestAnimatorsHome:
    url = "/libraries/mine/"

    def test_each_library_says_its_stage_status_reason_and_next_step(
        self, english, animator, library, late
    ):
        english.force_login(animator.user)

        content = english.get(self.url).content.decode()

        assert "stage 4 of 7 reached: planning: vision, areas of work, action plan" in content
        assert "overdue since 30 June: partnership formalised" in content
        assert f"/libraries/{library.pk}/agreement/" in content
        assert "10 July <span class=\"muted\">(today)</span>" in content
        assert "0 days ago" not in content

    def test_the_stage_bar_has_a_step_for_each_stage(self, client, animator, library, late):
        client.force_login(animator.user)

        content = client.get(self.url).content.decode()

        bar = re.search(r'<span class="stagebar"[^>]*>(.*?)</span>\s*<span class="progress__text',
                        content, re.S).group(1)
        assert bar.count("stagebar__step--reached") == 4
        assert bar.count("stagebar__step--overdue") == 1  # formalisation, due 30 June
        assert bar.count("stagebar__step--ahead") == 2


@pytest.mark.parametrize("size", [2, 12])
def test_card_queries_do_not_grow_with_folded_meetings(client, librarian, library, partnership,
                                                       animator, size,
                                                       django_assert_num_queries):
    for day in range(size):
        factories.MeetingFactory(partnership=partnership,
                                 date=D(2026, 5, 1) + datetime.timedelta(day))
    client.force_login(librarian)

    # 1 session, 2 user, 3 groups, 4 library, 5 current round, 6 partnership with progress,
    # 7 active assignment, 8 milestones, 9 partners, 10 meetings, 11 partners present,
    # 12 attachments, 13 joint actions, 14 agreement, 15 the partners with the meetings they
    # attended (the picture, partnerships/picture.py), 16 may this user edit
    with django_assert_num_queries(16):
        response = client.get(card(library))

    assert response.status_code == 200


@pytest.mark.parametrize("rank,text", [
    (0, "no stage reached yet"),
    (2, "stage 2 of 7 reached: partners invited"),
    (7, "stage 7 of 7 reached: summary and plan to continue"),
])
def test_the_stage_is_said_as_the_stage_reached(partnership, rank, text):
    factories.reach_stages(partnership, rank)
    progress = Partnership.objects.with_progress(TODAY).get(pk=partnership.pk).progress

    with translation.override("en"):
        assert progress.stage_text == text
        if rank == 7:
            assert progress.status_reason == "all stages reached"
