"""On a 360 px phone the partnership card of the demo's busiest libraries reaches its partners
section within four screens, and the stage bar is readable on the card and the animator's home."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.db.models.functions import Length

from partnerships.models import Assignment, Partnership
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
SCREEN = 740  # the phone's screen height, in CSS pixels
PASSWORD = "demo-haslo-2026"


@pytest.fixture
def busiest(reference_data):
    """The demo round as `seed_demo` makes it today, and its three libraries with the most to
    say above the partners: milestone notes, the agreement's signatories, meetings."""
    call_command("seed_demo", f"--password={PASSWORD}", stdout=StringIO())
    partnerships = (
        Partnership.objects.annotate(
            notes=Sum(Length("milestones__note"), distinct=True),
            signatories=Count("agreement__signatories", distinct=True),
            meetings_count=Count("meetings", distinct=True),
        )
        .select_related("library")
        .order_by("-signatories", "-notes", "-meetings_count")[:3]
    )
    return list(partnerships)


def height_to_partners(page):
    return page.evaluate(
        "document.getElementById('partners-heading').getBoundingClientRect().top + scrollY"
    )


def stage_bar_widths(page):
    return page.evaluate(
        "[...document.querySelectorAll('.stagebar')].map(e => e.getBoundingClientRect().width)"
    )


def test_the_busiest_cards_reach_their_partners_within_four_screens(phone, live_server,
                                                                    busiest):
    for partnership in busiest:
        library = partnership.library
        librarian = library.librarians.first()
        animator = Assignment.objects.active().get(partnership=partnership).animator.user
        for email in (librarian.email, animator.email, "koordynator@example.org"):
            phone.context.clear_cookies()
            sign_in(phone, live_server.url, email, PASSWORD)
            phone.goto(f"{live_server.url}/libraries/{library.pk}/")

            height = height_to_partners(phone)
            assert height <= 4 * SCREEN, (library.name, email, height)
            assert phone.evaluate("document.documentElement.scrollWidth") <= 360
            widths = stage_bar_widths(phone)
            assert widths and min(widths) >= 40, (library.name, email, widths)
            assert phone.locator(".card-summary .progress__text").is_visible()


def test_the_stage_bar_is_readable_on_the_animators_home(phone, live_server, busiest):
    animator = Assignment.objects.active().get(partnership=busiest[0]).animator.user
    sign_in(phone, live_server.url, animator.email, PASSWORD)

    phone.goto(f"{live_server.url}/libraries/mine/")

    widths = stage_bar_widths(phone)
    assert len(widths) == Assignment.objects.active().filter(animator__user=animator).count()
    assert min(widths) >= 40
    for text in phone.locator(".home-card .progress__text").all_inner_texts():
        assert text.strip()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
