"""An animator taps "save" twice, or sends a restored draft whose save already got through:
one meeting is stored."""

import datetime
import re

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from partnerships.models import Meeting
from tests import factories
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
SAVE = "button[data-busy-label]"


@pytest.fixture
def library(reference_data):
    today = timezone.localdate()
    round_ = factories.RoundFactory(start=today.replace(day=1) - datetime.timedelta(days=100))
    assert round_.start <= today <= round_.end
    partnership = factories.PartnershipFactory(round=round_)
    animator = factories.AnimatorFactory(user__email="animatorka@example.org")
    factories.AssignmentFactory(partnership=partnership, animator=animator)
    return partnership.library


def fill_in(page):
    page.check("input[name=kind][value=visit]")
    page.fill("input[name=participants]", "5")
    page.fill("textarea[name=summary]", "Rozmowa o wolontariacie w szkole.")


def test_a_double_tap_sends_one_meeting_and_the_button_says_it_is_saving(
    phone, live_server, library
):
    sign_in(phone, live_server.url, "animatorka@example.org", PASSWORD)
    phone.goto(f"{live_server.url}/libraries/{library.pk}/meetings/new/")
    fill_in(phone)
    seen = []  # the button's label and the form's aria-busy, as the page showed them
    phone.expose_function("noteBusy", lambda label, busy: seen.append((label, busy)))
    phone.evaluate("""() => {
        const form = document.querySelector("form[data-submit-once]");
        const button = form.querySelector("[data-busy-label]");
        new MutationObserver(() => window.noteBusy(button.textContent.trim(),
                                                   form.getAttribute("aria-busy")))
            .observe(form, {attributes: true, childList: true, characterData: true,
                            subtree: true});
    }""")
    held = []  # the form's POSTs, held for a moment: a second one would be seen here

    def hold(route):
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    phone.route("**/meetings/new/", hold)
    button = phone.locator(SAVE)
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    phone.mouse.dblclick(x, y)
    phone.wait_for_timeout(300)
    # The first request is on its way: a browser left alone would drop it and send another.
    phone.mouse.click(x, y)
    phone.wait_for_timeout(300)
    assert len(held) == 1
    held[0].continue_()

    phone.wait_for_url(re.compile(rf"/libraries/{library.pk}/(#[\w-]+)?$"))
    assert "Rozmowa o wolontariacie w szkole." in phone.inner_text("main")
    assert Meeting.objects.count() == 1
    with translation.override("pl"):
        assert (gettext("Saving…"), "true") in seen


def test_a_restored_draft_whose_save_got_through_is_not_stored_again(
    phone, live_server, library
):
    sign_in(phone, live_server.url, "animatorka@example.org", PASSWORD)
    form_url = f"{live_server.url}/libraries/{library.pk}/meetings/new/"
    phone.goto(form_url)
    fill_in(phone)

    def save_then_lose_the_answer(route):
        if route.request.method == "POST":
            route.fetch(max_redirects=0)  # the server saves …
            route.abort("connectionreset")  # … and the answer never arrives,
            phone.context.clear_cookies(name="messages")  # nor its confirmation
        else:
            route.continue_()

    phone.route("**/meetings/new/", save_then_lose_the_answer)
    with pytest.raises(Exception):  # noqa: B017 - the browser reports the lost connection
        phone.click(SAVE)
        phone.wait_for_url(f"**/libraries/{library.pk}/", timeout=3_000)
    phone.unroute("**/meetings/new/")
    assert Meeting.objects.count() == 1

    phone.goto(form_url)  # the draft comes back, with the token it was sent with
    assert phone.input_value("textarea[name=summary]") == "Rozmowa o wolontariacie w szkole."
    phone.click(SAVE)

    phone.wait_for_url(re.compile(rf"/libraries/{library.pk}/(#[\w-]+)?$"))
    with translation.override("pl"):
        message = gettext(
            "This meeting was already saved; sending the form again added nothing."
        )
    assert message in phone.inner_text("main")
    assert Meeting.objects.count() == 1
    # Confirmed by the server: the draft is gone, the next form starts empty.
    phone.goto(form_url)
    assert phone.input_value("textarea[name=summary]") == ""
