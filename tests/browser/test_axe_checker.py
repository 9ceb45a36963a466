"""The accessibility check of test_accessibility_everywhere.py finds what it is there to find: a
field without a label, a list item outside a list, a file the page asks for and does not get;
and nothing on the sign-in page as it is."""

import pytest
from django.test import Client

from tests.browser.axe import Inspector, axe_source

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def inspector(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 900}, locale="pl-PL",
                                  bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield Inspector(page, live_server.url, axe_source())
    context.close()


@pytest.fixture
def sign_in_page(reference_data):
    return Client().get("/accounts/login/").content.decode()


def test_the_sign_in_page_as_it_is_has_no_problem(inspector, sign_in_page):
    assert inspector.problems("/accounts/login/") == []
    assert inspector.problems("/accounts/login/", html=sign_in_page) == []


def test_a_field_without_a_label_is_found(inspector, sign_in_page):
    # A field added to the form without a <label> (nor any other name).
    broken = sign_in_page.replace(
        '<button type="submit" class="button">',
        '<input type="text" name="code" id="id_code"><button type="submit" class="button">', 1
    )
    assert broken != sign_in_page

    problems = inspector.problems("/accounts/login/", html=broken)

    assert problems == ["label: #id_code"]


def test_a_list_item_outside_a_list_is_found(inspector, sign_in_page):
    # The messages as they were: list items in an element with the status role.
    broken = sign_in_page.replace(
        "<main", '<div role="status"><li class="message">Zapisano.</li></div><main', 1
    )

    problems = inspector.problems("/accounts/login/", html=broken)

    assert [p.split(":")[0] for p in problems] == ["listitem"]


def test_a_file_the_page_asks_for_and_does_not_get_is_found(inspector, sign_in_page):
    broken = sign_in_page.replace("/static/favicon.svg", "/static/no-such-icon.svg")

    problems = inspector.problems("/accounts/login/", html=broken)

    assert problems == [
        f"missing file: 404 {inspector.base_url}/static/no-such-icon.svg"
    ]
