"""`/` sends each role to its home page."""

import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_the_login_page(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["coordinator", "expert"])
def test_coordinator_and_experts_go_to_their_dashboard(client, role, request):
    client.force_login(request.getfixturevalue(role))

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_animator_goes_to_their_libraries(client, animator):
    client.force_login(animator.user)

    response = client.get("/", follow=True)

    assert response.redirect_chain[-1][0] == "/libraries/mine/"
    assert response.status_code == 200


def test_librarian_goes_to_their_own_library_card(client, librarian, library):
    client.force_login(librarian)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == f"/libraries/{library.pk}/"


def test_librarian_without_a_library_gets_404(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(role="librarian"))

    assert client.get("/").status_code == 404


def test_user_without_a_role_gets_403(client, plain_user):
    client.force_login(plain_user)

    assert client.get("/").status_code == 403


def test_login_page_is_in_polish_and_has_no_sign_up(client, db):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    content = response.content.decode()
    assert 'lang="pl"' in content
    assert "/accounts/signup/" not in content


def test_sign_up_is_closed(client, db):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "nowy@example.org",
            "password1": "Dlugie-haslo-123",
            "password2": "Dlugie-haslo-123",
        },
    )

    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert not User.objects.filter(email="nowy@example.org").exists()


def test_signing_in_with_email_and_password(client, animator):
    from tests.factories import PASSWORD

    response = client.post(
        "/accounts/login/", {"login": "animator@example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert client.get("/libraries/mine/").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, animator):
    response = client.post(
        "/accounts/login/", {"login": "animator@example.org", "password": "zle-haslo"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get("/libraries/mine/").status_code == 302


def test_repeated_failed_logins_are_rate_limited(client, animator):
    from tests.factories import PASSWORD

    for _ in range(5):
        client.post("/accounts/login/", {"login": "animator@example.org", "password": "zle"})

    response = client.post(
        "/accounts/login/", {"login": "animator@example.org", "password": PASSWORD}
    )

    assert "Zbyt wiele nieudanych prób logowania" in response.content.decode()
    assert client.get("/libraries/mine/").status_code == 302


def test_password_reset_sends_an_email(client, animator, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "animator@example.org"})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["animator@example.org"]
