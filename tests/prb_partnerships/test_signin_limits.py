"""Sign-in limits hold across workers and servers: they count in the shared cache (a database
table by default), per account and per client address, the address read from the proxy only when
the configuration trusts it."""

import re
import time

from django.core.cache.backends import locmem
from django.db import connection
from django.test import Client

from tests.factories import PASSWORD

LOGIN = "/accounts/login/"
EMAIL = "animator@example.org"
LOCKED = "Zbyt wiele nieudanych prób logowania"
SIGNED_IN_ONLY = "/libraries/mine/"


def another_worker(**extra):
    """A request served by another gunicorn worker: a new connection, and nothing left in this
    process's memory (a local-memory cache would forget every count here)."""
    for memory in [*locmem._caches.values(), *locmem._expire_info.values()]:
        memory.clear()
    return Client(**extra)


def sign_in(client, password, email=EMAIL, **headers):
    return client.post(LOGIN, {"login": email, "password": password}, **headers)


def fail_five_times(**extra):
    for _ in range(5):
        response = sign_in(another_worker(**extra), "zle-haslo")
        assert LOCKED not in response.content.decode()


def later(monkeypatch, seconds):
    """Move the clock of the limits forward."""
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + seconds)


def test_the_sixth_wrong_password_is_refused_whichever_worker_answers(animator):
    fail_five_times()

    response = sign_in(another_worker(), "zle-haslo")

    page = response.content.decode()
    assert response.status_code == 200
    assert LOCKED in page
    assert "Na to konto będzie można się zalogować ponownie za 5 minut;" in page


def test_the_count_lives_in_the_database_table_shared_by_the_workers(animator):
    fail_five_times()

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM prb_cache WHERE cache_key LIKE %s", ["%login_failed%"])
        (rows,) = cursor.fetchone()

    assert rows == 2  # one for the address, one for the account


def test_up_to_four_wrong_passwords_the_right_one_still_signs_in(client, animator):
    for _ in range(4):
        sign_in(client, "zle-haslo")

    response = sign_in(client, PASSWORD)

    assert response.status_code == 302
    assert client.get(SIGNED_IN_ONLY).status_code == 200


def test_the_message_says_in_how_many_minutes_and_points_to_the_reset(animator, monkeypatch):
    fail_five_times()
    later(monkeypatch, 130)

    response = sign_in(another_worker(), "zle-haslo")

    page = response.content.decode()
    assert "ponownie za 3 minuty;" in page
    assert "nie zostanie przyjęte nawet prawidłowe hasło" in page
    assert "ustaw nowe przez „Nie pamiętasz hasła?” poniżej" in page
    assert re.search(r'<a href="/accounts/password/reset/">Nie pamiętasz hasła\?</a>', page)


def test_the_right_password_waits_for_the_window_and_the_account_is_never_locked_for_good(
    animator, monkeypatch
):
    fail_five_times()
    client = another_worker()

    refused = sign_in(client, PASSWORD)
    assert LOCKED in refused.content.decode()
    assert client.get(SIGNED_IN_ONLY).status_code == 302

    later(monkeypatch, 5 * 60 + 1)
    accepted = sign_in(client, PASSWORD)

    assert accepted.status_code == 302
    assert client.get(SIGNED_IN_ONLY).status_code == 200


def test_the_password_reset_works_during_the_lock_and_lifts_it(animator, mailoutbox):
    fail_five_times()
    client = another_worker()

    response = client.post("/accounts/password/reset/", {"email": EMAIL})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = re.search(r"http://\S+(/accounts/password/reset/key/\S+/)", mailoutbox[0].body)[1]
    page = client.get(link, follow=True)
    response = client.post(
        page.redirect_chain[-1][0],
        {"password1": "Nowe-haslo-2026!", "password2": "Nowe-haslo-2026!"},
    )
    assert response.status_code == 302
    client = another_worker()
    assert sign_in(client, "Nowe-haslo-2026!").status_code == 302
    assert client.get(SIGNED_IN_ONLY).status_code == 200


def test_another_account_at_the_same_address_still_signs_in(animator, expert):
    fail_five_times()
    client = another_worker()

    response = sign_in(client, PASSWORD, email="ekspert@example.org")

    assert response.status_code == 302


def ten_failures_of_other_accounts(**headers):
    for number in range(10):
        response = sign_in(
            another_worker(), "zle-haslo", email=f"ktos{number}@example.org", **headers
        )
        assert LOCKED not in response.content.decode()


def test_behind_a_trusted_proxy_each_client_address_counts_on_its_own(animator, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    ten_failures_of_other_accounts(HTTP_X_FORWARDED_FOR="203.0.113.9")

    attacker = sign_in(another_worker(), PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9")
    animator_client = another_worker()
    # The client's own header may carry anything before the address our proxy added.
    user = sign_in(animator_client, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7")

    assert LOCKED in attacker.content.decode()
    assert user.status_code == 302
    assert animator_client.get(SIGNED_IN_ONLY).status_code == 200


def test_without_a_trusted_proxy_a_forged_address_changes_nothing(animator, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    for number in range(10):
        sign_in(
            another_worker(),
            "zle-haslo",
            email=f"ktos{number}@example.org",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number}",
        )

    response = sign_in(another_worker(), PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.1")

    assert LOCKED in response.content.decode()
