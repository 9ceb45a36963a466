"""One submit, one record: the meeting, partner and joint-action forms carry a one-time token;
the same form sent again (a double tap, a retry, a restored draft) stores nothing new and
leads back to the card, also when both copies arrive at the same moment."""

import datetime
import re
import threading
import uuid

import pytest
from django.db import connections
from django.db.models.signals import pre_save
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from partnerships import services
from partnerships.models import JointAction, Meeting, MeetingKind, Partner, Sector
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 15)
TOKEN = re.compile(r'<input type="hidden" name="submission_token" value="([0-9a-f-]{36})"')


@pytest.fixture(autouse=True)
def _today_and_storage(monkeypatch, settings, tmp_path):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    settings.MEDIA_ROOT = tmp_path / "private"


def meeting_data():
    # A new partner: sent again, the form alone would refuse the name as already taken.
    return factories.meeting_post(
        new_partners=[("Koło Gospodyń Wiejskich", Sector.RURAL_WOMEN), ("", "")],
        summary="Pierwsze spotkanie partnerstwa.",
    )


# (path under the library, model, data, message) for each of the three forms.
FORMS = {
    "meeting": (
        "meetings/new/",
        Meeting,
        meeting_data,
        "This meeting was already saved; sending the form again added nothing.",
    ),
    "partner": (
        "partners/new/",
        Partner,
        lambda: {"name": "Parafia pw. św. Jana", "sector": Sector.PARISH},
        "This partner was already saved; sending the form again added nothing.",
    ),
    "joint_action": (
        "actions/new/",
        JointAction,
        lambda: {"title": "Piknik rodzinny", "planned_on": "2026-07-01", "status": "planned"},
        "This joint action was already saved; sending the form again added nothing.",
    ),
}


def polish(message):
    with translation.override("pl"):
        return escape(gettext(message))


def token_of(response):
    """The one-time token of the form on the page, as the browser would send it."""
    match = TOKEN.search(response.content.decode())
    assert match, "the form carries no one-time token"
    return match.group(1)


@pytest.fixture(params=FORMS)
def form(request, library):
    path, model, data, message = FORMS[request.param]
    return {"url": f"/libraries/{library.pk}/{path}", "model": model, "data": data,
            "message": message, "card": f"/libraries/{library.pk}/"}


class TestSentTwice:
    def test_the_same_form_sent_twice_saves_once_and_leads_to_the_card(self, client, animator,
                                                                       form):
        client.force_login(animator.user)
        token = token_of(client.get(form["url"]))
        data = {**form["data"](), "submission_token": token}

        first = client.post(form["url"], data)
        second = client.post(form["url"], data)

        assert first.status_code == second.status_code == 302
        # Both lead to the card, at the record saved.
        assert second["Location"] == first["Location"]
        assert second["Location"].startswith(form["card"] + "#")
        assert form["model"].objects.count() == 1
        assert form["model"].objects.get().submission_token == uuid.UUID(token)
        card = client.get(second["Location"]).content.decode()
        assert polish(form["message"]) in card

    def test_each_opening_of_the_form_gets_its_own_token(self, client, animator, form):
        client.force_login(animator.user)

        tokens = {token_of(client.get(form["url"])) for _ in range(2)}
        for token in tokens:
            client.post(form["url"], {**form["data"](), "submission_token": token,
                                      "name": f"Partner {token[:8]}",
                                      "new-0-name": f"Partner {token[:8]}"})

        assert len(tokens) == 2
        assert form["model"].objects.count() == 2

    def test_a_form_without_a_token_still_saves(self, client, animator, form):
        """Old cached pages and other callers post without it: the token guards, it is not
        required; something that is not a UUID counts as no token."""
        client.force_login(animator.user)

        response = client.post(form["url"], {**form["data"](), "submission_token": "forged"})

        assert response.status_code == 302
        assert form["model"].objects.get().submission_token is None

    def test_a_form_sent_back_with_errors_keeps_its_token(self, client, animator, library):
        client.force_login(animator.user)
        url = f"/libraries/{library.pk}/meetings/new/"
        token = token_of(client.get(url))

        refused = client.post(url, {**meeting_data(), "participants": "-3",
                                    "submission_token": token})
        saved = client.post(url, {**meeting_data(), "submission_token": token_of(refused)})

        assert refused.status_code == 400 and saved.status_code == 302
        assert Meeting.objects.get().submission_token == uuid.UUID(token)

    def test_a_form_sent_back_without_a_token_gets_a_new_one(self, client, animator, library):
        client.force_login(animator.user)
        url = f"/libraries/{library.pk}/meetings/new/"

        refused = client.post(url, {**meeting_data(), "participants": "-3"})

        assert refused.status_code == 400
        assert uuid.UUID(token_of(refused))
        assert "submission_token" not in refused.context["form"].errors

    def test_the_admin_and_other_callers_create_without_a_token(self, animator, partnership):
        fields = {"date": datetime.date(2026, 6, 10), "kind": MeetingKind.VISIT,
                  "participants": 3, "summary": "", "decisions": "", "support_declared": "",
                  "next_meeting_on": None}

        services.meeting_create(partnership=partnership, by=animator.user, fields=fields)
        services.meeting_create(partnership=partnership, by=animator.user, fields=fields)

        assert Meeting.objects.filter(submission_token__isnull=True).count() == 2


