"""The card leads straight to the record that moves the partnership on, opens at what was just
saved, says who stands in for the animator and until when, and its print view has a way back
and a Print button."""

import datetime
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partnerships.models import Assignment, JointAction, Meeting, Partner, Sector
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 7, 10)  # the test round: 1 March – 30 September 2026


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def card(library, query=""):
    return f"/libraries/{library.pk}/{query}"


def top_of(content):
    start = content.index('aria-labelledby="status-heading"')
    return content[start:content.index("</section>", start)]


class TestTheNextStepLeadsToItsForm:
    @pytest.mark.parametrize("reached", [0, 1, 3, 6])
    def test_a_stage_recorded_by_hand_is_offered_as_the_next_stage(
        self, english, animator, library, partnership, reached
    ):
        factories.reach_stages(partnership, reached)
        english.force_login(animator.user)

        top = top_of(english.get(card(library)).content.decode())

        assert (f'href="/libraries/{library.pk}/milestones/new/">Record the next stage</a>'
                in top)

    @pytest.mark.parametrize("reached,form,label", [
        (2, "/meetings/new/?kind=partnership", "Log the first partnership meeting"),
        (4, "/agreement/", "Record the agreement"),
        (5, "/actions/new/?status=done", "Record a joint action carried out"),
    ])
    def test_a_stage_reached_by_a_fact_leads_to_the_form_of_that_fact(
        self, english, animator, library, partnership, reached, form, label
    ):
        factories.reach_stages(partnership, reached)
        english.force_login(animator.user)

        content = english.get(card(library)).content.decode()

        top = top_of(content)
        first_button = re.search(r'<a class="button" href="([^"]+)">([^<]+)</a>', top)
        assert first_button.group(1).endswith(form) and first_button.group(2) == label
        # Nowhere on the card a "record the next stage" leading to a page with nothing to fill.
        assert "Record the next stage" not in content

    def test_a_planned_joint_action_is_offered_to_be_marked_as_carried_out(
        self, english, animator, library, partnership
    ):
        factories.reach_stages(partnership, 5)
        later = factories.JointActionFactory(partnership=partnership, title="Noc w bibliotece",
                                             planned_on=D(2026, 9, 1))
        sooner = factories.JointActionFactory(partnership=partnership, title="Dzień Seniora",
                                              planned_on=D(2026, 7, 20))
        english.force_login(animator.user)

        top = top_of(english.get(card(library)).content.decode())

        first_button = re.search(r'<a class="button" href="([^"]+)">([^<]+)</a>', top)
        assert first_button.group(1) == f"/actions/{sooner.pk}/edit/?status=done"
        assert first_button.group(2) == "Mark “Dzień Seniora” as carried out"
        assert f"/actions/{later.pk}/" not in top
        assert f"/libraries/{library.pk}/actions/new/?status=done" in top  # another one
        form = english.get(first_button.group(1)).content.decode()
        assert re.search(r'<option value="done" selected>', form)

    def test_the_first_partnership_meeting_form_opens_with_its_kind_chosen(
        self, english, animator, library
    ):
        english.force_login(animator.user)

        html = english.get(f"/libraries/{library.pk}/meetings/new/?kind=partnership")

        assert re.search(r'<input type="radio" name="kind" value="partnership"[^>]* checked',
                         html.content.decode())


class TestTheCardOpensAtWhatWasSaved:
    def test_a_new_meeting_is_shown_and_named_in_the_message(self, english, animator, library):
        english.force_login(animator.user)

        response = english.post(f"/libraries/{library.pk}/meetings/new/",
                                factories.meeting_post())

        meeting = Meeting.objects.get()
        assert response.status_code == 302
        assert response["Location"] == card(library, f"#meeting-{meeting.pk}")
        content = english.get(response["Location"]).content.decode()
        assert f'id="meeting-{meeting.pk}"' in content
        assert (f'The meeting is saved. <a href="#meeting-{meeting.pk}">see the meeting of '
                "10 June 2026</a>") in content

    def test_a_new_partner_and_a_joint_action_too(self, english, animator, library):
        english.force_login(animator.user)

        response = english.post(f"/libraries/{library.pk}/partners/new/", {
            "name": "Gminny Ośrodek Kultury", "sector": Sector.CULTURE, "joined_on": "2026-06-01"})
        partner = Partner.objects.get()
        assert response["Location"] == card(library, f"#partner-{partner.pk}")

        response = english.post(f"/libraries/{library.pk}/actions/new/", {
            "title": "Festyn", "status": "planned", "planned_on": "2026-08-01"})
        action = JointAction.objects.get()
        assert response["Location"] == card(library, f"#action-{action.pk}")
        content = english.get(response["Location"]).content.decode()
        assert f'id="action-{action.pk}"' in content and f'id="partner-{partner.pk}"' in content
        assert "see “Festyn” on the card" in content


