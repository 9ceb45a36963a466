"""Benchmark: the admin's import of 10,000 new lead libraries, each with a new librarian.

Run with `make bench-import` on a scratch database (DATABASE_URL; it is migrated, given the
demo data, and the imported libraries are deleted again at the end). Prints the seconds of the
preview and of the confirmed import, each one request of the admin, in this process. Not a
test: nothing here passes or fails on time.
"""

import os
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prb_partnerships.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from benchmark import IMPORT_ROWS, libraries_csv  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from libraries.models import Library  # noqa: E402
from partnerships.models import Partnership  # noqa: E402


class HiddenFields(HTMLParser):
    """The hidden fields of a page: the confirmation form of the preview."""

    def __init__(self, html):
        super().__init__()
        self.fields = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""


# The requests of this process, whatever DEBUG says: any host, no HTTPS redirect, static files
# without the collected manifest.
REQUESTS = override_settings(
    ALLOWED_HOSTS=["*"],
    SECURE_SSL_REDIRECT=False,
    STORAGES={
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
)


@REQUESTS
def main():
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--scale=1", verbosity=0)
    users = get_user_model().objects
    client = Client()
    client.force_login(users.get(email="koordynator@example.org"))
    before = Library.objects.count()
    known = list(Library.objects.values_list("pk", flat=True))
    started = time.perf_counter()
    response = client.post(
        "/admin/libraries/library/import/",
        {"resource": "0", "format": "0",
         "import_file": SimpleUploadedFile("biblioteki.csv", libraries_csv(IMPORT_ROWS))},
        HTTP_HOST="127.0.0.1",
    )
    preview = time.perf_counter() - started
    assert response.status_code == 200 and b"process_import" in response.content
    started = time.perf_counter()
    response = client.post(
        "/admin/libraries/library/process_import/",
        HiddenFields(response.content.decode()).fields,
        HTTP_HOST="127.0.0.1",
    )
    confirmed = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    added = Library.objects.count() - before
    assert added == IMPORT_ROWS, added
    print(f"import of {IMPORT_ROWS:,} new libraries: preview {preview:.1f} s, "
          f"confirmed import {confirmed:.1f} s")
    # Leave the demo data as it was.
    new = Library.objects.exclude(pk__in=known)
    emails = [f"bibliotekarka{number}@example.org" for number in range(IMPORT_ROWS)]
    Partnership.objects.filter(library__in=new).delete()
    new.delete()
    users.filter(email__in=emails).delete()


if __name__ == "__main__":
    main()
