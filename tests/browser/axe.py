"""axe-core in a real browser: the WCAG 2.1 A and AA rules run on the page as it is shown, and
the files the page asked for and did not get.

The browser context must bypass the site's Content-Security-Policy (`bypass_csp=True`), which
refuses inline scripts such as the one that injects axe-core.
"""

import os
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_source():
    """axe-core's script; a failure in CI without it, a skip elsewhere."""
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing: CI must run `npm install axe-core`.")
        pytest.skip("axe-core is not installed (npm install --no-save axe-core).")
    return AXE.read_text()


def violations(page, source):
    """The page's violations, one line each: "rule-id: the elements (CSS selectors)"."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=source)
    return page.evaluate(
        """async (tags) => (await axe.run(document, {
              runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}))
            .violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))""",
        TAGS,
    )


class Inspector:
    """Opens pages in one browser page and says what is wrong with each: axe-core's violations
    and the files (style sheets, scripts, the icon, images) the page asked for and did not
    get."""

    def __init__(self, page, base_url, source):
        self.page, self.base_url, self.source = page, base_url, source
        self.missing = []
        page.on("response", self._note_missing)

    def _note_missing(self, response):
        if response.status >= 400 and response.request.resource_type != "document":
            self.missing.append(f"missing file: {response.status} {response.url}")

    def problems(self, url, html=None):
        """What is wrong with the page at `url` (a path); given `html`, the browser is served
        that page at that address instead of asking the server (the CSS, scripts and icon
        still come from the server)."""
        address = self.base_url + url
        if html is not None:
            self.page.route(address, serve(html))
        self.page.goto(address)
        self.page.wait_for_load_state("load")
        if html is not None:
            self.page.unroute(address)
        found = violations(self.page, self.source) + self.missing
        self.missing = []
        return found


def serve(html):
    """A route handler answering with `html`."""
    return lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8",
                                       body=html)
