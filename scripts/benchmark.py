"""Benchmark: how the main pages' cost grows from the demo data at --scale 1 to --scale 10.

Run with `make bench` (a scratch SQLite database unless DATABASE_URL names another). Each page
is timed against a baseline measured in the same run — a request to /healthz — so the numbers
are ratios that hold on a noisy machine. Prints, per page: cost at scale 1 and at scale 10 in
baseline units, and their ratio. Not a test: nothing here passes or fails on time.
"""

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
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from libraries.models import Library  # noqa: E402

REPEATS = 7


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


if __name__ == "__main__":
    main()
