"""The admin's own pages and wording: the index's daily work, the report of the current round,
a partnership's records as lists linking to their pages, and every count said with its noun
in the plural form the number takes."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from partnerships.admin import PartnershipAdmin
from partnerships.models import MeetingKind, Partnership, Stage
from partnerships.services import milestones_record_from_facts
from prb_partnerships.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


def partnership_with_records(round_):
    partnership = factories.PartnershipFactory(round=round_)
    factories.AssignmentFactory(partnership=partnership)
    factories.PartnerFactory(partnership=partnership, name="Koło Gospodyń Wiejskich")
    factories.MeetingFactory(partnership=partnership)
    factories.JointActionFactory(partnership=partnership, title="Piknik nad rzeką")
    return partnership


class TestIndex:
    @pytest.mark.parametrize("role", [Role.COORDINATOR, Role.EXPERT])
    def test_the_daily_work_comes_first(self, client, request, role, round_):
        client.force_login(request.getfixturevalue(role))

        content = client.get("/admin/", **ENGLISH).content.decode()

        daily = content.index('id="prb-daily"')
        links = [
            'href="/dashboard/"',
            'href="/assignments/"',
            f'href="{reverse("admin:partnerships_partnership_changelist")}?status=late"',
            'href="/libraries/?status=late"',
            f'href="{reverse("admin:partnerships_round_current_report")}"',
        ]
        positions = [content.index(link, daily) for link in links]
        assert positions == sorted(positions)
        assert positions[-1] < content.index('id="content-main"')  # before the models

    def test_each_link_that_leaves_the_admin_says_so(self, client, coordinator, round_):
        client.force_login(coordinator)

        content = client.get("/admin/", **ENGLISH).content.decode()

        daily = content[content.index('id="prb-daily"'):content.index('id="content-main"')]
        items = daily.split("<li>")[1:]
        leaving = [item for item in items if 'href="/' in item.replace('href="/admin/', "")]
        assert len(leaving) == 6  # with the coordinator's "The next round"
        assert all("(opens a page of the application)" in item for item in leaving)
        report = next(item for item in items if "Round report" in item)
        assert "opens a page of the application" not in report

    def test_late_partnerships_open_the_admins_list_filtered_to_late(self, client, coordinator,
                                                                     round_):
        late, on_track = (factories.PartnershipFactory(round=round_) for _ in range(2))
        for rank, stage in enumerate(list(Stage)[:3]):  # on track on 1 June
            factories.MilestoneFactory(partnership=on_track, stage=stage,
                                       reached_on=round_.start + datetime.timedelta(rank))
        client.force_login(coordinator)
        content = client.get("/admin/", **ENGLISH).content.decode()
        url = f'{reverse("admin:partnerships_partnership_changelist")}?status=late'
        assert f'href="{url}">Late partnerships</a>' in content

        shown = client.get(url).context["cl"].result_list

        assert list(shown) == [late]

    def test_the_admin_is_in_english_for_english_readers(self, client, expert):
        client.force_login(expert)

        content = client.get("/admin/", **ENGLISH).content.decode()

        assert "Daily work" in content and "Site administration" in content
        assert "Codzienna" not in content and "Witaj" not in content


class TestCurrentRoundReport:
    @pytest.mark.parametrize("role", [Role.COORDINATOR, Role.EXPERT])
    def test_downloads_the_report_of_the_round_under_way(self, client, request, role):
        factories.RoundFactory(name="Runda 2025", start=datetime.date(2025, 3, 1))
        factories.RoundFactory(name="Runda 2026", start=datetime.date(2026, 3, 1))
        client.force_login(request.getfixturevalue(role))

        response = client.get(reverse("admin:partnerships_round_current_report"))

        assert response.status_code == 200
        assert "raport-runda-2026" in response["Content-Disposition"]

    def test_without_a_round_says_so(self, client, coordinator):
        client.force_login(coordinator)

        response = client.get(reverse("admin:partnerships_round_current_report"), **ENGLISH)

        assert response.status_code == 302
        assert response["Location"] == reverse("admin:partnerships_round_changelist")
        assert [str(m) for m in get_messages(response.wsgi_request)] == [
            "There is no round yet."
        ]

    @pytest.mark.parametrize("role", ["animator", "librarian"])
    def test_others_are_sent_to_the_admin_sign_in(self, client, request, role, round_):
        person = request.getfixturevalue(role)
        client.force_login(getattr(person, "user", person))

        response = client.get(reverse("admin:partnerships_round_current_report"))

        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


class TestPartnershipState:
    def page(self, client, partnership):
        url = reverse("admin:partnerships_partnership_change", args=[partnership.pk])
        return client.get(url, **ENGLISH).content.decode()

    def test_the_page_opens_with_the_stage_the_status_and_its_reason(self, client, coordinator,
                                                                   round_):
        partnership = factories.PartnershipFactory(round=round_)
        factories.MilestoneFactory(partnership=partnership, stage=Stage.DIAGNOSIS,
                                   reached_on=round_.start)
        client.force_login(coordinator)

        content = self.page(client, partnership)

        state = content[content.index('id="prb-state-heading"'):content.index("</section>")]
        assert "State of the partnership today" in state
        assert "stage 1 of 7 reached: local diagnosis and map of potential partners" in state
        assert "<strong>Late</strong> — overdue since 15 April: partners invited" in state
        link = f'href="/libraries/{partnership.library_id}/">Open the partnership’s card</a>'
        assert link in state
        assert content.index('id="prb-state-heading"') < content.index('name="name"')

    def test_a_partnership_on_track_says_its_next_deadline(self, client, coordinator):
        later = factories.RoundFactory(name="Runda późna", start=datetime.date(2026, 5, 20),
                                     deadline_diagnosis=datetime.date(2026, 6, 10))
        partnership = factories.PartnershipFactory(round=later)
        client.force_login(coordinator)

        content = self.page(client, partnership)

        assert "no stage reached yet" in content
        assert "<strong>On track</strong> — next stage: local diagnosis and map of potential " \
            "partners — due 10 June" in content


class TestPartnershipRecords:
    def page(self, client, partnership):
        url = reverse("admin:partnerships_partnership_change", args=[partnership.pk])
        return client.get(url, **ENGLISH).content.decode()

    def test_each_record_links_to_its_page_and_nothing_is_edited_in_place(self, client, expert,
                                                                         round_):
        partnership = partnership_with_records(round_)
        client.force_login(expert)

        content = self.page(client, partnership)

        partner = partnership.partners.get()
        action = partnership.joint_actions.get()
        for model, obj in (("partner", partner), ("meeting", partnership.meetings.get()),
                           ("jointaction", action)):
            assert reverse(f"admin:partnerships_{model}_change", args=[obj.pk]) in content
        assert "Koło Gospodyń Wiejskich" in content and "Piknik nad rzeką" in content
        for editable in ("partners-0-name", "partners-0-sector", "meetings-0-date"):
            assert f'name="{editable}"' not in content

    def test_links_add_a_record_to_this_partnership(self, client, expert, round_):
        partnership = partnership_with_records(round_)
        client.force_login(expert)

        content = self.page(client, partnership)

        for model, text in (("partner", "Add a partner"), ("meeting", "Add a meeting"),
                            ("milestone", "Record the next stage"),
                            ("agreement", "Record the agreement"),
                            ("jointaction", "Add a joint action")):
            url = f'{reverse(f"admin:partnerships_{model}_add")}?partnership={partnership.pk}'
            assert f'href="{url}">{text}</a>' in content, model

    def test_a_stage_reached_by_a_fact_is_not_offered_to_be_added_by_hand(
        self, client, expert, round_
    ):
        partnership = partnership_with_records(round_)
        factories.reach_stages(partnership, 2)  # next: the first partnership meeting, a fact
        client.force_login(expert)

        content = self.page(client, partnership)

        assert f'{reverse("admin:partnerships_milestone_add")}?partnership=' not in content
        assert "Add a meeting" in content

    def test_a_second_agreement_is_not_offered(self, client, expert, round_):
        partnership = partnership_with_records(round_)
        factories.AgreementFactory(partnership=partnership)
        client.force_login(expert)

        content = self.page(client, partnership)

        assert f'{reverse("admin:partnerships_agreement_add")}?partnership=' not in content
        assert "Add a meeting" in content

    def test_the_add_page_fills_in_the_partnership(self, client, expert, round_):
        partnership = partnership_with_records(round_)
        client.force_login(expert)

        response = client.get(
            reverse("admin:partnerships_meeting_add"), {"partnership": partnership.pk}
        )

        assert response.context["adminform"].form.initial["partnership"] == str(partnership.pk)

    def test_a_new_partnership_has_no_record_lists(self, client, coordinator):
        client.force_login(coordinator)

        response = client.get(reverse("admin:partnerships_partnership_add"))

        assert response.status_code == 200
        assert response.context["inline_admin_formsets"] == []

    def test_saving_the_partnership_keeps_its_records(self, client, coordinator, round_):
        partnership = partnership_with_records(round_)
        url = reverse("admin:partnerships_partnership_change", args=[partnership.pk])
        client.force_login(coordinator)
        page = client.get(url)
        data = {"name": "Razem dla Gminy", "withdrawn_on": "", "withdrawal_reason": ""}
        for inline in page.context["inline_admin_formsets"]:
            formset = inline.formset
            data |= {f"{formset.prefix}-{key}": value
                     for key, value in formset.management_form.initial.items()}
            for form in formset.forms:
                data[f"{form.prefix}-id"] = form.instance.pk
                data[f"{form.prefix}-{formset.fk.name}"] = partnership.pk

        response = client.post(url, data)

        assert response.status_code == 302
        partnership.refresh_from_db()
        assert partnership.name == "Razem dla Gminy"
        assert partnership.partners.get().name == "Koło Gospodyń Wiejskich"
        assert partnership.meetings.count() == 1


class TestCounts:
    """Django's admin puts the model's one plural name after any number ("131 biblioteki");
    ours says each count with the noun's plural form for that number."""

    def test_the_paginator_counts_with_the_plural_form(self, client, coordinator, round_):
        client.force_login(coordinator)
        url = reverse("admin:partnerships_partnership_changelist")

        factories.PartnershipFactory(round=round_)
        assert "1 partnership\n" in client.get(url, **ENGLISH).content.decode()
        factories.PartnershipFactory(round=round_)
        assert "2 partnerships\n" in client.get(url, **ENGLISH).content.decode()

    def test_polish_says_each_count_with_its_form(self, client, coordinator, round_,
                                                  monkeypatch):
        monkeypatch.setattr(PartnershipAdmin, "list_per_page", 2)
        client.force_login(coordinator)
        url = reverse("admin:partnerships_partnership_changelist")

        said = {}
        for total in (1, 2, 5):
            while Partnership.objects.count() < total:
                factories.PartnershipFactory(round=round_)
            said[total] = client.get(url).content.decode()

        assert "1 partnerstwo\n" in said[1]
        assert "2 partnerstwa\n" in said[2]
        assert "5 partnerstw\n" in said[5]
        assert "Zaznacz na wszystkich stronach: 5 partnerstw" in said[5]
        assert "wszystkie(-kich)" not in said[5]

    def test_every_registered_list_has_its_own_count(self, client, coordinator):
        from django.contrib import admin

        for model, model_admin in admin.site._registry.items():
            assert model_admin.counted(2) != model_admin.counted(1), model
            assert "record" not in str(model_admin.counted(2)), model

    def test_selecting_on_every_page_counts_all_rows(self, client, coordinator, round_,
                                                     monkeypatch):
        monkeypatch.setattr(PartnershipAdmin, "list_per_page", 2)
        for _ in range(5):
            factories.PartnershipFactory(round=round_)
        client.force_login(coordinator)

        response = client.get(reverse("admin:partnerships_partnership_changelist"), **ENGLISH)

        content = response.content.decode()
        assert Partnership.objects.count() == 5
        assert "Select on every page: 5 partnerships" in content
        assert "Selected: 5 partnerships" in content
        assert "Select all 5" not in content

    def test_the_search_icon_is_named_in_the_readers_language(self, client, coordinator):
        client.force_login(coordinator)

        content = client.get(reverse("admin:libraries_library_changelist")).content.decode()

        assert 'alt="Szukaj"' in content


