"""The next round built on this one (partnerships/next_round.py): the proposal of its dates
and libraries, its creation (/rounds/next/, the coordinator's), the known partners on the new
partnership's card, the previous animator first in the board's proposal, and the dashboard's
comparison of two rounds on the same day of the round."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from libraries.models import LibraryKind
from partnerships import next_round, proposal
from partnerships.models import (
    Assignment,
    Partner,
    Partnership,
    Round,
    Sector,
    Stage,
    default_round_dates,
)
from partnerships.next_round import add_months, next_name, shifter
from partnerships.services import AlreadySaved
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
URL = "/rounds/next/"


def month_start(months_from_now=0):
    """The 1st of the month `months_from_now` months from today's."""
    return add_months(timezone.localdate().replace(day=1), months_from_now)


def at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def round_fields(start, name="Runda następna"):
    return {"name": name, **default_round_dates(start)}


def form_data(fields, libraries, **extra):
    """What the page's form sends."""
    data = {name: value.isoformat() if isinstance(value, D) else value
            for name, value in fields.items()}
    return {**data, "libraries": [str(pk) for pk in libraries], **extra}


def snapshot(round_):
    """Everything of `round_` that creating the next round must leave as it was."""
    partnerships = Partnership.objects.filter(round=round_).order_by("pk")
    return {
        "round": Round.objects.filter(pk=round_.pk).values().get(),
        "partnerships": list(partnerships.values()),
        "history": Partnership.history.filter(round_id=round_.pk).count(),
        "partners": list(Partner.objects.filter(partnership__round=round_).values()),
        "assignments": list(Assignment.objects.filter(partnership__round=round_).values()),
    }


# ----- Dates and names -----


class TestDates:
    def test_a_month_end_stays_a_month_end(self):
        assert add_months(D(2026, 3, 31), 1) == D(2026, 4, 30)
        assert add_months(D(2026, 4, 30), 1) == D(2026, 5, 31)
        assert add_months(D(2027, 2, 28), 12) == D(2028, 2, 29)  # leap year
        assert add_months(D(2028, 2, 29), 12) == D(2029, 2, 28)
        assert add_months(D(2026, 1, 30), 1) == D(2026, 2, 28)
        assert add_months(D(2026, 4, 15), 12) == D(2027, 4, 15)
        assert add_months(D(2026, 11, 15), 3) == D(2027, 2, 15)

    def test_the_same_day_of_a_month_moves_by_months_another_by_days(self):
        by_months = shifter(D(2026, 3, 1), D(2027, 4, 1))
        assert by_months(D(2026, 3, 31)) == D(2027, 4, 30)
        by_days = shifter(D(2026, 3, 1), D(2026, 11, 10))
        assert by_days(D(2026, 3, 31)) == D(2026, 12, 10)

    @pytest.mark.parametrize(("name", "years", "expected"), [
        ("Runda II 2026", 1, "Runda III 2027"),
        ("Runda IV 2026", 1, "Runda V 2027"),
        ("Runda 2026", 1, "Runda 2027"),
        ("Runda 3", 1, "Runda 4"),
        ("Runda demonstracyjna lipiec 2026 – styczeń 2027", 1,
         "Runda demonstracyjna lipiec 2027 – styczeń 2028"),
        ("Runda testowa", 1, "Runda testowa"),
    ])
    def test_the_name_moves_on(self, name, years, expected):
        assert next_name(name, years) == expected


# ----- The proposal -----


@pytest.fixture
def spring():
    """A round of 1 March – 30 September 2026 with its default deadlines, four libraries: two
    that continue, one that withdrew, and a partner library's partnership (not a lead one)."""
    round_ = factories.RoundFactory(name="Runda II 2026", start=D(2026, 3, 1))
    a = factories.PartnershipFactory(round=round_, library__name="Biblioteka A")
    b = factories.PartnershipFactory(round=round_, library__name="Biblioteka B")
    gone = factories.PartnershipFactory(round=round_, library__name="Biblioteka C",
                                        withdrawn_on=D(2026, 5, 1))
    partner_kind = factories.PartnershipFactory(round=round_, library__name="Filia D",
                                                library__kind=LibraryKind.PARTNER)
    return SimpleNamespace(round=round_, a=a, b=b, gone=gone, partner_kind=partner_kind)


