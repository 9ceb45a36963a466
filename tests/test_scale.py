"""Query counts of every list and dashboard do not grow from the demo data at --scale 1 to
--scale 3 (the exact numbers are pinned, page by page, in each page's own tests)."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from libraries.models import Library

pytestmark = pytest.mark.django_db
User = get_user_model()
ADMIN_LISTS = [
    "/admin/libraries/library/",
    "/admin/animators/animator/",
    "/admin/partnerships/partnership/",
    "/admin/partnerships/assignment/",
    "/admin/partnerships/partner/",
    "/admin/partnerships/meeting/",
    "/admin/partnerships/milestone/",
    "/admin/partnerships/agreement/",
    "/admin/partnerships/jointaction/",
]


def query_counts(client):
    counts = {}
    expert = User.objects.get(email="ekspert1@example.org")
    animator = User.objects.get(email="animator01@example.org")
    librarian = User.objects.get(email="biblioteka001@example.org")
    library = Library.objects.visible_to(animator).order_by("pk").first()
    pages = [
        (expert, "/dashboard/"),
        (expert, "/dashboard/?scope=all"),
        (expert, "/libraries/"),
        (expert, "/libraries/?status=late&o=-last_meeting"),
        (expert, "/libraries/export.xlsx"),
        (expert, "/assignments/?propose=1"),
        (expert, "/people/"),
        (expert, f"/libraries/{library.pk}/"),
        (animator, "/libraries/mine/"),
        (animator, f"/libraries/{library.pk}/"),
        (animator, f"/libraries/{library.pk}/meetings/new/"),
        (librarian, "/"),
        *[(User.objects.get(email="koordynator@example.org"), url) for url in ADMIN_LISTS],
    ]
    for user, url in pages:
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code in (200, 302), url
        counts[(user.email, url)] = len(queries)
    return counts


def test_query_counts_are_the_same_at_scale_1_and_3(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", "--scale=1", verbosity=0, stdout=io.StringIO())
    small = query_counts(client)

    call_command("seed_demo", "--scale=3", verbosity=0, stdout=io.StringIO())
    assert Library.objects.count() == 384
    large = query_counts(client)

    assert {page: (small[page], large[page]) for page in small if small[page] != large[page]} == {}
