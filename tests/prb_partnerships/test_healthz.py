from unittest import mock

from django.db import OperationalError


def test_healthz_answers_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"


def test_healthz_answers_503_when_the_database_is_down(client, db):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/healthz")

    assert response.status_code == 503


def test_healthz_needs_no_login_and_sets_no_cookie(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert "sessionid" not in response.cookies
