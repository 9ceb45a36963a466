"""Under the Content-Security-Policy the pages render whole in a real browser: no script, style
or image is refused on the application's pages, the admin's or the error pages, and the
dashboard's bars and legend keep their data-driven widths and colours."""

import datetime

import pytest
from django.utils import timezone

from tests import factories
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene(reference_data):
    today = timezone.localdate()
    round_ = factories.RoundFactory(name="Runda", start=today.replace(day=1)
                                    - datetime.timedelta(days=100))
    partnership = factories.PartnershipFactory(round=round_)
    animator = factories.AnimatorFactory(user__email="animatorka@example.org")
    factories.AssignmentFactory(partnership=partnership, animator=animator)
    factories.PartnerFactory(partnership=partnership, sector="local_government")
    factories.MeetingFactory(partnership=partnership, date=round_.start)
    factories.PartnershipFactory(round=round_)
    factories.UserFactory(email="koordynatorka@example.org", role="coordinator",
                          is_staff=True)
    return partnership


@pytest.fixture
def page(browser):
    """A page that records what the browser refused or complained about."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="pl-PL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.complaints = []

    def complain(message):
        # A missing favicon and the 404 page itself are 404s, not refusals.
        if message.type in {"error", "warning"} and "status of 404" not in message.text:
            page.complaints.append(f"{page.url}: {message.text}")

    page.on("console", complain)
    yield page
    context.close()


def visit(page, url):
    page.goto(url)
    page.wait_for_load_state("load")


def test_application_pages_load_nothing_the_policy_refuses(page, live_server, scene):
    library = scene.library
    sign_in(page, live_server.url, "animatorka@example.org", PASSWORD)

    for path in (f"/libraries/{library.pk}/", f"/libraries/{library.pk}/meetings/new/",
                 "/libraries/mine/", "/no-such-page/"):
        visit(page, live_server.url + path)
    # The meeting form's script runs: what is typed is kept as a draft in this browser.
    visit(page, f"{live_server.url}/libraries/{library.pk}/meetings/new/")
    page.fill("textarea[name=summary]", "Szkic spotkania")
    page.dispatch_event("textarea[name=summary]", "input")
    assert page.evaluate("Object.keys(localStorage).some(k => k.startsWith('prb-draft:'))")

    assert page.complaints == []


def test_dashboard_and_admin_load_nothing_the_policy_refuses(page, live_server, scene):
    sign_in(page, live_server.url, "koordynatorka@example.org", PASSWORD)

    visit(page, f"{live_server.url}/dashboard/")
    bar = page.locator("svg.bar rect").first
    assert float(bar.get_attribute("width")) > 0
    assert page.locator("svg.bar").first.bounding_box()["height"] > 0
    assert page.locator(".legend svg.swatch rect").first.get_attribute("fill").startswith("#")
    for path in ("/admin/", "/admin/partnerships/partnership/",
                 f"/admin/partnerships/partnership/{scene.pk}/change/",
                 f"/admin/partnerships/partnership/{scene.pk}/history/",
                 "/admin/partnerships/partnership/export/",
                 "/admin/partnerships/meeting/add/",
                 "/admin/partnerships/meeting/deleted/"):
        visit(page, live_server.url + path)
        assert page.locator("#content").count() == 1, path

    assert page.complaints == []


def test_the_login_page_loads_nothing_the_policy_refuses(page, live_server, db):
    visit(page, f"{live_server.url}/accounts/login/")

    assert page.locator("input[name=login]").is_visible()
    assert page.complaints == []
