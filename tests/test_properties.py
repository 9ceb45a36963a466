"""Whatever is typed or uploaded, the forms answer without a server error and store nothing
the rules forbid (property-based, with hypothesis).

Through the pages, as the animator of the library (the meeting, partner and stage forms) and as
the coordinator (the import of libraries): arbitrary text, dates and numbers give a 302 (saved)
or a 400 (the form with its errors), and whatever was saved holds the rules — dates inside the
round and not ahead, participants between 0 and the maximum, the stage the next one, a valid
TERC code. Each example runs in a savepoint rolled back after it, so they do not see each other.
"""

import contextlib
import datetime
import re

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from libraries.models import Library
from partnerships.models import (
    MAX_PARTICIPANTS,
    Meeting,
    MeetingKind,
    Milestone,
    Partner,
    Sector,
    Stage,
)
from tests import factories
from tests.spreadsheets import FORMATS, csv_bytes, preview

pytestmark = pytest.mark.django_db

# Function-scoped fixtures (the users, the library) are made once for all the examples of a
# test; each example undoes what it wrote, so sharing them is what we want.
TODAY = datetime.date(2026, 6, 20)
PROPERTIES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text as a browser can send it (no lone surrogates, which no form encoding can carry); NUL and
# every other control character included.
typed = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
day = st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)).map(str)
# Days around the test round (1 March – 30 September 2026, today 20 June): in it, before it,
# after today, after it.
round_day = st.dates(datetime.date(2026, 3, 15), TODAY).map(str)
near_day = st.one_of(
    round_day, st.dates(datetime.date(2026, 2, 20), datetime.date(2026, 10, 10)).map(str)
)
date_input = st.one_of(near_day, day, typed, st.integers().map(str))
number_input = st.one_of(
    st.integers(-5, MAX_PARTICIPANTS + 5).map(str),
    st.integers(-(10**20), 10**20).map(str),
    st.floats().map(str),
    typed,
)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


@pytest.fixture
def animator_client(client, animator):
    client.force_login(animator.user)
    return client


def in_round(partnership, value):
    return value is None or partnership.round.start <= value <= min(partnership.round.end, TODAY)


