"""axe-core finds no WCAG 2.1 A/AA violation on the main pages, at 360 px and 1280 px."""

import os
from pathlib import Path

import pytest

from tests import factories
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing: CI must run `npm install axe-core`.")
        pytest.skip("axe-core is not installed (npm install --no-save axe-core).")
    return AXE.read_text()


def violations(page, axe_source):
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
              values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
              .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"""
    )
    return result


@pytest.fixture
def scene(reference_data, db):
    from django.utils import timezone

    today = timezone.localdate()
    import datetime

    round_ = factories.RoundFactory(name="Runda", start=today.replace(day=1)
                                    - datetime.timedelta(days=100))
    expert = factories.UserFactory(email="ekspertka@example.org", role="expert")
    partnership = factories.PartnershipFactory(round=round_)
    animator = factories.AnimatorFactory(user__email="animatorka@example.org", expert=expert)
    factories.AssignmentFactory(partnership=partnership, animator=animator)
    factories.PartnerFactory(partnership=partnership, sector="local_government")
    factories.MeetingFactory(partnership=partnership, date=round_.start)
    factories.MilestoneFactory(partnership=partnership, reached_on=round_.start)
    factories.PartnershipFactory(round=round_)
    return {"library": partnership.library}


@pytest.mark.parametrize("width", [360, 1280])
def test_pages_have_no_accessibility_violations(browser, live_server, scene, axe_source,
                                                width):
    # axe-core is injected as an inline script, which the site's Content-Security-Policy refuses.
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="pl-PL",
                                  bypass_csp=True)
    page = context.new_page()
    library = scene["library"]
    found = {}

    page.goto(f"{live_server.url}/accounts/login/")
    found["login"] = violations(page, axe_source)
    for email, paths in [
        ("ekspertka@example.org", ["/dashboard/", "/libraries/", "/assignments/?propose=1",
                                   f"/libraries/{library.pk}/"]),
        ("animatorka@example.org", ["/libraries/mine/", f"/libraries/{library.pk}/meetings/new/",
                                    f"/libraries/{library.pk}/agreement/"]),
    ]:
        context.clear_cookies()
        sign_in(page, live_server.url, email, PASSWORD)
        for path in paths:
            page.goto(live_server.url + path)
            found[path] = violations(page, axe_source)
    context.close()

    assert {path: v for path, v in found.items() if v} == {}
