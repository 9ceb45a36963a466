"""Benchmark: how the main pages' cost grows from the demo data at --scale 1 to --scale 10.

Run with `make bench` (a scratch SQLite database unless DATABASE_URL names another). Each page
is timed against a baseline measured in the same run — a request to /healthz — so the numbers
are ratios that hold on a noisy machine. Prints, per page: cost at scale 1 and at scale 10 in
baseline units, and their ratio; then the admin's import preview of a generated file of
10,000 new libraries (each with a new librarian): its time and its cost per row in baseline
units. Not a test: nothing here passes or fails on time.
"""

import csv
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prb_partnerships.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from libraries.models import Library, Voivodeship  # noqa: E402

REPEATS = 7
IMPORT_ROWS = 10_000


def timed(client, url):
    samples = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        response = client.get(url, HTTP_HOST="127.0.0.1")
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def measure():
    users = get_user_model().objects
    expert, animator = users.get(email="ekspert1@example.org"), users.get(
        email="animator01@example.org"
    )
    library = Library.objects.visible_to(animator).order_by("pk").first()
    client = Client()
    baseline = timed(client, "/healthz")
    results = {}
    for user, url in [
        (expert, "/dashboard/"),
        (expert, "/libraries/"),
        (expert, "/libraries/export.xlsx"),
        (expert, "/assignments/?propose=1"),
        (expert, "/admin/partnerships/partnership/"),
        (animator, "/libraries/mine/"),
        (animator, f"/libraries/{library.pk}/"),
        (animator, f"/libraries/{library.pk}/meetings/new/"),
    ]:
        client.force_login(user)
        results[url.replace(f"/{library.pk}/", "/<id>/")] = timed(client, url) / baseline
    return results


def libraries_csv(count) -> bytes:
    """`count` new lead libraries with a new librarian each, TERC codes the demo does not use."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Nazwa biblioteki", "Rodzaj", "Kod TERC", "Gmina", "Powiat", "Miejscowość",
                     "E-mail", "E-maile bibliotekarek"])
    codes = sorted(Voivodeship.objects.values_list("code", flat=True))
    for number in range(count):
        code = codes[number % len(codes)]
        powiat, gmina = divmod(number // len(codes), 90)
        terc = f"{code}{60 + powiat:02d}{gmina + 1:02d}2"
        writer.writerow([f"Biblioteka {number}", "wiodąca", terc, f"Gmina {number}", "powiat",
                         f"Miasto {number}", f"biblioteka{number}@example.org",
                         f"bibliotekarka{number}@example.org"])
    return out.getvalue().encode()


def measure_import_preview():
    """Seconds of the admin's preview of IMPORT_ROWS new libraries, and its cost per row in
    /healthz units."""
    client = Client()
    baseline = timed(client, "/healthz")
    client.force_login(get_user_model().objects.get(email="koordynator@example.org"))
    content = libraries_csv(IMPORT_ROWS)
    samples = []
    for _ in range(3):
        upload = SimpleUploadedFile("biblioteki.csv", content)
        started = time.perf_counter()
        response = client.post(
            "/admin/libraries/library/import/",
            {"resource": "0", "format": "0", "import_file": upload},
            HTTP_HOST="127.0.0.1",
        )
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200 and b"process_import" in response.content
    seconds = statistics.median(samples)
    return seconds, seconds / baseline / IMPORT_ROWS


def main():
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--scale=1", verbosity=0)
    small = measure()
    call_command("seed_demo", "--scale=10", verbosity=0)
    large = measure()
    print(f"{'page':45} {'scale 1':>9} {'scale 10':>9} {'ratio':>7}   (units: one /healthz)")
    for page in small:
        print(f"{page:45} {small[page]:9.1f} {large[page]:9.1f} {large[page] / small[page]:7.2f}")
    seconds, per_row = measure_import_preview()
    print(f"import preview of {IMPORT_ROWS:,} libraries: {seconds:.1f} s, "
          f"{per_row:.2f} units per row")


if __name__ == "__main__":
    main()
