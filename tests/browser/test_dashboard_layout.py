"""The dashboard on the demo data, as an expert and the coordinator: at 360 px every label
(the burn-up's too) is at least 12 px high, nothing scrolls the page sideways and a table that
scrolls does so inside a focusable, labelled region; at 1280 px every column of every table is
visible without scrolling; the voivodeship tiles show whole names, letter codes on a phone."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "demo-haslo-2026"

# The rendered size of every piece of text in the page's main part: an SVG text's font size
# times the drawing's scale, else the computed font size; visually hidden text is left out.
LABEL_SIZES = """() => {
  const sizes = [];
  for (const el of document.querySelectorAll('main *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const rect = el.getBoundingClientRect();
    if (!own || rect.width <= 1 || rect.height <= 1) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') continue;
    let px = parseFloat(style.fontSize);
    if (el instanceof SVGElement) px *= el.getScreenCTM().a;
    sizes.push([Math.round(px * 10) / 10, el.tagName, el.textContent.trim().slice(0, 30)]);
  }
  return sizes;
}"""

SCROLLING = """() => [...document.querySelectorAll('main *')]
  .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible'
               && e.getBoundingClientRect().width > 1)
  .map(e => ({role: e.getAttribute('role'), tabindex: e.getAttribute('tabindex'),
              label: e.getAttribute('aria-labelledby'), cls: e.className}))"""


@pytest.fixture
def demo(reference_data):
    call_command("seed_demo", f"--password={PASSWORD}", stdout=StringIO())


@pytest.fixture
def wide(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="pl-PL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.mark.parametrize("email", ["ekspert1@example.org", "koordynator@example.org"])
def test_on_a_phone_every_label_is_readable(phone, live_server, demo, email):
    sign_in(phone, live_server.url, email, PASSWORD)

    phone.goto(f"{live_server.url}/dashboard/")

    sizes = phone.evaluate(LABEL_SIZES)
    assert any(tag == "text" for _size, tag, _text in sizes)  # the burn-up's labels count
    assert [s for s in sizes if s[0] < 12] == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    for region in phone.evaluate(SCROLLING):
        assert region["role"] == "region" and region["tabindex"] == "0", region
        assert phone.locator(f"#{region['label']}").inner_text().strip()
    # Letter codes on the tiles, the full names read aloud.
    assert phone.locator(".tilemap__abbr").first.is_visible()
    assert phone.locator(".tilemap__name").first.evaluate(
        "e => e.getBoundingClientRect().width"
    ) <= 1


@pytest.mark.parametrize("email", ["ekspert1@example.org", "koordynator@example.org"])
def test_on_a_wide_screen_every_column_is_visible(wide, live_server, demo, email):
    sign_in(wide, live_server.url, email, PASSWORD)

    wide.goto(f"{live_server.url}/dashboard/")

    assert wide.evaluate(SCROLLING) == []
    assert wide.evaluate("document.documentElement.scrollWidth") <= 1280
    assert [s for s in wide.evaluate(LABEL_SIZES) if s[0] < 12] == []
    # Whole names on the tiles.
    assert not wide.locator(".tilemap__abbr").first.is_visible()
    names = wide.locator(".tilemap__name").all_inner_texts()
    assert "zachodniopomorskie" in [name.replace("\u00ad", "").replace("-\n", "") for name in names]
