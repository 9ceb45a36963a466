"""The site's layout: the header says who is signed in and in which role, messages are one
status region, and every layout links the site's icon."""

import re

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.test import Client

from prb_partnerships.roles import Role
from tests import factories


def signed_in_line(response):
    match = re.search(r'<p class="signed-in">(.*?)</p>', response.content.decode(), re.S)
    return match and re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match[1])).strip()


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize(
    "role, label",
    [
        (Role.COORDINATOR, "programme coordinator"),
        (Role.EXPERT, "CAL expert"),
        (Role.ANIMATOR, "partnership animator"),
        (Role.LIBRARIAN, "lead library"),
    ],
)
def test_the_header_names_the_signed_in_person_and_their_role(db, role, label):
    user = factories.UserFactory(first_name="Anna", last_name="Nowak", role=role)
    client = english(Client())
    client.force_login(user)

    response = client.get("/account/")

    assert signed_in_line(response) == f"Signed in: Anna Nowak · {label}"


def test_a_person_without_a_name_is_named_by_email_and_with_every_role(db):
    user = factories.UserFactory(first_name="", last_name="", email="ktos@example.org",
                                 role=Role.EXPERT)
    user.groups.add(Group.objects.get(name=Role.ANIMATOR))
    client = english(Client())
    client.force_login(user)

    response = client.get("/account/")

    assert signed_in_line(response) == (
        "Signed in: ktos@example.org · CAL expert · partnership animator"
    )


def test_nobody_is_named_before_signing_in(db):
    response = english(Client()).get("/accounts/login/")

    assert signed_in_line(response) is None


def test_messages_are_one_status_region_holding_a_list(rf, coordinator):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = coordinator
    request.session = {}
    request._messages = FallbackStorage(request)
    messages.success(request, "Zapisano.")
    messages.error(request, "Nie zapisano.")

    html = render_to_string("base.html", request=request)

    region = re.search(r'<div class="messages-region" role="status">\s*<ul class="messages">'
                       r"(.*?)</ul>\s*</div>", html, re.S)
    assert region, "the list sits inside the status region, not the other way round"
    assert re.findall(r"<li [^>]*>([^<]*)</li>", region[1]) == ["Zapisano.", "Nie zapisano."]


def test_every_layout_links_the_icon_and_the_icon_is_served(db, coordinator):
    client = Client(raise_request_exception=False)
    client.force_login(coordinator)
    pages = {
        "the site's layout": client.get("/account/"),
        "the error layout": client.get("/", HTTP_HOST="bad host name"),
        "the admin": client.get("/admin/"),
    }

    for name, response in pages.items():
        assert re.search(r'<link rel="icon" href="/static/favicon\.svg"',
                         response.content.decode()), name
    assert finders.find("favicon.svg")


@pytest.mark.django_db
def test_the_sign_in_page_offers_the_password_reset_once(client):
    # allauth would also put the link into the password field's help text, above the field.
    page = english(client).get("/accounts/login/").content.decode()

    assert page.count('href="/accounts/password/reset/"') == 1
    assert "Forgot your password?" in page


@pytest.mark.django_db
def test_a_browser_asking_for_favicon_ico_gets_the_site_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"
