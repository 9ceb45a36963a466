"""Users for every role, and an outsider of each role (same role, other libraries)."""

import datetime
import uuid

import pytest

from prb_partnerships import freshness
from prb_partnerships.roles import Role
from tests import factories


@pytest.fixture(scope="session", autouse=True)
def _plain_http():
    """The test client and the live server speak plain HTTP, so the redirect to HTTPS that
    production has (DEBUG off) is off in tests; tests/prb_partnerships/test_headers.py turns it
    on again to test it. Session-wide, because the live server reads it once, when it starts."""
    from django.test import override_settings

    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings, monkeypatch):
    """Tests run with DEBUG off but without `collectstatic` (no manifest needed), and with a fast
    password hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Login rate limits count in the shared cache, a database table that transactional tests do
    # not roll back: every test gets keys of its own (and needs no database to start empty).
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"},
        # The data version changes after a commit, which a test's transaction never reaches:
        # rendered pages are not kept, except in tests/test_freshness.py, which commits.
        "fragments": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    # … nor is the version read: the pinned query counts are those of a page built afresh
    # (tests/test_freshness.py pins those of a page kept, the version read included).
    monkeypatch.setattr(freshness, "data_version", lambda: "tests")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def round_(db):
    return factories.RoundFactory(name="Runda testowa")


@pytest.fixture
def coordinator(db):
    return factories.UserFactory(email="koordynator@example.org", role=Role.COORDINATOR)


@pytest.fixture
def expert(db):
    return factories.UserFactory(email="ekspert@example.org", role=Role.EXPERT)


@pytest.fixture
def partnership(round_):
    return factories.PartnershipFactory(round=round_)


@pytest.fixture
def library(partnership):
    return partnership.library


@pytest.fixture
def animator(partnership, expert):
    animator = factories.AnimatorFactory(
        user__email="animator@example.org", expert=expert
    )
    factories.AssignmentFactory(partnership=partnership, animator=animator)
    return animator


@pytest.fixture
def librarian(library):
    user = factories.UserFactory(email="bibliotekarka@example.org", role=Role.LIBRARIAN)
    library.librarians.add(user)
    return user


@pytest.fixture
def other_partnership(round_):
    return factories.PartnershipFactory(round=round_)


@pytest.fixture
def other_animator(other_partnership):
    """An animator of another library: an outsider to `partnership`."""
    animator = factories.AnimatorFactory(user__email="inny.animator@example.org")
    factories.AssignmentFactory(partnership=other_partnership, animator=animator)
    return animator


@pytest.fixture
def other_librarian(other_partnership):
    """A librarian of another library: an outsider to `partnership`."""
    user = factories.UserFactory(email="inna.bibliotekarka@example.org", role=Role.LIBRARIAN)
    other_partnership.library.librarians.add(user)
    return user


@pytest.fixture
def plain_user(db):
    """A signed-in user with no role at all."""
    return factories.UserFactory(email="bez.roli@example.org")


@pytest.fixture
def reference_data(db):
    """Voivodeships and role groups again, for tests with `transaction=True`: the flush after
    such a test empties what the data migrations loaded."""
    import importlib

    from django.apps import apps

    importlib.import_module("libraries.migrations.0002_voivodeships").load(apps, None)
    importlib.import_module("partnerships.migrations.0003_roles").create_roles(apps, None)


DEMO_TODAY = datetime.date(2026, 6, 20)


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The scale-1 demo data (round "Runda II 2026", 1 March – 30 September 2026), seeded once
    for the module in a transaction rolled back at its end; each test runs in a savepoint."""
    from io import StringIO

    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        call_command("seed_demo", f"--today={DEMO_TODAY}", "--password=demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)