def test_an_accounts_dates_are_read_only(client, coordinator, expert):
    client.force_login(coordinator)

    response = client.get(reverse("admin:auth_user_change", args=[expert.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="last_login_0"' not in content and 'name="date_joined_0"' not in content
    assert 'name="email"' in content


def test_a_records_history_is_said_in_the_readers_language(client, coordinator, round_):
    partnership = factories.PartnershipFactory(round=round_, name="Razem")
    partnership.name = "Razem dla Gminy"
    partnership.save()
    client.force_login(coordinator)
    url = reverse("admin:partnerships_partnership_history", args=[partnership.pk])

    content = client.get(url, **ENGLISH).content.decode()

    assert f"History of {partnership}" in content and "2 versions" in content
    assert "Reason for the change" in content and ">None<" not in content
    version = partnership.history.earliest()
    page = client.get(f"{url}{version.history_id}/", **ENGLISH).content.decode()
    assert "Past version" in page and "Historical" not in page


def test_yes_no_columns_and_permissions_are_said_in_the_readers_language(client, coordinator,
                                                                          animator):
    client.force_login(coordinator)

    animators = client.get(reverse("admin:animators_animator_changelist"), **ENGLISH)
    users = client.get(reverse("admin:auth_user_changelist"), **ENGLISH)
    group = client.get(reverse("admin:auth_group_change", args=[1]), **ENGLISH)

    for page in (animators, users):
        content = page.content.decode()
        assert 'alt="yes"' in content and 'alt="True"' not in content
    assert "| can add</option>" in group.content.decode()
    assert "Can add" not in group.content.decode()
    assert 'aria-label="Breadcrumb trail"' in group.content.decode()


class TestPeopleAndDates:
    """The read-only lists name people by their names and say dates in the reader's language."""

    @pytest.fixture
    def partnership(self, round_, coordinator):
        coordinator.first_name, coordinator.last_name = "Joanna", "Szczepańska"
        coordinator.save()
        partnership = factories.PartnershipFactory(round=round_)
        factories.AssignmentFactory(partnership=partnership, assigned_by=coordinator)
        for rank, stage in enumerate((Stage.DIAGNOSIS, Stage.INVITATIONS)):
            factories.MilestoneFactory(partnership=partnership, stage=stage,
                                       reached_on=round_.start + datetime.timedelta(rank))
        meeting = factories.MeetingFactory(partnership=partnership, date=datetime.date(2026, 3, 25),
                                           kind=MeetingKind.PARTNERSHIP,
                                           logged_by=factories.UserFactory(first_name="",
                                                                           last_name=""))
        milestones_record_from_facts(partnership=partnership)
        return partnership, meeting

    def test_who_assigned_and_logged_is_named_by_the_full_name(self, client, coordinator,
                                                              partnership):
        partnership, meeting = partnership
        client.force_login(coordinator)

        page = client.get(reverse("admin:partnerships_partnership_change",
                                  args=[partnership.pk]), **ENGLISH).content.decode()
        assignments = client.get(reverse("admin:partnerships_assignment_changelist"),
                                 **ENGLISH).content.decode()

        assert "<dt>Assigned by:</dt> <dd>Joanna Szczepańska</dd>" in page
        assert "koordynator@example.org" not in page
        assert "Joanna Szczepańska" in assignments
        assert "koordynator@example.org" not in assignments
        # Without a name, the e-mail.
        assert f"<dt>Logged by:</dt> <dd>{meeting.logged_by.email}</dd>" in page

    def test_the_meeting_that_proves_a_stage_is_dated_in_the_readers_language(
        self, client, coordinator, partnership
    ):
        partnership, meeting = partnership
        client.force_login(coordinator)
        url = reverse("admin:partnerships_meeting_change", args=[meeting.pk])

        english = client.get(reverse("admin:partnerships_partnership_change",
                                     args=[partnership.pk]), **ENGLISH).content.decode()
        milestone = partnership.milestones.get(stage=Stage.FIRST_MEETING)
        milestone_page = client.get(reverse("admin:partnerships_milestone_change",
                                            args=[milestone.pk]), **ENGLISH).content.decode()

        assert f'<a href="{url}">partnership meeting of 25 March 2026</a>' in english
        assert f'<a href="{url}">partnership meeting of 25 March 2026</a>' in milestone_page
        assert "2026-03-25" not in english


def test_a_records_history_names_who_changed_it(client, coordinator, round_):
    coordinator.first_name, coordinator.last_name = "Joanna", "Szczepańska"
    coordinator.save()
    partnership = factories.PartnershipFactory(round=round_, name="Razem")
    partnership.name, partnership._history_user = "Razem dla Gminy", coordinator
    partnership.save()
    client.force_login(coordinator)

    content = client.get(reverse("admin:partnerships_partnership_history",
                                 args=[partnership.pk]), **ENGLISH).content.decode()

    assert "Joanna Szczepańska" in content
    assert "koordynator@example.org" not in content


def test_the_admin_messages_we_say_in_polish_are_djangos_own():
    """Our catalogue says Django's success messages without gendered endings; it overrides
    Django's only for msgids spelled exactly as Django's (prb_partnerships/admin_messages.py)."""
    import gettext
    from pathlib import Path

    import django.contrib.admin

    from prb_partnerships.admin_messages import ADMIN_MESSAGES

    djangos = gettext.translation(
        "django", Path(django.contrib.admin.__file__).parent / "locale", languages=["pl"]
    )
    assert [m for m in ADMIN_MESSAGES if djangos.gettext(m) == m] == []


@pytest.mark.parametrize("size", [1, 4])
def test_account_lists_name_the_people(client, coordinator, size, django_assert_num_queries):
    from allauth.account.models import EmailAddress

    from animators.models import AccountEvent, AccountEventKind

    coordinator.first_name, coordinator.last_name = "Joanna", "Szczepańska"
    coordinator.save()
    for number in range(size):
        person = factories.UserFactory(email=f"osoba{number}@example.org",
                                       first_name="Ewa", last_name=f"Nowak{number}")
        AccountEvent.objects.create(user=person, kind=AccountEventKind.INVITED, by=coordinator)
        EmailAddress.objects.create(user=person, email=person.email, verified=True)
    client.force_login(coordinator)

    events = client.get(reverse("admin:animators_accountevent_changelist"),
                        **ENGLISH).content.decode()
    # The page (5), the count, the rows with their people.
    with django_assert_num_queries(5 + 2 + 1):
        addresses = client.get(reverse("admin:account_emailaddress_changelist"),
                               **ENGLISH).content.decode()

    assert "Joanna Szczepańska" in events and "Ewa Nowak0" in events
    assert "koordynator@example.org" not in events and "osoba0@example.org" not in events
    assert "Ewa Nowak0" in addresses