class TestProposal:
    def test_the_dates_follow_the_pattern_a_year_later(self, spring):
        proposed = next_round.round_propose_next(spring.round)

        assert proposed.fields == {"name": "Runda III 2027", **default_round_dates(D(2027, 3, 1))}

    def test_a_pattern_of_its_own_moves_with_the_same_offsets(self):
        round_ = Round.objects.create(
            name="Runda zimowa", start=D(2025, 11, 15), end=D(2026, 5, 31),
            deadline_diagnosis=D(2025, 12, 20), deadline_invitations=D(2026, 1, 10),
            deadline_first_meeting=D(2026, 1, 31), deadline_planning=D(2026, 2, 28),
            deadline_agreement=D(2026, 3, 31), deadline_joint_action=D(2026, 4, 30),
            deadline_evaluation=D(2026, 5, 31),
        )

        a_year_later = next_round.round_propose_next(round_).fields
        elsewhere = next_round.round_propose_next(round_, start=D(2026, 12, 15)).fields
        by_days = next_round.round_propose_next(round_, start=D(2026, 11, 20)).fields

        assert a_year_later["start"] == D(2026, 11, 15)
        assert a_year_later["deadline_planning"] == D(2027, 2, 28)
        assert a_year_later["end"] == D(2027, 5, 31)
        # A month later: month-ends stay month-ends (28 February → 31 March).
        assert elsewhere["deadline_planning"] == D(2027, 3, 31)
        assert elsewhere["deadline_invitations"] == D(2027, 2, 10)
        # Five days later: every date five days later.
        assert by_days["deadline_planning"] == D(2027, 3, 5)
        for fields in (a_year_later, elsewhere, by_days):
            assert next_round.round_problems(fields, previous_round=round_) == []

    def test_the_libraries_carried_over_are_those_that_did_not_withdraw(self, spring):
        proposed = next_round.round_propose_next(spring.round)

        assert [p.library.name for p in proposed.carried_over] == ["Biblioteka A", "Biblioteka B"]
        assert [p.library.name for p in proposed.withdrawn] == ["Biblioteka C"]

    def test_a_name_taken_is_not_proposed(self, spring):
        factories.RoundFactory(name="Runda III 2027", start=D(2024, 3, 1))

        assert next_round.round_propose_next(spring.round).fields["name"] == "Runda II 2026 (2027)"


# ----- The creation (the service) -----


@pytest.fixture
def known(spring, coordinator):
    """The spring round's partnerships with partners and animators."""
    animator = factories.AnimatorFactory(user__first_name="Ola", user__last_name="Znana")
    factories.AssignmentFactory(partnership=spring.a, animator=animator,
                                assigned_at=at(D(2026, 3, 2)))
    factories.PartnerFactory(partnership=spring.a, name="Urząd Gminy A",
                             sector=Sector.LOCAL_GOVERNMENT, contact_person="Jan Wójt",
                             email="wojt@example.org", phone="600 000 001")
    factories.PartnerFactory(partnership=spring.a, name="Koło Gospodyń", sector=Sector.RURAL_WOMEN)
    return SimpleNamespace(**vars(spring), animator=animator, coordinator=coordinator)


