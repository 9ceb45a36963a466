"""Headers a security review asks for: the deployment check passes with the README's production
settings, and pages, exports and files carry a strict Content-Security-Policy, a
Permissions-Policy, HSTS over HTTPS and `Cache-Control: no-store`."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from partnerships.models import MeetingAttachment
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200


def readme_production_environment():
    """The variables of the README's `export …` line under "Production", with its `...`
    placeholders filled: a long random SECRET_KEY and this run's database."""
    readme = (ROOT / "README.md").read_text()
    production = readme.split("\n## Production\n", 1)[1]
    line = re.search(r"^export (.+?)(?:\s+#.*)?$", production, re.MULTILINE).group(1)
    env = dict(item.split("=", 1) for item in line.split())
    filled = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/prb"),
    }
    return {name: filled.get(name, value) if "..." in value else value
            for name, value in env.items()}


def check_deploy(**extra):
    """`manage.py check --deploy --fail-level WARNING` in a fresh interpreter with the README's
    production environment (and nothing else of this one's settings)."""
    production = readme_production_environment()
    assert production["DEBUG"] == "0"
    inherited = {name: value for name, value in os.environ.items()
                 if name in {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env={**inherited, **production, **extra},
        capture_output=True, text=True, timeout=120,
    )
    return result.returncode, result.stdout + result.stderr


def test_the_deployment_check_passes_with_the_readme_production_settings():
    code, output = check_deploy()

    assert code == 0, output
    assert "System check identified no issues" in output


def test_the_deployment_check_fails_on_a_warning():
    # Turning the redirect off without the proxy doing it is what the check is there to catch.
    code, output = check_deploy(SECURE_SSL_REDIRECT="0")

    assert code != 0
    assert "security.W008" in output


@pytest.fixture
def attachment(animator, partnership, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return MeetingAttachment.objects.create(
        meeting=factories.MeetingFactory(partnership=partnership),
        file=ContentFile(JPEG, name="lista.jpg"),
        content_type="image/jpeg",
        original_name="lista.jpg",
        size=len(JPEG),
    )


def pages(request):
    """(who, URL) of the login page, a card, an export and a file."""
    library = request.getfixturevalue("library")
    animator = request.getfixturevalue("animator")
    attachment = request.getfixturevalue("attachment")
    return [
        (None, "/accounts/login/"),
        (animator.user, f"/libraries/{library.pk}/"),
        (request.getfixturevalue("coordinator"), "/libraries/export.csv"),
        (animator.user, f"/attachments/{attachment.pk}/"),
    ]


@pytest.mark.django_db
def test_pages_exports_and_files_carry_the_security_headers(client, request):
    for user, url in pages(request):
        client.logout()
        if user:
            client.force_login(user)

        response = client.get(url, secure=True)

        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
        assert "no-store" in response["Cache-Control"], url
        assert "camera=()" in response["Permissions-Policy"], url
        assert "geolocation=()" in response["Permissions-Policy"], url
        assert response["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        ), url


@pytest.mark.django_db
def test_a_page_forbids_inline_code_framing_and_foreign_forms(client, animator, library):
    client.force_login(animator.user)

    csp = client.get(f"/libraries/{library.pk}/")["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["base-uri"] == "'self'"
    assert "style-src-attr" not in directives


@pytest.mark.django_db
def test_the_admin_allows_style_attributes_but_no_inline_script(client, coordinator):
    client.force_login(coordinator)

    csp = client.get("/admin/")["Content-Security-Policy"]

    assert "style-src-attr 'unsafe-inline'" in csp
    assert "script-src 'self';" in csp + ";"


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_but_healthz_answers(client, settings):
    settings.SECURE_SSL_REDIRECT = True  # as in production; tests/conftest.py turns it off

    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"
    assert client.get("/healthz").content == b"ok"
    assert client.get("/accounts/login/", secure=True).status_code == 200


@pytest.mark.django_db
def test_hsts_is_sent_over_https_only(client):
    assert "Strict-Transport-Security" not in client.get("/accounts/login/")
    assert "Strict-Transport-Security" in client.get("/accounts/login/", secure=True)


def test_static_files_keep_their_caching(client, settings):
    settings.WHITENOISE_USE_FINDERS = True  # no `collectstatic` in tests

    response = client.get("/static/css/app.css")

    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"]
    assert "max-age" in response["Cache-Control"]
