"""The button "Export" of every changelist: the rows shown with the filters applied, as CSV or
XLSX, at a query cost that does not grow with the rows."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from libraries.models import Library
from partnerships.models import Partnership, Stage
from tests import factories
from tests.prb_partnerships.test_admin import TODAY, admin_url, build
from tests.spreadsheets import read_csv, read_xlsx

pytestmark = pytest.mark.django_db
MODELS = [
    "libraries.voivodeship",
    "libraries.library",
    "animators.animator",
    "partnerships.round",
    "partnerships.partnership",
    "partnerships.assignment",
    "partnerships.partner",
    "partnerships.meeting",
    "partnerships.milestone",
    "partnerships.agreement",
    "partnerships.jointaction",
]


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def export(client, model, fmt="csv", **filters):
    url = admin_url(model, "export")
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    response = client.post(f"{url}?{query}" if query else url,
                           {"resource": "0", "format": {"csv": "0", "xlsx": "1"}[fmt]})
    assert response.status_code == 200, model
    assert response["Content-Disposition"].startswith("attachment; filename=")
    if fmt == "csv":
        return read_csv(response.content)
    return [list(row) for row in read_xlsx(response.content).active.iter_rows(values_only=True)]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_changelist_exports_its_rows(client, coordinator, expert, round_, model, fmt):
    build(round_, expert, 2)
    client.force_login(coordinator)
    shown = client.get(admin_url(model)).context["cl"].result_count

    rows = export(client, model, fmt)

    assert len(rows) == 1 + shown
    assert all(rows[0])  # every column has its header


def test_the_filters_of_the_changelist_are_honoured(client, english, coordinator, expert, round_):
    partnerships = build(round_, expert, 3)
    elsewhere = factories.PartnershipFactory(
        round=round_, library=factories.LibraryFactory(voivodeship=factories.voivodeship("02"))
    )
    factories.MilestoneFactory(partnership=partnerships[0], stage=Stage.INVITATIONS,
                               reached_on=round_.start)
    client.force_login(coordinator)

    libraries = export(client, "libraries.library", voivodeship__code__exact="02")
    assert [row[2] for row in libraries[1:]] == [elsewhere.library.terc]

    late = export(client, "partnerships.partnership", status="late")
    assert late[0][:2] == ["Library", "TERC code"]
    assert sorted(row[1] for row in late[1:]) == sorted(
        p.library.terc for p in Partnership.objects.with_progress(TODAY).filter(status="late")
    )
    assert len(late) == 1 + 4  # not started or at stage 1–2 on 1 June: all late

    found = export(client, "partnerships.meeting", q=partnerships[1].library.name)
    assert [row[1] for row in found[1:]] == [partnerships[1].library.terc]


@pytest.mark.parametrize("model", MODELS)
def test_export_query_count_does_not_grow(client, coordinator, expert, round_, model):
    client.force_login(coordinator)
    queries = []
    for size in (2, 6):
        build(round_, expert, size)
        with CaptureQueriesContext(connection) as captured:
            export(client, model, "xlsx")
        queries.append(len(captured))

    assert queries[0] == queries[1], model


def test_export_button_on_the_changelist_keeps_the_filters(client, coordinator, round_, expert):
    build(round_, expert, 1)
    client.force_login(coordinator)

    content = client.get(admin_url("libraries.library") + "?kind__exact=lead").content.decode()

    assert f'href="{reverse("admin:libraries_library_export")}?kind__exact=lead"' in content
    assert Library.objects.count() == 1