class TestCreation:
    def test_the_round_and_its_partnerships_linked_to_the_previous_ones(self, known):
        before = snapshot(known.round)

        created = next_round.round_create_next(
            previous_round=known.round, fields=round_fields(D(2027, 3, 1)),
            libraries=[known.a.library, known.b.library_id], by=known.coordinator,
        )

        assert (created.name, created.start, created.end) == (
            "Runda następna", D(2027, 3, 1), D(2027, 9, 30))
        assert created.deadline_agreement == D(2027, 6, 30)
        new = {p.library_id: p for p in created.partnerships.all()}
        assert new.keys() == {known.a.library_id, known.b.library_id}
        assert new[known.a.library_id].previous == known.a
        assert new[known.b.library_id].previous == known.b
        # In the change history, as added by the coordinator.
        rows = Partnership.history.filter(round_id=created.pk)
        assert {(r.history_type, r.history_user_id) for r in rows} == {("+", known.coordinator.pk)}
        # Nothing of the previous round changed.
        assert snapshot(known.round) == before

    def test_unticked_libraries_are_not_carried_over(self, known):
        created = next_round.round_create_next(
            previous_round=known.round, fields=round_fields(D(2027, 3, 1)),
            libraries=[known.b.library_id], by=known.coordinator,
        )

        assert [p.library_id for p in created.partnerships.all()] == [known.b.library_id]

    @pytest.mark.parametrize(("change", "field", "message"), [
        ({"end": D(2027, 2, 1)}, "end", "must end after it starts"),
        ({"start": D(2026, 9, 1)}, "start", "starts after Runda II 2026 ends"),
        ({"deadline_planning": D(2027, 10, 15)}, "deadline_planning", "within the round"),
        ({"deadline_invitations": D(2027, 3, 20)}, "deadline_invitations",
         "before the deadline of the stage before it"),
        ({"name": "runda ii 2026"}, "name", "already exists"),
    ])
    def test_wrong_dates_or_name_are_refused(self, known, change, field, message):
        fields = {**round_fields(D(2027, 3, 1)), **change}

        with translation.override("en"), pytest.raises(next_round.NextRoundError) as refused:
            next_round.round_create_next(previous_round=known.round, fields=fields,
                                         libraries=[known.a.library_id], by=known.coordinator)

        assert any(name == field and message in text for name, text in refused.value.problems)
        assert Round.objects.count() == 1

    def test_an_overlapping_round_is_refused(self, known):
        factories.RoundFactory(name="Runda jesienna", start=D(2027, 8, 1))

        with translation.override("en"), pytest.raises(next_round.NextRoundError) as refused:
            next_round.round_create_next(previous_round=known.round,
                                         fields=round_fields(D(2027, 3, 1)),
                                         libraries=[known.a.library_id], by=known.coordinator)

        assert "overlap the round Runda jesienna" in refused.value.problems[0][1]
        assert not Round.objects.filter(name="Runda następna").exists()

    @pytest.mark.parametrize("which", ["none", "withdrawn", "partner_kind", "elsewhere"])
    def test_only_libraries_carried_over(self, known, which):
        libraries = {
            "none": [],
            "withdrawn": [known.gone.library_id],
            "partner_kind": [known.partner_kind.library_id],
            "elsewhere": [factories.LibraryFactory().pk],
        }[which]

        with pytest.raises(next_round.NextRoundError):
            next_round.round_create_next(previous_round=known.round,
                                         fields=round_fields(D(2027, 3, 1)),
                                         libraries=libraries, by=known.coordinator)

        assert Round.objects.count() == 1
        assert Partnership.objects.count() == 4

    def test_a_second_creation_creates_nothing(self, known):
        first = next_round.round_create_next(
            previous_round=known.round, fields=round_fields(D(2027, 3, 1)),
            libraries=[known.a.library_id], by=known.coordinator,
        )

        with pytest.raises(AlreadySaved) as again:
            next_round.round_create_next(
                previous_round=known.round, fields=round_fields(D(2028, 3, 1), name="Inna"),
                libraries=[known.a.library_id], by=known.coordinator,
            )

        assert again.value.record == first
        assert Round.objects.count() == 2
        assert next_round.next_round_of(known.round) == first


# ----- The page -----


@pytest.fixture
def current(coordinator):
    """The round under way (started four months ago), with three libraries, one withdrawn."""
    round_ = factories.RoundFactory(name="Runda bieżąca", start=month_start(-4))
    partnerships = [
        factories.PartnershipFactory(round=round_, library__name=f"Biblioteka {letter}",
                                     library__voivodeship=factories.voivodeship(code))
        for letter, code in (("A", "12"), ("B", "12"), ("C", "02"))
    ]
    gone = factories.PartnershipFactory(round=round_, library__name="Biblioteka W",
                                        withdrawn_on=round_.start)
    return SimpleNamespace(round=round_, partnerships=partnerships, gone=gone)


def proposed_fields(current):
    return next_round.round_propose_next(current.round).fields


