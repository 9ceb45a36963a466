"""The picture of a partnership (card) and of the sectors of a voivodeship (dashboard) on the
demo data, in a real browser: at 360 px the phone's drawing is shown, its labels at least 12 px
high; at 1280 px the wide drawing; at both every label lies inside the drawing (the server's
estimate of the text's width holds for the browser's font) and nothing scrolls sideways."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from partnerships.models import Assignment, Partnership
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "demo-haslo-2026"

# The visible drawings: their variant, and per label its rendered font size and whether its box
# lies inside the drawing's.
DRAWINGS = """() => [...document.querySelectorAll('svg.picture')]
  .filter(svg => svg.getBoundingClientRect().width > 1)
  .map(svg => {
    const box = svg.getBoundingClientRect();
    const scale = svg.getScreenCTM().a;
    const labels = [...svg.querySelectorAll('text')].map(t => {
      const r = t.getBoundingClientRect();
      return {
        text: t.textContent.trim().slice(0, 40),
        px: parseFloat(getComputedStyle(t).fontSize) * scale,
        inside: r.left >= box.left - 0.5 && r.right <= box.right + 0.5
                && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5,
      };
    });
    return {variant: svg.classList.contains('picture--phone') ? 'phone' : 'wide', labels};
  })"""


@pytest.fixture
def busiest(reference_data):
    """The demo's library with the most partners, and its animator's e-mail."""
    call_command("seed_demo", f"--password={PASSWORD}", stdout=StringIO())
    partnership = (
        Partnership.objects.annotate(n=Count("partners"))
        .select_related("library")
        .order_by("-n", "pk")
        .first()
    )
    animator = Assignment.objects.active().get(partnership=partnership).animator.user
    return partnership.library, animator.email


def check(page, variant):
    drawings = page.evaluate(DRAWINGS)
    assert [d["variant"] for d in drawings] == [variant]
    labels = drawings[0]["labels"]
    assert labels
    assert [label for label in labels if label["px"] < 12] == []
    assert [label for label in labels if not label["inside"]] == []
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("width, variant", [(360, "phone"), (1280, "wide")])
def test_the_card_and_the_dashboard_draw_readable_pictures(browser, live_server, busiest, width,
                                                           variant):
    library, animator = busiest
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="pl-PL")
    page = context.new_page()
    page.set_default_timeout(15_000)

    sign_in(page, live_server.url, animator, PASSWORD)
    page.goto(f"{live_server.url}/libraries/{library.pk}/")
    check(page, variant)
    # The table of the same facts opens from its summary, one row per partner.
    page.locator(".picture-table > summary").click()
    partners = library.partnerships.get().partners.count()
    assert page.locator(".picture-table tbody tr").count() == partners

    page.context.clear_cookies()
    sign_in(page, live_server.url, "koordynator@example.org", PASSWORD)
    page.goto(f"{live_server.url}/dashboard/?voivodeship={library.voivodeship_id}")
    check(page, variant)
    context.close()
