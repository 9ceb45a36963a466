"""Every page a person can open, for the tests that look at all of them (the language of the
text, accessibility): the pages of tests/test_every_url.py's table that answer a role with a
page, the admin's pages of every registered model, and the error pages.

`scene_with_everything` is the table's scene plus one record of each model the admin lists
that the scene lacks (so that every model's change form opens).
"""

import copy
import hashlib
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from prb_partnerships import errors
from tests import factories
from tests.test_every_url import EXPECTED, project_patterns, url_of, walk

# The roles whose pages are looked at: the library's animator and librarian; an outsider of a
# role sees the same pages with other data, or the 404 page.
ROLES = ("coordinator", "expert", "animator", "librarian", "anonymous")
STAFF = ("coordinator", "expert")
# Answers that are pages: the page itself, a form sent back with its errors, a refusal.
PAGE_ANSWERS = (200, 400, 403, 404)
# The admin's pages of each model.
ADMIN_PAGES = ("changelist", "add", "change", "history", "delete")
# Pages that show something else with a query: {URL pattern's name: [query, ...]}, each opened
# too by the roles the plain page answers with 200.
VARIANTS = {
    "partnerships:dashboard": ["?scope=all", "?scope=mine", "?scope=all&voivodeship=12"],
    "partnerships:assignment_board": ["?propose=1", "?scope=all", "?scope=mine"],
    "libraries:library_detail": ["?print"],
    "libraries:library_list": ["?status=late", "?q=nie-ma-takiej-biblioteki"],
    "partnerships:joint_action_create": ["?status=done"],
    "partnerships:assignment_create": ["?from=board"],
    "partnerships:round_next": ["?start=2027-04-01"],
}


@pytest.fixture
def scene_with_everything(scene, coordinator, expert, animator):
    """The table's scene, and a record of each model the admin lists but the scene has not."""
    from allauth.account.models import EmailAddress

    from animators.models import AccountEvent, AccountEventKind
    from partnerships.models import ReminderKind, SentDigest, SentReminder

    EmailAddress.objects.create(user=expert, email=expert.email, verified=True, primary=True)
    # A library without an animator: the assignment board lists it and proposes one.
    factories.PartnershipFactory(round=animator.assignments.get().partnership.round)
    AccountEvent.objects.create(user=animator.user, kind=AccountEventKind.INVITED, by=expert)
    partnership = animator.assignments.get().partnership
    today = timezone.localdate()
    SentReminder.objects.create(recipient=animator.user, partnership=partnership,
                                kind=ReminderKind.QUIET, key=today)
    SentDigest.objects.create(recipient=expert, week=today)
    return scene


def is_page(response):
    return response.status_code in PAGE_ANSWERS and response.get("Content-Type", "").startswith(
        "text/html"
    )


def table_requests(values):
    """(name, role, method, url) of the table's requests that answer with a page: GET (also
    with the queries of `VARIANTS`), and an empty POST that shows the form again with its
    errors."""
    for (route, name), (_route, _name, pattern) in zip(project_patterns(), walk(), strict=True):
        if name not in EXPECTED:
            continue
        url = url_of(route, name, pattern, values)
        for role in ROLES:
            for method, expected in zip(("get", "post"), EXPECTED[name][role], strict=True):
                if expected in PAGE_ANSWERS:
                    yield name, role, method, url
                if method == "get" and expected == 200:
                    for query in VARIANTS.get(name, []):
                        yield name, role, "get", url + query


def admin_requests(pages=ADMIN_PAGES):
    """(name, role, "get", url) of the admin's `pages` (by default the list, add, change,
    history and delete pages) of every model, for the coordinator and an expert."""
    for model in admin.site._registry:
        stem = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        obj = model._default_manager.order_by("pk").first()
        for page in pages:
            if page in ("changelist", "add"):
                url = reverse(f"{stem}_{page}")
            elif obj is None:
                continue
            else:
                url = reverse(f"{stem}_{page}", args=[obj.pk])
            for role in STAFF:
                yield f"{stem}_{page}", role, "get", url


def signed_in_clients(users, language):
    """A test client per role, signed in, asking for `language`."""
    clients = {}
    for role in ROLES:
        clients[role] = Client(raise_request_exception=False)
        clients[role].cookies[settings.LANGUAGE_COOKIE_NAME] = language
        if users[role] is not None:
            clients[role].force_login(users[role])
    return clients


def answer(client, method, url):
    """The response, in a savepoint rolled back after it (the session cookie kept)."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = getattr(client, method)(url)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def error_pages(language):
    """{name: html} of the error pages no address of the table answers with: a bad request,
    a form sent without its CSRF token, an unknown address, a server error and the technical
    break (the database away)."""
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    found = {
        "400": client.get("/", HTTP_HOST="bad host name").content,
        "403_csrf": csrf_client.post(reverse("account_login")).content,
        "404": client.get("/no-such-page/").content,
    }
    with translation.override(language):
        request = RequestFactory().get("/")
        try:
            raise RuntimeError("a failure")
        except RuntimeError:
            found["500"] = errors.server_error(request).content
        found["503"] = errors.database_unavailable().content
    return {name: html.decode() for name, html in found.items()}


def every_page(users, values, language):
    """(name, role, method, url, html) of every page each role can open, shown in `language`;
    `name` is the URL pattern's (an error page's: "error:<status>")."""
    clients = signed_in_clients(users, language)
    requests = [*table_requests(values), *admin_requests()]
    for name, role, method, url in requests:
        response = answer(clients[role], method, url)
        if is_page(response):
            yield name, role, method, url, response.content.decode()
    for status, html in error_pages(language).items():
        yield f"error:{status}", "anonymous", "get", f"error page {status}", html


class _Shape(HTMLParser):
    """The markup of a page without what only the data changes: every element with its
    attributes, where a link goes, a form is sent, a field's value and the text itself left out
    (only whether an element has text of its own is kept)."""

    DATA = {"href", "action", "value", "content", "src", "title", "datetime", "alt",
            "aria-label", "placeholder", "data-saved-draft", "data-draft", "aria-valuenow"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.digest = hashlib.sha256()

    def handle_starttag(self, tag, attrs):
        kept = sorted((name, "" if name in self.DATA else value or "") for name, value in attrs)
        self.digest.update(repr((tag, kept)).encode())

    def handle_endtag(self, tag):
        self.digest.update(f"/{tag}".encode())

    def handle_data(self, data):
        if data.strip():
            self.digest.update(b"#")


NUMBERED = re.compile(r"\d+")


def shape(html):
    """A digest of the page's markup as `_Shape` sees it; ids and names made of numbers (a
    record's primary key in an id) count as the same."""
    parser = _Shape()
    parser.feed(NUMBERED.sub("0", html))
    parser.close()
    return parser.digest.hexdigest()


SHOWS_ERRORS = re.compile(r'aria-invalid="true"|class="[^"]*\berrorlist\b|form-errors|'
                          r'error-summary')


def shows_errors(html):
    """Whether a page shows a form's errors (a form sent back)."""
    return SHOWS_ERRORS.search(html) is not None