class TestPage:
    @pytest.fixture
    def page(self, client, coordinator):
        client.force_login(coordinator)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    def test_the_form_opens_with_the_proposal_all_ticked(self, page, current):
        response = page.get(URL)

        assert response.status_code == 200
        form = response.context["form"]
        assert form.initial["start"] == add_months(current.round.start, 12)
        assert form.initial["name"] == f"Runda bieżąca ({form.initial['start'].year})"
        assert sorted(form.initial["libraries"]) == sorted(
            p.library_id for p in current.partnerships)
        html = response.content.decode()
        assert "3 libraries of Runda bieżąca continue" in html
        assert html.count('type="checkbox" name="libraries"') == 3
        assert html.count("checked") >= 3
        assert "Biblioteka W" not in html
        assert "1 library that withdrew is not carried over" in html

    def test_another_start_moves_the_dates(self, page, current):
        start = add_months(current.round.start, 13)
        response = page.get(URL, {"start": start.isoformat()})

        assert response.context["form"].initial["start"] == start
        assert response.context["form"].initial["end"] == add_months(current.round.end, 13)

    @pytest.mark.parametrize("role", ["expert", "animator", "librarian"])
    def test_only_the_coordinator(self, client, request, current, role):
        person = request.getfixturevalue(role)
        client.force_login(getattr(person, "user", person))
        rounds = Round.objects.count()

        assert client.get(URL).status_code == 403
        data = form_data(proposed_fields(current),
                         [p.library_id for p in current.partnerships], confirm="1")
        assert client.post(URL, data).status_code == 403
        assert Round.objects.count() == rounds

    def test_check_then_create(self, page, current, coordinator):
        fields = proposed_fields(current)
        kept = [p.library_id for p in current.partnerships[:2]]
        before = snapshot(current.round)

        checking = page.post(URL, form_data(fields, kept))

        assert checking.status_code == 200
        assert checking.context["checking"]
        html = checking.content.decode()
        assert "Create the round with 2 libraries" in html
        assert "1 library not carried over" in html and "Biblioteka C" in html
        assert Round.objects.filter(name=fields["name"]).count() == 0

        created = page.post(URL, form_data(fields, kept, confirm="1"), follow=True)

        new = Round.objects.get(name=fields["name"])
        assert sorted(p.library_id for p in new.partnerships.all()) == sorted(kept)
        assert all(p.previous.round == current.round for p in new.partnerships.all())
        assert created.redirect_chain[-1][0] == f"{URL}?round={current.round.pk}"
        message = str(list(created.context["messages"])[0])
        assert f"/assignments/?round={new.pk}" in message
        assert "is created with 2 libraries" in message
        # The page now says which round is built on the current one.
        assert created.context["built"] == new
        assert snapshot(current.round) == before

    @pytest.mark.parametrize("starts", ["later", "already"])
    def test_the_form_sent_twice_creates_one_round(self, page, current, starts):
        fields = proposed_fields(current)
        if starts == "already":  # the previous round has ended; the new one is under way
            Round.objects.filter(pk=current.round.pk).update(
                **default_round_dates(month_start(-11)))
            fields = {**fields, **default_round_dates(month_start(-1))}
        data = form_data(fields, [p.library_id for p in current.partnerships], confirm="1",
                         round=str(current.round.pk))

        page.post(URL, data)
        again = page.post(URL, data, follow=True)

        assert Round.objects.filter(name=data["name"]).count() == 1
        assert Partnership.objects.filter(round__name=data["name"]).count() == 3
        said = [str(message) for message in again.context["messages"]]
        assert "already created; sending the form again added nothing" in said[-1]

    @pytest.mark.parametrize("value", ["999999", "x"])
    def test_an_unknown_round_to_build_on_is_404(self, page, current, value):
        assert page.get(URL, {"round": value}).status_code == 404

    def test_back_to_the_form_keeps_what_was_typed(self, page, current):
        fields = {**proposed_fields(current), "name": "Runda zmieniona"}

        response = page.post(URL, form_data(fields, [current.partnerships[0].library_id],
                                             edit="1"))

        assert response.status_code == 200
        assert not response.context["checking"]
        assert 'value="Runda zmieniona"' in response.content.decode()

    @pytest.mark.parametrize(("change", "libraries", "message"), [
        ({"deadline_agreement": "2000-01-01"}, None, "must fall within the round"),
        ({"end": "the start"}, None, "must end after it starts"),
        ({}, [], "Tick at least one library to carry over."),
        ({}, ["999999"], "Choose among the libraries listed."),
        ({"name": ""}, None, "This field is required."),
    ])
    def test_wrong_input_is_sent_back_with_the_reason(self, page, current, change, libraries,
                                                      message):
        fields = proposed_fields(current)
        if change.get("end") == "the start":
            change = {"end": fields["start"]}
        data = form_data({**fields, **change}, [p.library_id for p in current.partnerships],
                         confirm="1")
        if libraries is not None:
            data["libraries"] = libraries

        response = page.post(URL, data)

        assert response.status_code == 400
        assert message in response.content.decode()
        assert Round.objects.count() == 1

    def test_a_withdrawn_library_cannot_be_forged_in(self, page, current):
        data = form_data(proposed_fields(current), [current.gone.library_id], confirm="1")

        response = page.post(URL, data)

        assert response.status_code == 400
        assert Round.objects.count() == 1

    def test_the_admin_index_and_the_dashboard_lead_here(self, page, current, client, expert):
        assert URL in page.get("/admin/").content.decode()
        assert URL in page.get("/dashboard/").content.decode()
        client.force_login(expert)
        assert URL not in client.get("/admin/").content.decode()
        assert URL not in client.get("/dashboard/").content.decode()

    def test_query_count_does_not_grow_with_the_libraries(self, page, current,
                                                          django_assert_num_queries):
        def count():
            with CaptureQueriesContext(connection) as queries:
                assert page.get(URL).status_code == 200
            return len(queries)

        few = count()
        for _ in range(5):
            factories.PartnershipFactory(round=current.round)
        # 1 session, 2 user, 3 groups, 4 current round, 5 a round built on it, 6 the libraries
        # carried over (the name proposed is checked only when it moved on: not this one).
        with django_assert_num_queries(6):
            page.get(URL)
        assert count() == few == 6


