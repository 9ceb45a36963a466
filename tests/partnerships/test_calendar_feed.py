"""The private calendar feed `/calendar/<token>.ics` (partnerships/calendar_feed.py), read back
with `icalendar` as a calendar application would, and its address on /notifications/.

The test round runs 1 March – 30 September 2026; its stage deadlines are 31 March, 15 April,
30 April, 15 June, 30 June, 31 August and 30 September. Today is 10 May 2026: the library's
partnership (`partnership`, of `animator` supervised by `expert`, and of `librarian`) has
reached stage 2, so it is late since 30 April (stage 3); the other library's partnership has
reached stage 3 and is on track.
"""

import datetime
import re

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partnerships import calendar_feed
from partnerships.models import CalendarFeed, JointActionStatus, Stage
from prb_partnerships.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 5, 10)
SITE = "https://prb.example.org"
PAGE = "/notifications/"


@pytest.fixture(autouse=True)
def _today(monkeypatch, settings):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    settings.SITE_URL = SITE


@pytest.fixture
def other_expert(db):
    return factories.UserFactory(email="inna.ekspertka@example.org", role=Role.EXPERT)


@pytest.fixture
def scene(partnership, other_partnership, animator, other_animator, other_expert):
    """Each library's partnership with a planned meeting and joint actions (one planned, one
    done, one planned for a day already past)."""
    other_animator.expert = other_expert
    other_animator.save()
    factories.reach_stages(partnership, 2)
    factories.reach_stages(other_partnership, 3)
    records = {}
    for key, p, next_on, action_on in (
        ("mine", partnership, D(2026, 5, 20), D(2026, 6, 10)),
        ("other", other_partnership, D(2026, 5, 25), D(2026, 6, 12)),
    ):
        records[key] = {
            "meeting": factories.MeetingFactory(
                partnership=p, date=D(2026, 5, 5), next_meeting_on=next_on
            ),
            "action": factories.JointActionFactory(
                partnership=p, title=f"Festyn {key}", planned_on=action_on
            ),
            "done": factories.JointActionFactory(
                partnership=p, title=f"Zrobione {key}", planned_on=D(2026, 4, 20),
                done_on=D(2026, 4, 20), status=JointActionStatus.DONE,
            ),
            "past": factories.JointActionFactory(
                partnership=p, title=f"Zaległe {key}", planned_on=D(2026, 5, 1)
            ),
        }
    return records


def feed_of(user):
    return calendar_feed.calendar_feed_renew(user=user)


def fetch(token, client=None):
    return (client or Client()).get(f"/calendar/{token}.ics")


