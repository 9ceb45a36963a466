"""When things go wrong: 400, 403, 404 and 500 in the site's layout and the user's language,
leaking nothing; a "technical break" (503) while the database is unreachable, and everything
as before once it is back."""

import socket

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import connection
from django.test import Client
from django.urls import path

from prb_partnerships.urls import urlpatterns as project_urlpatterns


def refuse_with_a_reason(request):
    raise PermissionDenied("Tylko koordynatorka zmienia role ekspertek CAL.")


def fail(request):
    raise RuntimeError("secret detail: password=hunter2 at /srv/prb/settings.py")


def bad(request):
    raise SuspiciousOperation("secret detail of a bad request")


# This module is the URL configuration of its tests: the project's URLs and three that fail.
urlpatterns = [
    path("test/refused/", refuse_with_a_reason),
    path("test/fail/", fail),
    path("test/bad/", bad),
    *project_urlpatterns,
]
handler500 = "prb_partnerships.errors.server_error"
pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


@pytest.fixture
def client():
    """A client that gets the error page, as a browser does, instead of the exception."""
    return Client(raise_request_exception=False)


def assert_site_layout(html):
    assert '<html lang="pl">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert 'class="site-header"' in html
    assert 'href="/">Przejdź na stronę główną</a>' in html
    assert "secret detail" not in html and "Traceback" not in html


def test_page_not_found_in_polish_in_the_layout(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert_site_layout(html)
    assert "<h1>Nie znaleziono strony</h1>" in html


def test_page_not_found_in_english_for_whoever_chose_english(client, animator):
    client.force_login(animator.user)
    client.cookies["django_language"] = "en"

    html = client.get("/libraries/999999/").content.decode()

    assert "<h1>Page not found</h1>" in html
    assert ">Go to the home page</a>" in html
    assert ">My libraries</a>" in html  # the signed-in menu, as on every page


def test_forbidden_page_without_a_reason(client, plain_user):
    client.force_login(plain_user)

    response = client.get("/")

    assert response.status_code == 403
    html = response.content.decode()
    assert_site_layout(html)
    assert "<h1>Brak uprawnień</h1>" in html
    assert "zwróć się do koordynatorki" in html


def test_forbidden_page_gives_the_reason_the_view_gave(client, expert):
    client.force_login(expert)

    response = client.get("/test/refused/")

    assert response.status_code == 403
    html = response.content.decode()
    assert_site_layout(html)
    assert "Tylko koordynatorka zmienia role ekspertek CAL." in html


def test_bad_request_in_polish_tells_nothing_of_the_cause(client):
    response = client.get("/test/bad/")

    assert response.status_code == 400
    html = response.content.decode()
    assert_site_layout(html)
    assert "<h1>Nieprawidłowe żądanie</h1>" in html


def test_a_request_for_another_host_gets_the_bad_request_page(client):
    response = client.get("/", HTTP_HOST="evil.example.com")

    assert response.status_code == 400
    assert "<h1>Nieprawidłowe żądanie</h1>" in response.content.decode()
    assert "evil.example.com" not in response.content.decode()


def test_server_error_in_polish_leaks_nothing(client, animator):
    client.force_login(animator.user)

    response = client.get("/test/fail/")

    assert response.status_code == 500
    html = response.content.decode()
    assert_site_layout(html)
    assert "<h1>Coś poszło nie tak</h1>" in html
    assert "hunter2" not in html


def test_a_form_sent_without_its_csrf_token_gets_a_page_that_says_what_to_do(animator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(animator.user)

    response = client.post("/notifications/", {"reminders": "on"})

    assert response.status_code == 403
    html = response.content.decode()
    assert_site_layout(html)
    assert "<h1>Nie można przyjąć formularza</h1>" in html


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def database_down():
    """Points the connection at a port where nothing listens, as when PostgreSQL is stopped;
    `back()` points it at the database again."""
    original = connection.settings_dict["PORT"], connection.settings_dict["HOST"]

    def down():
        connection.close()
        connection.settings_dict["HOST"], connection.settings_dict["PORT"] = (
            "127.0.0.1", closed_port(),
        )

    def back():
        connection.close()
        connection.settings_dict["PORT"], connection.settings_dict["HOST"] = original

    down()
    yield back
    back()


@pytest.mark.django_db(transaction=True)
def test_while_the_database_is_unreachable_every_page_is_a_technical_break(
    reference_data, client, animator, library, request
):
    client.force_login(animator.user)
    card = f"/libraries/{library.pk}/"
    assert client.get(card).status_code == 200

    back = request.getfixturevalue("database_down")
    # The card (the session and the user are read first), the login page, the home page.
    for url in (card, "/accounts/login/", "/"):
        response = client.get(url)

        assert response.status_code == 503, url
        assert response["Retry-After"] == "120"
        html = response.content.decode()
        assert_site_layout(html)
        assert "<h1>Przerwa techniczna</h1>" in html
    assert client.get("/healthz").status_code == 503

    back()
    assert client.get(card).status_code == 200
    assert client.get("/healthz").content == b"ok"