# ----- The new partnership's card: the previous round and its known partners -----


@pytest.fixture
def rebuilt(coordinator, expert):
    """A round that ended months ago, and the round built on it under way today: the library's
    partnership in each, its partners then (one of them left), the animator of both."""
    old = factories.RoundFactory(name="Runda dawna", start=month_start(-15))
    before = factories.PartnershipFactory(round=old, library__name="Biblioteka Znana")
    animator = factories.AnimatorFactory(expert=expert, user__first_name="Ola",
                                         user__last_name="Znana")
    factories.AssignmentFactory(partnership=before, animator=animator,
                                assigned_at=at(old.start))
    wojt = factories.PartnerFactory(partnership=before, name="Urząd Gminy",
                                    sector=Sector.LOCAL_GOVERNMENT, contact_person="Jan Wójt",
                                    email="wojt@example.org", phone="600 000 001")
    kolo = factories.PartnerFactory(partnership=before, name="Koło Gospodyń",
                                    sector=Sector.RURAL_WOMEN, left_on=old.start
                                    + datetime.timedelta(days=60))
    new_round = next_round.round_create_next(
        previous_round=old, fields=round_fields(month_start(-3), name="Runda nowa"),
        libraries=[before.library_id], by=coordinator,
    )
    now = new_round.partnerships.get()
    factories.AssignmentFactory(partnership=now, animator=animator,
                                assigned_at=at(new_round.start))
    return SimpleNamespace(old=old, before=before, now=now, animator=animator, wojt=wojt,
                           kolo=kolo, library=before.library)


def card(client, user, library):
    client.force_login(user)
    return client.get(f"/libraries/{library.pk}/", HTTP_ACCEPT_LANGUAGE="en")


def invite_url(rebuilt, partner):
    return f"/libraries/{rebuilt.library.pk}/partners/new/?from_previous={partner.pk}"


