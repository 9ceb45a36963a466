"""axe-core finds no WCAG 2.1 A or AA violation on any page, at 360 px and at 1280 px, and no
page asks for a file the server does not have (a style sheet, a script, the icon).

The pages are those of tests/every_page.py: every page of tests/test_every_url.py's table that
the coordinator, an expert, the library's animator and librarian or an anonymous visitor can
open, and the form an empty POST shows again with its errors; the admin's list, add and change
pages of every model; and the error pages. A page is opened in the browser at its address, in a
browser context per role and width; the pages a browser is not sent to by a plain visit (a
form shown again after a POST, the error pages of a bad request, a server error or the
technical break) are rendered by the test client and served to the browser at their address.

A page whose markup has the same shape as one already looked at (every element and attribute
the same; the text, links, values and numbers aside: tests/every_page.py's `shape`) is not
looked at again: an expert's view of most pages is the coordinator's, and every refusal of a
role the same 403 page. All violations are reported at once, by page, role and width."""

import pytest
from django.conf import settings
from django.test import Client

from tests.browser.axe import Inspector, axe_source
from tests.every_page import (  # noqa: F401 (scene_with_everything is a fixture)
    ROLES,
    admin_requests,
    answer,
    error_pages,
    is_page,
    scene_with_everything,
    shape,
    shows_errors,
    signed_in_clients,
    table_requests,
)
from tests.test_every_url import scene  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)
WIDTHS = (360, 1280)


@pytest.fixture
def pages(reference_data, scene_with_everything):  # noqa: F811
    """{role: [(what, url, html or None)]}: the pages to look at, by role; html is given for
    the pages served to the browser as rendered by the test client."""
    users, values = scene_with_everything
    clients = signed_in_clients(users, "pl")
    found = {role: [] for role in ROLES}
    seen = set()
    requests = [*table_requests(values), *admin_requests(("changelist", "add", "change"))]
    for _name, role, method, url in requests:
        response = answer(clients[role], method, url)
        if not is_page(response):
            continue
        html = response.content.decode()
        if method == "post" and not shows_errors(html):
            continue  # the same page as the GET's
        if shape(html) in seen:
            continue
        seen.add(shape(html))
        if method == "get":
            found[role].append((f"GET {url}", url, None))
        else:
            found[role].append((f"POST {url}", url, html))
    for status, html in error_pages("pl").items():
        if shape(html) not in seen:
            found["anonymous"].append((f"error page {status}", f"/error-page/{status}/", html))
    return users, found


def session_cookie(user, base_url):
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": base_url}


def test_every_page_has_no_accessibility_violations(browser, live_server, pages):
    users, by_role = pages
    # Every role has pages of its own to look at (the admin's among the coordinator's).
    assert all(by_role.values()), {role: len(found) for role, found in by_role.items()}
    assert len(by_role["coordinator"]) > 40
    source = axe_source()
    found = {}
    for width in WIDTHS:
        for role, role_pages in by_role.items():
            context = browser.new_context(viewport={"width": width, "height": 900},
                                          locale="pl-PL", bypass_csp=True)
            if users[role] is not None:
                context.add_cookies([session_cookie(users[role], live_server.url)])
            page = context.new_page()
            page.set_default_timeout(30_000)
            inspector = Inspector(page, live_server.url, source)
            for what, url, html in role_pages:
                problems = inspector.problems(url, html)
                if problems:
                    found.setdefault(f"{what} as {role}", {})[width] = problems
            context.close()
    if found:
        pytest.fail("\n".join(
            f"{page} at {width} px: {problem}"
            for page, widths in found.items()
            for width, problems in widths.items()
            for problem in problems
        ), pytrace=False)
