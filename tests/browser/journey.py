"""The harness of the user journeys (tests/browser/test_journeys.py): one person's way through
the application in a real browser, in Polish on a 360 px phone and once in English on a 1280 px
screen, with a screenshot of every step written to `build/journeys/<journey>/<lang>-<nn>-<step>.png`
for review.

What a journey asserts is what its user sees, in the words of the page's language: the texts
are the application's own msgids translated here the way the page translates them
(`journey.t(...)`), so a journey reads the same in both languages."""

import os
import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

from tests.browser.conftest import sign_in
from tests.factories import PASSWORD

SCREENSHOTS = Path(
    os.environ.get("JOURNEY_SCREENSHOTS") or settings.BASE_DIR / "build" / "journeys"
)

# (language, width): the phone in Polish, the desktop in English.
VISITS = {
    "pl-360": ("pl", {"width": 360, "height": 740}, "pl-PL"),
    "en-1280": ("en", {"width": 1280, "height": 900}, "en-GB"),
}


class Journey:
    """A page in one language and size, whose steps are photographed and numbered."""

    def __init__(self, browser, base_url, name, visit):
        self.lang, viewport, locale = VISITS[visit]
        self.width = viewport["width"]
        self.base_url = base_url
        self.context = browser.new_context(viewport=viewport, locale=locale, accept_downloads=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.folder = SCREENSHOTS / name
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob(f"{self.lang}-*.png"):
            old.unlink()
        self.steps = 0

    def close(self):
        self.context.close()

    # --- the page's words ---

    def t(self, msgid, **values):
        """`msgid` as the page says it in this journey's language."""
        with translation.override(self.lang):
            text = translation.gettext(msgid)
        return text % values if values else text

    def n(self, singular, plural, count, **values):
        with translation.override(self.lang):
            text = translation.ngettext(singular, plural, count)
        return text % {"counter": count, "count": count, **values}

    def date(self, day, fmt="j E Y"):
        """A date as the templates write it (`|date:"j E Y"`)."""
        from django.utils.dateformat import format as date_format

        with translation.override(self.lang):
            return date_format(day, fmt)

    # --- moving and looking ---

    def go(self, path):
        return self.page.goto(f"{self.base_url}{path}")

    def sign_in(self, email):
        """Sign in as `email`; the header then says who is signed in."""
        from django.contrib.auth import get_user_model

        self.context.clear_cookies()
        sign_in(self.page, self.base_url, email, PASSWORD)
        user = get_user_model().objects.get(email=email)
        assert (user.get_full_name() or email) in self.page.locator(".signed-in").inner_text()

    def field(self, label):
        """The input whose label starts with `label` (a msgid, translated)."""
        text = self.t(label)
        return self.page.get_by_label(re.compile(f"^{re.escape(text[:1].upper() + text[1:])}"))

    def main(self):
        return self.page.inner_text("main")

    def messages(self):
        return self.page.locator("ul.messages").inner_text()

    def step(self, name):
        """Photograph the page as this step left it; on the phone, nothing may be wider than
        the screen (no sideways scrolling)."""
        self.page.wait_for_load_state()
        self.steps += 1
        path = self.folder / f"{self.lang}-{self.steps:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        if self.width == 360:
            width = self.page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"step {name}: the page is {width} px wide on a 360 px phone"
        return path