class TestKnownPartners:
    def test_the_animator_sees_them_with_a_link_to_invite_each_again(self, client, rebuilt):
        html = card(client, rebuilt.animator.user, rebuilt.library).content.decode()

        assert "Known partners from the previous round" in html
        assert "Runda dawna" in html
        assert "Urząd Gminy" in html and "Jan Wójt" in html
        assert invite_url(rebuilt, rebuilt.wojt).replace("&", "&amp;") in html
        assert invite_url(rebuilt, rebuilt.kolo) in html
        assert "2 partners of the previous round are not in this partnership yet" in html

    def test_the_link_opens_the_partner_form_filled_in(self, client, rebuilt):
        client.force_login(rebuilt.animator.user)

        response = client.get(invite_url(rebuilt, rebuilt.wojt))

        assert response.status_code == 200
        assert {name: response.context["form"][name].value() for name in
                ("name", "sector", "contact_person", "email", "phone")} == {
            "name": "Urząd Gminy", "sector": Sector.LOCAL_GOVERNMENT,
            "contact_person": "Jan Wójt", "email": "wojt@example.org", "phone": "600 000 001",
        }
        assert response.context["form"]["joined_on"].value() is None

    def test_a_partner_added_again_is_shown_as_added(self, client, rebuilt):
        factories.PartnerFactory(partnership=rebuilt.now, name="urząd gminy ",
                                 sector=Sector.LOCAL_GOVERNMENT)

        html = card(client, rebuilt.animator.user, rebuilt.library).content.decode()

        assert "added again" in html
        assert invite_url(rebuilt, rebuilt.wojt) not in html
        assert invite_url(rebuilt, rebuilt.kolo) in html
        assert "1 partner of the previous round is not in this partnership yet" in html

    @pytest.mark.parametrize("forged", ["other", "current", "text", "missing"])
    def test_a_forged_partner_is_refused(self, client, rebuilt, forged):
        value = {
            "other": lambda: factories.PartnerFactory().pk,
            "current": lambda: factories.PartnerFactory(partnership=rebuilt.now).pk,
            "text": lambda: "1 OR 1=1",
            "missing": lambda: 999999,
        }[forged]()
        client.force_login(rebuilt.animator.user)

        response = client.get(f"/libraries/{rebuilt.library.pk}/partners/new/",
                              {"from_previous": value})

        assert response.status_code == 404

    def test_without_a_previous_partnership_the_prefill_is_refused(self, client, rebuilt):
        rebuilt.now.previous = None
        rebuilt.now.save()
        client.force_login(rebuilt.animator.user)

        assert client.get(invite_url(rebuilt, rebuilt.wojt)).status_code == 404
        assert "Known partners" not in card(client, rebuilt.animator.user,
                                            rebuilt.library).content.decode()

    def test_the_librarian_sees_them_without_links(self, client, rebuilt):
        librarian = factories.UserFactory(role="librarian")
        rebuilt.library.librarians.add(librarian)

        html = card(client, librarian, rebuilt.library).content.decode()

        assert "Known partners from the previous round" in html and "Urząd Gminy" in html
        assert "from_previous" not in html
        assert "see it in that round&#x27;s list" not in html

    def test_the_previous_partnership_in_one_line_with_a_link_to_its_round(self, client,
                                                                         rebuilt, expert):
        factories.reach_stages(rebuilt.before, 2)

        html = card(client, expert, rebuilt.library).content.decode()

        assert "stage 2 of 7 reached" in html
        assert "Ola Znana" in html
        assert f"/libraries/?round={rebuilt.old.pk}&amp;q=Biblioteka+Znana" in html

    def test_the_print_view_has_no_links(self, client, rebuilt):
        client.force_login(rebuilt.animator.user)

        html = client.get(f"/libraries/{rebuilt.library.pk}/?print=1",
                          HTTP_ACCEPT_LANGUAGE="en").content.decode()

        assert "Urząd Gminy" in html and "from_previous" not in html

    @pytest.mark.parametrize("partners", [1, 6])
    def test_two_more_queries_whatever_the_partners(self, client, rebuilt, partners,
                                                     django_assert_num_queries):
        for n in range(partners):
            factories.PartnerFactory(partnership=rebuilt.before, name=f"Partner {n}")
        client.force_login(rebuilt.animator.user)
        url = f"/libraries/{rebuilt.library.pk}/"
        with CaptureQueriesContext(connection) as with_previous:
            client.get(url)
        rebuilt.now.previous = None
        rebuilt.now.save()
        with CaptureQueriesContext(connection) as without:
            client.get(url)

        # The previous partnership with its progress, its partners.
        assert len(with_previous) == len(without) + 2


# ----- The previous animator first -----


def candidate(pk, codes, load=0, capacity=2):
    animator = SimpleNamespace(pk=pk)
    return proposal.Candidate(animator=animator, voivodeships=frozenset(codes), load=load,
                              capacity=capacity)


def library_in(pk, code, previous=None):
    return SimpleNamespace(pk=pk, library=SimpleNamespace(voivodeship_id=code, name=f"B{pk}"),
                           previous_animator_id=previous)