def events_of(response):
    """{UID: event} of the feed in `response`, parsed back with icalendar."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def uids(user):
    return set(events_of(fetch(feed_of(user).token)))


def day_of(event):
    return event.decoded("DTSTART")


def card(p):
    return f"{SITE}/libraries/{p.library_id}/"


# ----- What each role gets -----


def test_an_animator_gets_the_meetings_actions_and_next_deadline_of_their_libraries(
    scene, animator, partnership
):
    events = events_of(fetch(feed_of(animator.user).token))

    mine = scene["mine"]
    assert set(events) == {
        f"next-meeting-{partnership.pk}@prb",
        f"joint-action-{mine['action'].pk}@prb",
        # Stage 3 is overdue; the first deadline still ahead is stage 4's (15 June).
        f"deadline-{partnership.pk}-{Stage.PLANNING.value}@prb",
    }
    meeting = events[f"next-meeting-{partnership.pk}@prb"]
    assert day_of(meeting) == D(2026, 5, 20)
    assert meeting.decoded("DTEND") == D(2026, 5, 21)  # an all-day event
    assert str(meeting["URL"]) == card(partnership)
    assert card(partnership) in str(meeting["DESCRIPTION"])
    assert day_of(events[f"joint-action-{mine['action'].pk}@prb"]) == D(2026, 6, 10)
    assert day_of(events[f"deadline-{partnership.pk}-planning@prb"]) == D(2026, 6, 15)
    for event in events.values():
        assert partnership.library.name in str(event["SUMMARY"])


def test_a_librarian_gets_their_library_only(scene, librarian, other_librarian, partnership,
                                             other_partnership):
    assert uids(librarian) == {
        f"next-meeting-{partnership.pk}@prb",
        f"joint-action-{scene['mine']['action'].pk}@prb",
        f"deadline-{partnership.pk}-planning@prb",
    }
    assert uids(other_librarian) == {
        f"next-meeting-{other_partnership.pk}@prb",
        f"joint-action-{scene['other']['action'].pk}@prb",
        f"deadline-{other_partnership.pk}-planning@prb",
    }


def test_an_expert_gets_the_deadlines_and_late_partnerships_of_their_animators(
    scene, expert, other_expert, partnership, other_partnership
):
    events = events_of(fetch(feed_of(expert).token))

    round_pk = partnership.round_id
    deadlines = {f"round-{round_pk}-{s.value}@prb" for s in list(Stage)[3:]}
    assert set(events) == deadlines | {f"late-{partnership.pk}@prb"}
    late = events[f"late-{partnership.pk}@prb"]
    assert day_of(late) == TODAY
    assert str(late["URL"]) == card(partnership)
    planning = events[f"round-{round_pk}-planning@prb"]
    assert day_of(planning) == D(2026, 6, 15)
    assert card(partnership) in str(planning["DESCRIPTION"])
    assert card(other_partnership) not in str(planning["DESCRIPTION"])
    assert other_partnership.library.name not in response_text(expert)

    # The other expert's animator is on track: deadlines, no late partnership.
    other = events_of(fetch(feed_of(other_expert).token))
    assert set(other) == deadlines
    assert card(other_partnership) in str(other[f"round-{round_pk}-planning@prb"]["DESCRIPTION"])


def response_text(user):
    return fetch(CalendarFeed.objects.get(user=user).token).content.decode()


def test_the_coordinator_gets_the_rounds_deadlines_and_the_number_of_late_partnerships(
    scene, coordinator, partnership
):
    events = events_of(fetch(feed_of(coordinator).token))

    round_pk = partnership.round_id
    assert set(events) == {f"round-{round_pk}-{s.value}@prb" for s in list(Stage)[3:]} | {
        "late-summary@prb"
    }
    summary = events["late-summary@prb"]
    assert day_of(summary) == TODAY
    assert str(summary["URL"]) == f"{SITE}/libraries/?status=late"
    planning = events[f"round-{round_pk}-planning@prb"]
    assert str(planning["URL"]) == f"{SITE}/dashboard/"
    # Counts only: no list of every library.
    assert partnership.library.name not in str(planning["DESCRIPTION"])


def test_the_feed_shows_nothing_outside_what_the_person_sees(
    scene, animator, other_animator, librarian, other_librarian
):
    from partnerships.models import Partnership

    for user in (animator.user, other_animator.user, librarian, other_librarian):
        visible = {card(p) for p in Partnership.objects.visible_to(user)}
        for event in events_of(fetch(feed_of(user).token)).values():
            assert str(event["URL"]) in visible, (user, event["SUMMARY"])


def test_an_ended_assignment_and_a_withdrawn_partnership_leave_the_feed(
    scene, animator, librarian, partnership
):
    from partnerships.models import Assignment

    Assignment.objects.filter(animator=animator).update(ended_at=timezone.now())
    assert uids(animator.user) == set()

    partnership.withdrawn_on = D(2026, 5, 1)
    partnership.save()
    assert uids(librarian) == set()


def test_a_person_without_a_role_gets_an_empty_calendar(plain_user, scene):
    assert uids(plain_user) == set()


def test_summaries_and_the_calendar_name_are_in_polish(scene, animator, expert, coordinator,
                                                      partnership):
    text = {}
    for user in (animator.user, expert, coordinator):
        response = fetch(feed_of(user).token)
        calendar = icalendar.Calendar.from_ical(response.content)
        assert str(calendar["X-WR-CALNAME"]) == "PRB Partnerstwa: spotkania i terminy"
        assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Warsaw"
        text[user.pk] = {
            str(e["UID"]): str(e["SUMMARY"]) for e in calendar.walk("VEVENT")
        }
    name = partnership.library.name
    round_pk = partnership.round_id
    animator_says = text[animator.user.pk]
    assert animator_says[f"next-meeting-{partnership.pk}@prb"] == f"Spotkanie — {name}"
    assert animator_says[f"joint-action-{scene['mine']['action'].pk}@prb"] == (
        f"Wspólne działanie — Festyn mine ({name})"
    )
    assert animator_says[f"deadline-{partnership.pk}-planning@prb"] == (
        f"Termin etapu 4 z 7 — {name}"
    )
    assert text[expert.pk][f"round-{round_pk}-planning@prb"] == (
        "Termin etapu 4 z 7: 1 partnerstwo jeszcze go nie osiągnęło"
    )
    assert text[expert.pk][f"late-{partnership.pk}@prb"].startswith(
        f"Opóźnione: {name} (po terminie od 30 kwietnia"
    )
    assert text[coordinator.pk][f"round-{round_pk}-planning@prb"] == (
        "Termin etapu 4 z 7: 2 partnerstwa jeszcze go nie osiągnęły"
    )
    assert text[coordinator.pk]["late-summary@prb"] == "1 partnerstwo opóźnione"


# ----- Stable UIDs -----


def test_an_edit_moves_the_event_instead_of_adding_one(scene, animator, partnership):
    token = feed_of(animator.user).token
    before = events_of(fetch(token))
    meeting, action = scene["mine"]["meeting"], scene["mine"]["action"]

    meeting.next_meeting_on = D(2026, 5, 22)
    meeting.save()
    action.planned_on = D(2026, 6, 20)
    action.title = "Festyn przeniesiony"
    action.save()
    after = events_of(fetch(token))

    assert set(after) == set(before)
    assert day_of(after[f"next-meeting-{partnership.pk}@prb"]) == D(2026, 5, 22)
    moved = after[f"joint-action-{action.pk}@prb"]
    assert day_of(moved) == D(2026, 6, 20)
    assert "Festyn przeniesiony" in str(moved["SUMMARY"])


def test_a_new_meeting_moves_the_planned_meeting(scene, animator, partnership):
    token = feed_of(animator.user).token
    factories.MeetingFactory(
        partnership=partnership, date=D(2026, 5, 8), next_meeting_on=D(2026, 6, 3)
    )

    events = events_of(fetch(token))

    planned = [uid for uid in events if uid.startswith("next-meeting-")]
    assert planned == [f"next-meeting-{partnership.pk}@prb"]
    assert day_of(events[planned[0]]) == D(2026, 6, 3)


# ----- The address -----


def test_an_unknown_token_answers_404():
    assert fetch("nie-ma-takiego-adresu").status_code == 404


def test_a_new_address_revokes_the_old_one(animator, scene):
    old = feed_of(animator.user).token
    new = calendar_feed.calendar_feed_renew(user=animator.user).token

    assert new != old
    assert len(new) >= 43
    assert fetch(old).status_code == 404
    assert fetch(new).status_code == 200
    assert CalendarFeed.objects.filter(user=animator.user).count() == 1


def test_a_deactivated_account_has_no_feed(animator, scene):
    token = feed_of(animator.user).token
    animator.user.is_active = False
    animator.user.save()

    assert fetch(token).status_code == 404


def test_the_feed_is_read_only_and_not_cached(animator, scene):
    token = feed_of(animator.user).token

    assert Client().post(f"/calendar/{token}.ics").status_code == 405
    response = fetch(token)
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("inline")


def test_the_page_offers_to_create_the_address_then_shows_it(client, animator, scene):
    client.force_login(animator.user)

    page = client.get(PAGE).content.decode()
    assert "Calendar on your phone" in page or "Kalendarz w telefonie" in page
    assert 'id="calendar-url"' not in page
    assert reverse("partnerships:calendar_feed_renew") in page

    response = client.post(reverse("partnerships:calendar_feed_renew"))
    assert response.status_code == 302
    assert response["Location"] == PAGE + "#calendar"  # back at the address
    feed = CalendarFeed.objects.get(user=animator.user)
    page = client.get(PAGE).content.decode()
    url = f"{SITE}/calendar/{feed.token}.ics"
    assert f'value="{url}"' in page
    assert f'href="webcal://prb.example.org/calendar/{feed.token}.ics"' in page


def test_the_new_address_button_replaces_the_token(client, animator, scene):
    old = feed_of(animator.user).token
    client.force_login(animator.user)

    response = client.post(reverse("partnerships:calendar_feed_renew"), follow=True)

    new = CalendarFeed.objects.get(user=animator.user).token
    assert new != old
    assert f"/calendar/{new}.ics" in response.content.decode()
    assert f"/calendar/{old}.ics" not in response.content.decode()


def test_the_new_address_needs_a_csrf_token_and_a_signed_in_person(animator, scene):
    old = feed_of(animator.user).token
    url = reverse("partnerships:calendar_feed_renew")

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(animator.user)
    assert csrf_client.post(url).status_code == 403
    assert CalendarFeed.objects.get(user=animator.user).token == old

    # With the form's token it goes through.
    page = csrf_client.get(PAGE).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert csrf_client.post(url, {"csrfmiddlewaretoken": csrf}).status_code == 302
    assert CalendarFeed.objects.get(user=animator.user).token != old

    anonymous = Client().post(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    assert Client().get(url).status_code == 302  # to the sign-in page


def test_get_does_not_make_an_address(client, animator, scene):
    client.force_login(animator.user)

    assert client.get(reverse("partnerships:calendar_feed_renew")).status_code == 405
    client.get(PAGE)
    assert not CalendarFeed.objects.filter(user=animator.user).exists()


# ----- A fixed number of queries -----


def grow(animator, expert, round_, count):
    """`count` more partnerships of `animator`, each late, with a planned meeting and two
    joint actions ahead."""
    for _ in range(count):
        p = factories.PartnershipFactory(round=round_)
        factories.AssignmentFactory(partnership=p, animator=animator)
        factories.MilestoneFactory(partnership=p, stage=Stage.DIAGNOSIS)
        factories.MeetingFactory(partnership=p, date=D(2026, 5, 2), next_meeting_on=D(2026, 5, 30))
        factories.JointActionFactory(partnership=p, planned_on=D(2026, 6, 1))
        factories.JointActionFactory(partnership=p, planned_on=D(2026, 7, 1))
        library_user = factories.UserFactory(role=Role.LIBRARIAN)
        p.library.librarians.add(library_user)


@pytest.mark.parametrize(
    ("who", "queries"),
    # The feed and its person, the roles, the partnerships, (for animators and librarians) the
    # joint actions.
    [("animator", 4), ("expert", 3), ("coordinator", 3), ("librarian", 4)],
)
def test_the_feed_costs_the_same_queries_at_two_sizes(
    who, queries, request, scene, animator, expert, round_, django_assert_num_queries
):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    token = feed_of(user).token
    seen = []
    for extra in (0, 6):
        grow(animator, expert, round_, extra)
        with django_assert_num_queries(queries):
            events = events_of(fetch(token))
        seen.append({uid: str(event["SUMMARY"]) for uid, event in events.items()})
    if who != "librarian":  # the librarian's library does not grow
        assert seen[1] != seen[0]  # more events, or (the coordinator's) larger numbers