@contextlib.contextmanager
def rolled_back():
    """Run the body in a savepoint that is rolled back at its end."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def meeting_data(dates, kinds, numbers, texts, partner):
    return st.fixed_dictionaries({
        "date": dates, "next_meeting_on": st.one_of(st.just(""), dates), "kind": kinds,
        "participants": numbers, "summary": texts, "decisions": texts,
        "new-0-name": partner[0], "new-0-sector": partner[1],
    })


# Half the examples plausible (days near the round, numbers near the range, the real kinds and
# sectors, any text), half anything at all: so that both saved and refused forms are met.
meetings = st.one_of(
    meeting_data(near_day, st.sampled_from(MeetingKind.values),
                 st.integers(-5, MAX_PARTICIPANTS + 5).map(str), typed,
                 (st.just(""), st.sampled_from(["", *Sector.values]))),
    meeting_data(date_input, st.one_of(st.sampled_from(MeetingKind.values), typed),
                 number_input, typed,
                 (typed, st.one_of(st.sampled_from(Sector.values), typed))),
)


@PROPERTIES
@given(data=meetings)
def test_the_meeting_form_stores_only_valid_meetings(animator_client, partnership, library, data):
    url = f"/libraries/{library.pk}/meetings/new/"
    data |= {"new-TOTAL_FORMS": "2", "new-INITIAL_FORMS": "0"}
    with rolled_back():
        response = animator_client.post(url, data)
        assert response.status_code in (302, 400)
        event(f"answered {response.status_code}")
        meetings = list(Meeting.objects.filter(partnership=partnership))
        assert len(meetings) == (1 if response.status_code == 302 else 0)
        for meeting in meetings:
            assert in_round(partnership, meeting.date)
            assert 0 <= meeting.participants <= MAX_PARTICIPANTS
            assert meeting.next_meeting_on is None or meeting.next_meeting_on >= meeting.date
            assert "\x00" not in meeting.summary
        for partner in Partner.objects.filter(partnership=partnership):
            assert partner.name.strip() and partner.sector in Sector.values


@PROPERTIES
@given(
    name=typed,
    sector=st.one_of(st.sampled_from(Sector.values), typed),
    email=st.one_of(st.emails().map(str), typed),
    phone=typed,
    joined_on=st.one_of(st.just(""), date_input),
    left_on=st.one_of(st.just(""), date_input),
    notes=typed,
)
def test_the_partner_form_stores_only_valid_partners(
    animator_client, partnership, library, name, sector, email, phone, joined_on, left_on, notes,
):
    url = f"/libraries/{library.pk}/partners/new/"
    data = {
        "name": name, "sector": sector, "contact_person": name, "email": email, "phone": phone,
        "joined_on": joined_on, "left_on": left_on, "notes": notes,
    }
    with rolled_back():
        response = animator_client.post(url, data)
        assert response.status_code in (302, 400)
        event(f"answered {response.status_code}")
        partners = list(Partner.objects.filter(partnership=partnership))
        assert len(partners) == (1 if response.status_code == 302 else 0)
        for partner in partners:
            assert partner.name == partner.name.strip() and partner.name
            assert partner.sector in Sector.values
            assert in_round(partnership, partner.joined_on)
            assert in_round(partnership, partner.left_on)
            if partner.joined_on and partner.left_on:
                assert partner.left_on >= partner.joined_on


# Stages reached before → the stage that may come next (after 4 it needs a fact, the agreement).
NEXT = {0: Stage.DIAGNOSIS, 1: Stage.INVITATIONS, 3: Stage.PLANNING, 4: Stage.AGREEMENT}


@PROPERTIES
@given(reached=st.sampled_from(list(NEXT)), data=st.data(), reached_on=date_input, note=typed)
def test_the_stage_form_records_only_the_next_stage_inside_the_round(
    animator_client, partnership, library, reached, data, reached_on, note,
):
    stage = data.draw(st.one_of(st.just(NEXT[reached].value), st.sampled_from(Stage.values), typed))
    url = f"/libraries/{library.pk}/milestones/new/"
    with rolled_back():
        factories.reach_stages(partnership, reached)
        before = set(Milestone.objects.filter(partnership=partnership).values_list("pk", flat=True))
        response = animator_client.post(url, {"stage": stage, "reached_on": reached_on,
                                              "note": note})
        assert response.status_code in (302, 400)
        event(f"answered {response.status_code}")
        new = list(Milestone.objects.filter(partnership=partnership).exclude(pk__in=before))
        assert len(new) == (1 if response.status_code == 302 else 0)
        for milestone in new:
            assert Stage(milestone.stage).rank == reached + 1
            assert in_round(partnership, milestone.reached_on)
            earlier = Milestone.objects.filter(pk__in=before)
            assert all(m.reached_on <= milestone.reached_on for m in earlier)


HEADERS = ["Nazwa biblioteki", "Rodzaj", "Kod TERC", "Gmina", "Powiat", "Miejscowość",
           "E-maile bibliotekarek"]
TERC = re.compile(r"^\d{7}$")
csv_cell = st.one_of(typed, st.sampled_from(["wiodąca", "partnerska", "1217052", "1215082"]))


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def check_import(client, content, name):
    """The preview answers 200 and writes nothing; a confirmed import stores valid libraries."""
    libraries = Library.objects.count()
    with rolled_back():
        response = preview(client, "libraries.library", content, name=name,
                           fmt="xlsx" if name.endswith(".xlsx") else "csv")
        assert response.status_code == 200
        assert Library.objects.count() == libraries
        form = response.context.get("confirm_form")
        event("previewed" if form is not None else "refused")
        if form is not None:
            confirmed = client.post("/admin/libraries/library/process_import/", form.initial)
            assert confirmed.status_code in (200, 302)
        for library in Library.objects.select_related("voivodeship"):
            assert TERC.match(library.terc), library.terc
            assert library.terc.startswith(library.voivodeship.code)
            assert library.name.strip()


@PROPERTIES
@given(content=st.binary(max_size=4000), xlsx=st.booleans())
def test_any_bytes_uploaded_as_an_import_are_refused_or_previewed(
    coordinator_client, content, xlsx,
):
    check_import(coordinator_client, content, "libraries.xlsx" if xlsx else "libraries.csv")


@PROPERTIES
@given(
    rows=st.lists(st.lists(csv_cell, min_size=0, max_size=9), max_size=6),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1250"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_any_rows_of_a_csv_import_are_refused_or_stored_valid(
    coordinator_client, rows, encoding, delimiter,
):
    content = csv_bytes([HEADERS, *rows], encoding="utf-8", delimiter=delimiter)
    try:
        content = content.decode("utf-8").encode(encoding)
    except UnicodeEncodeError:
        pass  # not representable in cp1250: sent as UTF-8
    check_import(coordinator_client, content, "libraries.csv")


def test_the_formats_of_the_import_are_csv_and_xlsx():
    """The helper's format numbers follow the import's list of formats (else the tests above
    would send the wrong one)."""
    from prb_partnerships.importexport import FORMATS as IMPORT_FORMATS

    assert [f().get_title() for f in IMPORT_FORMATS] == list(FORMATS)