class TestPreviousAnimatorFirst:
    def test_the_previous_animator_is_proposed_even_outside_the_voivodeship(self):
        local, far = candidate(1, {"12"}), candidate(2, {"02"})

        [chosen] = proposal.propose([library_in(10, "12", previous=2)], [local, far])

        assert (chosen.animator.pk, chosen.previous, chosen.local) == (2, True, False)

    def test_without_room_the_rule_of_the_voivodeship_decides(self):
        local, full = candidate(1, {"12"}), candidate(2, {"12"}, load=2)

        [chosen] = proposal.propose([library_in(10, "12", previous=2)], [local, full])

        assert (chosen.animator.pk, chosen.previous) == (1, False)

    def test_an_animator_no_longer_among_the_candidates_is_not_proposed(self):
        [chosen] = proposal.propose([library_in(10, "12", previous=7)], [candidate(1, {"12"})])

        assert chosen.animator.pk == 1 and not chosen.previous

    def test_the_previous_libraries_come_first_to_their_animator(self):
        # Animator 1 has room for one more library: the one that knew them gets them, though
        # the other library would be considered first (its voivodeship has less room).
        known_one = candidate(1, {"12"}, load=1)
        others = [library_in(10, "02"), library_in(11, "12", previous=1)]

        proposals = {p.partnership.pk: p for p in proposal.propose(others, [known_one])}

        assert proposals[11].animator.pk == 1 and proposals[11].previous
        assert proposals[10].animator is None

    def test_without_previous_links_nothing_changes(self):
        candidates = [candidate(1, {"12"}), candidate(2, {"02"})]
        libraries = [library_in(10, "12"), library_in(11, "02"), library_in(12, "12")]

        assert [(p.partnership.pk, p.animator.pk, p.local) for p in
                proposal.propose(libraries, candidates)] == [
            (10, 1, True), (11, 2, True), (12, 1, True)]

    def test_the_last_assignment_of_the_previous_partnership_counts(self, rebuilt):
        stand_in = factories.AnimatorFactory()
        Assignment.objects.filter(partnership=rebuilt.before).update(ended_at=at(
            rebuilt.old.start + datetime.timedelta(days=30)))
        factories.AssignmentFactory(partnership=rebuilt.before, animator=stand_in,
                                    assigned_at=at(rebuilt.old.start
                                                   + datetime.timedelta(days=30)))

        row = next_round.with_previous_animator(Partnership.objects.filter(pk=rebuilt.now.pk))

        assert row.get().previous_animator_id == stand_in.pk

    def test_the_board_proposes_the_previous_animator(self, client, expert, rebuilt):
        # Nobody supports the new partnership yet; a local animator with room is there too.
        Assignment.objects.filter(partnership=rebuilt.now).delete()
        rebuilt.animator.voivodeships.set([factories.voivodeship("02")])
        local = factories.AnimatorFactory(user__last_name="Aaa")
        local.voivodeships.set([rebuilt.library.voivodeship])
        client.force_login(expert)

        response = client.get("/assignments/", {"round": rebuilt.now.round_id, "propose": 1},
                              HTTP_ACCEPT_LANGUAGE="en")

        [chosen] = response.context["proposals"]
        assert chosen.animator == rebuilt.animator and chosen.previous
        assert "the same as in the previous round" in response.content.decode()

    def test_the_assignment_form_proposes_the_previous_animator_too(self, client, expert,
                                                                     rebuilt):
        # The same library, assigned one by one: the form's "proposed" is the board's choice.
        Assignment.objects.filter(partnership=rebuilt.now).delete()
        rebuilt.animator.voivodeships.set([factories.voivodeship("02")])
        local = factories.AnimatorFactory(user__last_name="Aaa")
        local.voivodeships.set([rebuilt.library.voivodeship])
        client.force_login(expert)

        response = client.get(f"/assignments/partnership/{rebuilt.now.pk}/",
                              HTTP_ACCEPT_LANGUAGE="en")

        assert response.status_code == 200
        groups = response.context["form"].fields["animator"].widget.groups
        proposed = [o["candidate"].animator for g in groups for o in g["options"] if o["proposed"]]
        assert proposed == [rebuilt.animator]

# ----- The dashboard: two rounds on the same day -----


def reach(partnership, rank, step=5):
    start = partnership.round.start
    factories.reach_stages(partnership, rank,
                           [start + datetime.timedelta(days=step * n) for n in range(1, 8)])


@pytest.fixture
def two_rounds(coordinator, expert):
    """Runda 2025 (1 March) and Runda 2026 built on it. Day 60 of each:

    library  2025 (day 60)      2026 (day 60)   animator's expert
    A        stage 3            stage 4          `expert`
    B        stage 1            stage 3          `expert`
    C        stage 0            stage 1          another
    D        withdrawn (day 20)  not carried over
    """
    other = factories.UserFactory(role="expert")
    old = factories.RoundFactory(name="Runda 2025", start=D(2025, 3, 1))
    libraries = [factories.LibraryFactory(name=f"Biblioteka {x}") for x in "ABCD"]
    before = [factories.PartnershipFactory(round=old, library=lib) for lib in libraries]
    before[3].withdrawn_on = D(2025, 3, 21)
    before[3].save()
    new = next_round.round_create_next(
        previous_round=old, fields=round_fields(D(2026, 3, 1), name="Runda 2026"),
        libraries=libraries[:3], by=coordinator,
    )
    now = {p.library_id: p for p in new.partnerships.all()}
    now = [now[lib.pk] for lib in libraries[:3]]
    mine = factories.AnimatorFactory(expert=expert)
    theirs = factories.AnimatorFactory(expert=other)
    for index, animator in enumerate((mine, mine, theirs)):
        for partnership in (before[index], now[index]):
            factories.AssignmentFactory(partnership=partnership, animator=animator,
                                        assigned_at=at(partnership.round.start))
    for partnership, rank in zip(before, (3, 1, 0, 0), strict=True):
        reach(partnership, rank)
    for partnership, rank in zip(now, (4, 3, 1), strict=True):
        reach(partnership, rank)
    # After day 60: counts neither way.
    reach_later = before[2]
    factories.MilestoneFactory(partnership=reach_later, stage=Stage.DIAGNOSIS,
                               reached_on=D(2025, 5, 15))
    return SimpleNamespace(old=old, new=new, before=before, now=now)