class TestRestoredDraft:
    def test_a_draft_restored_and_sent_again_stores_nothing_new(self, client, animator, library,
                                                               partnership):
        """The save reached the server but its answer was lost: the browser still holds the
        draft with its token, restores it on the next opening and it is sent again."""
        client.force_login(animator.user)
        url = f"/libraries/{library.pk}/meetings/new/"
        page = client.get(url).content.decode()
        assert 'name="submission_token"' in page and "data-draft-keep" in page
        token = token_of(client.get(url))
        client.post(url, {**meeting_data(), "submission_token": token})  # answer lost

        client.get(url)  # opened again: a new token on the page, the draft's token restored
        resent = client.post(url, {**meeting_data(), "summary": "Poprawione w szkicu.",
                                   "submission_token": token}, follow=True)

        assert Meeting.objects.get().summary == "Pierwsze spotkanie partnerstwa."
        assert partnership.partners.count() == 1
        content = resent.content.decode()
        assert polish(FORMS["meeting"][3]) in content
        # The card confirms the save, so the browser drops the draft.
        assert f'data-saved-draft="meeting-{partnership.pk}-new"' in content


@pytest.mark.django_db(transaction=True)
class TestAtTheSameMoment:
    def test_two_copies_at_once_store_one_record_and_both_lead_to_the_card(
        self, reference_data, animator, form
    ):
        """Two requests with the same token arrive together. Where nothing else puts them one
        after the other, both pass the 'already saved?' check and insert: the unique constraint
        lets one through and the other answers like a second submit, without an error page."""
        token = str(uuid.uuid4())
        data = {**form["data"](), "submission_token": token}
        start, inserting = threading.Barrier(2, timeout=10), threading.Barrier(2, timeout=2)
        responses, errors = [], []

        def both_checked(sender, instance, **kwargs):
            """Hold the first insert until the other request is about to insert too, unless
            the other one waits for this one to finish (a lock on the partnership)."""
            if instance.submission_token is not None and instance._state.adding:
                try:
                    inserting.wait()
                except threading.BrokenBarrierError:
                    pass

        def send():
            try:
                client = Client()
                client.force_login(animator.user)
                start.wait()
                responses.append(client.post(form["url"], data))
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
            finally:
                connections.close_all()

        pre_save.connect(both_checked, sender=form["model"])
        try:
            threads = [threading.Thread(target=send) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
        finally:
            pre_save.disconnect(both_checked, sender=form["model"])

        assert errors == []
        assert [r.status_code for r in responses] == [302, 302]
        locations = {r["Location"] for r in responses}
        assert len(locations) == 1 and locations.pop().startswith(form["card"] + "#")
        assert form["model"].objects.filter(submission_token=token).count() == 1
        assert form["model"].objects.count() == 1