def stand_in_until_30_january(partnership, expert):
    """The active animator replaced by another one until 30 January 2027."""
    replaced = Assignment.objects.active().get(partnership=partnership)
    replaced.ended_at = timezone.now()
    replaced.save()
    bogdan = factories.AnimatorFactory(user__email="bogdan@example.org", expert=expert)
    return Assignment.objects.create(partnership=partnership, animator=bogdan,
                                     until=D(2027, 1, 30), replaces=replaced, reason="Urlop")


class TestATemporaryReplacement:
    @pytest.fixture
    def stand_in(self, partnership, animator, expert):
        return stand_in_until_30_january(partnership, expert)

    def test_the_animator_box_says_until_when_and_who_returns(
        self, english, librarian, library, animator, stand_in
    ):
        english.force_login(librarian)

        top = top_of(english.get(card(library)).content.decode())

        returns = animator.user.get_full_name() or animator.user.email
        assert f"temporary replacement until 30 January 2027, then {returns} returns" in top

    def test_the_history_says_the_year(self, english, expert, library, stand_in):
        english.force_login(expert)

        content = english.get(card(library)).content.decode()

        assert "temporary replacement until 30 January 2027</span>" in content

    @pytest.mark.parametrize("replaced", [False, True])
    def test_the_card_asks_as_many_queries_with_a_replacement(
        self, client, librarian, library, partnership, animator, expert, replaced,
        django_assert_num_queries
    ):
        if replaced:
            stand_in_until_30_january(partnership, expert)
        client.force_login(librarian)

        # As many as without one (tests/libraries/test_card_phone.py: no meetings, 2 fewer).
        with django_assert_num_queries(14):
            assert client.get(card(library)).status_code == 200


class TestThePrintView:
    def test_has_a_way_back_and_a_print_button_that_paper_leaves_out(
        self, english, animator, library
    ):
        english.force_login(animator.user)

        content = english.get(card(library, "?print=1")).content.decode()

        tools = re.search(r'<p class="print-tools no-print">(.*?)</p>', content, re.S).group(1)
        assert f'href="/libraries/{library.pk}/"' in tools and "Back to the card" in tools
        assert '<button type="button" class="button" data-print hidden>Print</button>' in tools
        assert re.search(r'<script src="[^"]*js/card\.js" defer></script>', content)
        assert "<script>" not in content  # no inline script: the CSP refuses it
        css = (settings.BASE_DIR / "static/css/print.css").read_text()
        # Hidden on paper only, not on the screen.
        screen = css.split("@media print")[0]
        assert ".no-print" not in screen.replace(".print-tools", "")
        assert ".no-print { display: none !important; }" in css


class TestTheMeetingFormAfterARefusal:
    @pytest.fixture(autouse=True)
    def _storage(self, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path / "private"

    def test_a_kept_photo_is_removed_with_a_box_and_the_input_adds_another(
        self, english, animator, library
    ):
        english.force_login(animator.user)
        photo = SimpleUploadedFile("lista.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200,
                                   content_type="image/jpeg")

        response = english.post(f"/libraries/{library.pk}/meetings/new/",
                                factories.meeting_post(participants="", attachments=photo))

        html = response.content.decode()
        assert response.status_code == 400 and not Meeting.objects.exists()
        assert "attached: lista.jpg ✓" in html
        assert re.search(r'type="checkbox" name="attachments-pending-remove"[^>]*>'
                         r'<label [^>]*>remove this file<', html)
        assert re.search(r'<label for="id_attachments">Add another photo', html)

    def test_one_blank_new_partner_and_one_more_once_it_is_filled_in(
        self, english, animator, library
    ):
        english.force_login(animator.user)

        first = english.get(f"/libraries/{library.pk}/meetings/new/").content.decode()
        refused = english.post(f"/libraries/{library.pk}/meetings/new/", factories.meeting_post(
            new_partners=[("Koło Gospodyń Wiejskich", Sector.RURAL_WOMEN)], participants=""))

        assert 'name="new-0-name"' in first and 'name="new-1-name"' not in first
        assert "add another new partner" in first
        again = refused.content.decode()
        assert 'value="Koło Gospodyń Wiejskich"' in again and 'name="new-1-name"' in again
        assert 'name="new-TOTAL_FORMS" value="2"' in again
        assert not Partner.objects.exists()


@pytest.mark.parametrize("reached,form,label", [
    (1, "/milestones/new/", "Record the next stage"),
    (4, "/agreement/", "Record the agreement"),
])
def test_the_animators_home_offers_the_same_next_step_as_the_card(
    english, animator, library, partnership, reached, form, label
):
    factories.reach_stages(partnership, reached)
    english.force_login(animator.user)

    home = english.get("/libraries/mine/").content.decode()

    assert re.search(rf'href="/libraries/{library.pk}{re.escape(form)}">{label}'
                     rf'<span class="visually-hidden"> — {re.escape(library.name)}</span>', home)
