"""Every figure of /dashboard/ that counts partnerships opens /libraries/ on exactly those
partnerships: each link's list is counted and compared with the figure, in both scopes, on the
demo data. One link of each kind is followed with the test client (the page and its count);
the others are counted by the list's own filtering (`_filtered_partnerships`), without
rendering a page per link."""

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from libraries.views import _filtered_partnerships
from tests.conftest import DEMO_TODAY

pytestmark = pytest.mark.django_db
URL = "/dashboard/"


class Links(HTMLParser):
    """(href, text) of every link to the list of libraries but "and N more" (whose number is
    the rest of a list)."""

    def __init__(self):
        super().__init__()
        self.links, self._href, self._text = [], None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        href = attrs.get("href") or ""
        if tag == "a" and href.startswith("/libraries/?") and "more" not in attrs.get("class", ""):
            self._href, self._text = href, []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def figure_links(content):
    """{href: the number its text shows} of the links whose text gives a count (not the
    voivodeships' names)."""
    parser = Links()
    parser.feed(content)
    figures = {}
    for href, text in parser.links:
        number = re.search(r"\d[\d,\u00a0 ]*", text)
        if number is None:
            continue
        count = int(re.sub(r"\D", "", number.group()))
        assert figures.setdefault(href, count) == count, f"{href} shows two numbers"
    return figures


def list_count(client, href):
    """The number of partnerships the list says it shows."""
    response = client.get(href, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["filterset"].is_valid(), response.context["filterset"].errors
    return response.context["page"].paginator.count


def filtered_count(person, href):
    """The number of partnerships the list filters for `person` at `href`."""
    request = RequestFactory().get(href)
    request.user = person
    filterset = _filtered_partnerships(request)[-1]
    assert filterset.is_valid(), filterset.errors
    return filterset.qs.count()


def kind(href):
    """Which filters a link uses: "status", "stage", "attention=quiet", "status+voivodeship"…"""
    query = parse_qs(urlsplit(href).query)
    used = "+".join(sorted(k for k in query if k not in {"round", "as_of", "expert"}))
    return f"attention={query['attention'][0]}" if "attention" in query else used


def check(client, person, figures):
    """Every figure's list has its number; the first link of each kind is followed."""
    followed = set()
    for href, shown in figures.items():
        assert filtered_count(person, href) == shown, href
        if kind(href) not in followed:
            followed.add(kind(href))
            assert list_count(client, href) == shown, href
    return followed


def user(email):
    return get_user_model().objects.get(email=email)


@pytest.mark.parametrize(
    "email, query",
    [
        ("ekspert1@example.org", {}),
        ("koordynator@example.org", {}),
    ],
)
def test_every_figure_opens_the_list_on_the_same_number(client, demo_data, email, query):
    person = user(email)
    client.force_login(person)

    response = client.get(URL, {"as_of": DEMO_TODAY.isoformat(), **query},
                          HTTP_ACCEPT_LANGUAGE="en")
    figures = figure_links(response.content.decode())

    mine = response.context["scope"] == "mine"
    for href in figures:
        params = parse_qs(urlsplit(href).query)
        assert params["as_of"] == [DEMO_TODAY.isoformat()]
        assert ("expert" in params) == mine, href
    followed = check(client, person, figures)
    assert followed == {
        "status", "stage", "attention=late", "attention=quiet", "attention=missed_meeting",
        "status+voivodeship", "animator", "animator+status",
    }


def test_an_experts_whole_programme_is_the_coordinators(client, demo_data):
    day = {"as_of": DEMO_TODAY.isoformat()}
    client.force_login(user("koordynator@example.org"))
    coordinators = figure_links(client.get(URL, day).content.decode())
    client.force_login(user("ekspert1@example.org"))

    experts = figure_links(client.get(URL, {**day, "scope": "all"}).content.decode())

    assert experts == coordinators


def test_the_figures_of_the_experts_scope_are_hers(client, demo_data):
    expert = user("ekspert1@example.org")
    client.force_login(expert)

    mine = client.get(URL, {"as_of": DEMO_TODAY.isoformat()})
    everyone = client.get(URL, {"as_of": DEMO_TODAY.isoformat(), "scope": "all"})

    her_list = filtered_count(expert, f"/libraries/?expert={expert.pk}&as_of={DEMO_TODAY}")
    assert mine.context["total_count"] == her_list
    assert 0 < her_list < everyone.context["total_count"]
    late = {row["status"].value: row["count"] for row in mine.context["statuses"]}["late"]
    assert late == len(mine.context["late"])


def test_a_past_day_opens_the_list_on_that_day(client, demo_data):
    """The state on a past day (the animators' loads left out: they follow the assignments of
    that day, the list's animator filter today's)."""
    client.force_login(user("koordynator@example.org"))

    response = client.get(URL, {"as_of": "2026-04-20"}, HTTP_ACCEPT_LANGUAGE="en")
    figures = {
        href: shown
        for href, shown in figure_links(response.content.decode()).items()
        if "animator=" not in href
    }

    assert len(figures) > 10
    check(client, user("koordynator@example.org"), figures)