DAY_60 = D(2026, 4, 29)


def comparison(round_, as_of, expert=None):
    from partnerships import dashboard

    return dashboard.build(round_=round_, as_of=as_of, expert=expert)["round_comparison"]


class TestComparison:
    def test_the_shares_on_the_same_day(self, two_rounds):
        c = comparison(two_rounds.new, DAY_60)

        assert c["previous"] == two_rounds.old
        assert (c["day"], c["previous_as_of"]) == (60, D(2025, 4, 29))
        assert (c["now_total"], c["before_total"]) == (3, 3)  # D withdrew
        shares = [(r["now"], r["before"]) for r in c["rows"]]
        assert shares == [(100, 67), (67, 33), (67, 33), (33, 0), (0, 0), (0, 0), (0, 0)]
        # By day 60 the deadlines of stages 1–2 have passed (31 March, 15 April).
        assert c["headline"]["stage"] == Stage.INVITATIONS

    def test_an_experts_scope(self, two_rounds, expert):
        c = comparison(two_rounds.new, DAY_60, expert=expert)

        assert (c["now_total"], c["before_total"]) == (2, 2)
        assert [(r["now"], r["before"]) for r in c["rows"]][:4] == [
            (100, 100), (100, 50), (100, 50), (50, 0)]

    def test_a_round_not_built_on_another_compares_nothing(self, two_rounds):
        assert comparison(two_rounds.old, D(2025, 4, 29)) is None

    def test_the_dashboard_says_it(self, client, coordinator, two_rounds):
        client.force_login(coordinator)

        html = client.get("/dashboard/", {"round": two_rounds.new.pk, "as_of": "2026-04-29"},
                          HTTP_ACCEPT_LANGUAGE="en").content.decode()

        assert "Day 60: 67% at stage 2 or further now, 33% in Runda 2025." in html

    @staticmethod
    def add_linked(two_rounds, expert, size):
        """`size` more libraries in both rounds, the new partnerships built on the old."""
        for _ in range(size):
            old = factories.PartnershipFactory(round=two_rounds.old)
            reach(old, 2)
            factories.AssignmentFactory(partnership=old,
                                        animator=factories.AnimatorFactory(expert=expert))
            new = factories.PartnershipFactory(round=two_rounds.new, library=old.library,
                                               previous=old)
            reach(new, 3)
            factories.AssignmentFactory(partnership=new,
                                        animator=factories.AnimatorFactory(expert=expert))

    @pytest.mark.parametrize("expert_scope", [True, False])
    @pytest.mark.parametrize("size", [0, 6])
    def test_two_queries_whatever_the_size(self, two_rounds, expert, size, expert_scope,
                                           django_assert_num_queries):
        self.add_linked(two_rounds, expert, size)
        scope = expert if expert_scope else None
        shown = list(Partnership.objects.filter(round=two_rounds.new).with_progress(DAY_60))
        if expert_scope:
            shown = [p for p in shown if p.assignments.get().animator.expert == expert]

        # 1 the round built on, 2 its partnerships with their progress on the same day.
        with django_assert_num_queries(2):
            c = next_round.compare_rounds(round_=two_rounds.new, as_of=DAY_60,
                                          partnerships=shown, expert=scope)

        assert c["before_total"] == (2 if expert_scope else 3) + size

    @pytest.mark.parametrize("scope", ["mine", "all"])
    def test_the_dashboard_costs_two_queries_more_whatever_the_size(self, client, expert,
                                                                    two_rounds, scope):
        client.force_login(expert)
        query = {"round": two_rounds.new.pk, "as_of": "2026-04-29", "scope": scope}

        def count():
            with CaptureQueriesContext(connection) as queries:
                response = client.get("/dashboard/", query)
            return len(queries), response.context["round_comparison"]

        small, _ = count()
        self.add_linked(two_rounds, expert, 6)
        large, compared = count()
        Partnership.objects.filter(round=two_rounds.new).update(previous=None)
        without, nothing = count()

        assert compared["now_total"] == (2 if scope == "mine" else 3) + 6
        assert nothing is None
        assert small == large == without + 2
