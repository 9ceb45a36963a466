"""An animator on a 360 px phone logs a meeting; nothing typed is lost."""

import datetime
import re

import pytest
from django.utils import timezone

from partnerships.models import Meeting, MeetingAttachment, Partner
from tests import factories
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 2000


@pytest.fixture
def scene(tmp_path, settings, reference_data):
    """A round under way today, a library with its animator, librarian and a partner, and an
    animator of another library."""
    settings.MEDIA_ROOT = tmp_path / "private"
    today = timezone.localdate()
    round_ = factories.RoundFactory(name="Runda przeglądarkowa",
                                    start=today.replace(day=1) - datetime.timedelta(days=100))
    assert round_.start <= today <= round_.end
    partnership = factories.PartnershipFactory(round=round_,
                                               library__name="Biblioteka w Lipnicy")
    animator = factories.AnimatorFactory(user__email="animatorka@example.org")
    factories.AssignmentFactory(partnership=partnership, animator=animator)
    librarian = factories.UserFactory(email="lipnica@example.org", role="librarian")
    partnership.library.librarians.add(librarian)
    factories.PartnerFactory(partnership=partnership, name="Urząd Gminy Lipnica",
                             sector="local_government")
    other = factories.AnimatorFactory(user__email="inny@example.org")
    factories.AssignmentFactory(partnership=factories.PartnershipFactory(round=round_),
                                animator=other)
    photo = tmp_path / "lista-obecnosci.jpg"
    photo.write_bytes(JPEG)
    return {"library": partnership.library, "photo": photo}


def test_animator_logs_a_meeting_with_a_new_partner_and_a_photo(phone, live_server, scene):
    library = scene["library"]
    sign_in(phone, live_server.url, "animatorka@example.org", PASSWORD)

    phone.goto(f"{live_server.url}/libraries/{library.pk}/")
    phone.click("text=Zapisz spotkanie")
    phone.check("text=spotkanie partnerstwa")
    phone.check("text=Urząd Gminy Lipnica")
    phone.fill("input[name=participants]", "14")
    phone.fill("textarea[name=summary]", "Pierwsze spotkanie: mapa zasobów gminy.")
    phone.fill("textarea[name=decisions]", "Festyn w sierpniu.")
    phone.click("details.new-partners > summary")  # the quick-add opens when asked for
    phone.fill("input[name='new-0-name']", "Koło Gospodyń Wiejskich w Lipnicy")
    phone.select_option("select[name='new-0-sector']", "rural_women")
    phone.set_input_files("input[name=attachments]", str(scene["photo"]))
    phone.click("text=Zapisz spotkanie >> nth=-1")

    phone.wait_for_url(re.compile(rf"/libraries/{library.pk}/(#[\w-]+)?$"))
    body = phone.inner_text("main")
    assert "Spotkanie zapisane." in body
    assert "Pierwsze spotkanie: mapa zasobów gminy." in body
    assert "Koło Gospodyń Wiejskich w Lipnicy" in body
    assert "lista-obecnosci.jpg" in body
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    meeting = Meeting.objects.get()
    assert meeting.participants == 14 and MeetingAttachment.objects.count() == 1
    assert Partner.objects.filter(name="Koło Gospodyń Wiejskich w Lipnicy").exists()

    phone.context.clear_cookies()
    sign_in(phone, live_server.url, "lipnica@example.org", PASSWORD)
    assert phone.url.endswith(f"/libraries/{library.pk}/")
    assert "Festyn w sierpniu." in phone.inner_text("main")

    phone.context.clear_cookies()
    sign_in(phone, live_server.url, "inny@example.org", PASSWORD)
    response = phone.goto(f"{live_server.url}/libraries/{library.pk}/")
    assert response.status == 404


def test_what_was_typed_survives_an_expired_session(phone, live_server, scene):
    library = scene["library"]
    sign_in(phone, live_server.url, "animatorka@example.org", PASSWORD)
    phone.goto(f"{live_server.url}/libraries/{library.pk}/meetings/new/")
    phone.check("text=wizyta animatora")
    phone.fill("input[name=participants]", "3")
    phone.fill("textarea[name=summary]", "Rozmowa z dyrektorką szkoły o wolontariacie.")

    phone.context.clear_cookies(name="sessionid")  # the session expires while typing
    phone.click("text=Zapisz spotkanie >> nth=-1")

    phone.wait_for_url("**/accounts/login/**")
    assert not Meeting.objects.exists()
    phone.fill("input[name=login]", "animatorka@example.org")
    phone.fill("input[name=password]", PASSWORD)
    phone.click("form button[type=submit]")
    phone.wait_for_url(f"**/libraries/{library.pk}/meetings/new/")

    assert phone.input_value("textarea[name=summary]") == (
        "Rozmowa z dyrektorką szkoły o wolontariacie."
    )
    assert phone.input_value("input[name=participants]") == "3"
    assert "Przywrócono to, co wpisano" in phone.inner_text("#draft-notice")
    phone.click("text=Zapisz spotkanie >> nth=-1")
    phone.wait_for_url(re.compile(rf"/libraries/{library.pk}/(#[\w-]+)?$"))
    assert Meeting.objects.get().summary == "Rozmowa z dyrektorką szkoły o wolontariacie."

    # Saved and confirmed: the draft is gone, the next form starts empty.
    phone.goto(f"{live_server.url}/libraries/{library.pk}/meetings/new/")
    assert phone.input_value("textarea[name=summary]") == ""


def test_what_was_typed_survives_a_dropped_connection(phone, live_server, scene):
    library = scene["library"]
    sign_in(phone, live_server.url, "animatorka@example.org", PASSWORD)
    form_url = f"{live_server.url}/libraries/{library.pk}/meetings/new/"
    phone.goto(form_url)
    phone.fill("textarea[name=decisions]", "Zaprosić parafię i OSP.")

    phone.context.set_offline(True)
    with pytest.raises(Exception):  # noqa: B017 - the browser reports the lost connection
        phone.click("text=Zapisz spotkanie >> nth=-1", timeout=5_000)
        phone.wait_for_url(f"**/libraries/{library.pk}/", timeout=3_000)
    phone.context.set_offline(False)
    assert not Meeting.objects.exists()

    phone.goto(form_url)
    assert phone.input_value("textarea[name=decisions]") == "Zaprosić parafię i OSP."
