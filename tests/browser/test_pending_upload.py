"""On a 360 px phone, a meeting form refused for a missing number keeps the photo chosen, puts
the focus on the list of what to correct, and is corrected and saved with the keyboard alone;
a kept photo removed with "remove" is not saved."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone

from partnerships.models import Meeting, MeetingAttachment, PendingUpload
from tests import factories
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 2000
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def scene(tmp_path, settings, reference_data):
    settings.MEDIA_ROOT = tmp_path / "private"
    today = timezone.localdate()
    round_ = factories.RoundFactory(name="Runda przeglądarkowa",
                                    start=today.replace(day=1) - datetime.timedelta(days=100))
    partnership = factories.PartnershipFactory(round=round_, library__name="Biblioteka w Lipnicy")
    animator = factories.AnimatorFactory(user__email="animatorka@example.org")
    factories.AssignmentFactory(partnership=partnership, animator=animator)
    factories.PartnerFactory(partnership=partnership, name="Urząd Gminy Lipnica",
                             sector="local_government")
    photo = tmp_path / "lista-obecnosci.jpg"
    photo.write_bytes(JPEG)
    return {"library": partnership.library, "photo": photo}


def refused_with_a_photo(phone, live_server, scene):
    """Fill the form but the number of participants, attach the photo, send."""
    sign_in(phone, live_server.url, "animatorka@example.org", PASSWORD)
    phone.goto(f"{live_server.url}/libraries/{scene['library'].pk}/meetings/new/")
    assert phone.input_value("input[name=participants]") == ""  # asked, not assumed
    phone.check("input[name=kind][value=partnership]")
    phone.fill("textarea[name=summary]", "Mapa zasobów gminy.")
    phone.set_input_files("input[name=attachments]", str(scene["photo"]))
    phone.click("main form button[type=submit]")
    phone.wait_for_load_state()
    assert not Meeting.objects.exists()


def test_a_refused_form_keeps_the_photo_and_is_corrected_with_the_keyboard(
    phone, live_server, scene
):
    refused_with_a_photo(phone, live_server, scene)

    # The focus is on the summary, which names the field and links to it.
    assert phone.evaluate("document.activeElement.id") == "error-summary"
    assert phone.title().startswith("Błąd:")
    summary = phone.locator("#error-summary")
    assert summary.locator("a[href='#id_participants']").count() == 1
    # The photo chosen is kept and said so; the summary text is kept too.
    assert "lista-obecnosci.jpg ✓" in phone.inner_text(".pending-uploads")
    assert phone.input_value("textarea[name=summary]") == "Mapa zasobów gminy."
    assert PendingUpload.objects.count() == 1

    # Keyboard only: to the link, to the field, type, send with Enter.
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.getAttribute('href')") == "#id_participants"
    phone.keyboard.press("Enter")
    assert phone.evaluate("document.activeElement.name") == "participants"
    label_top = phone.evaluate(
        "document.querySelector(\"label[for='id_participants']\").getBoundingClientRect().top")
    assert 0 <= label_top < 740  # its label is in view, on the phone's screen
    phone.keyboard.type("14")
    phone.keyboard.press("Enter")

    phone.wait_for_url(re.compile(rf"/libraries/{scene['library'].pk}/(#[\w-]+)?$"))
    assert "lista-obecnosci.jpg" in phone.inner_text("main")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    meeting = Meeting.objects.get()
    assert meeting.participants == 14
    assert MeetingAttachment.objects.get().original_name == "lista-obecnosci.jpg"
    assert not PendingUpload.objects.exists()


def test_a_kept_photo_removed_is_not_saved(phone, live_server, scene):
    refused_with_a_photo(phone, live_server, scene)

    phone.check(".pending-upload input[type=checkbox]")
    phone.fill("input[name=participants]", "9")
    phone.click("main form button[type=submit]")

    phone.wait_for_url(re.compile(rf"/libraries/{scene['library'].pk}/(#[\w-]+)?$"))
    assert Meeting.objects.get().participants == 9
    assert not MeetingAttachment.objects.exists()
    assert not PendingUpload.objects.exists()


def test_the_quick_add_opens_when_asked_for(phone, live_server, scene):
    sign_in(phone, live_server.url, "animatorka@example.org", PASSWORD)
    phone.goto(f"{live_server.url}/libraries/{scene['library'].pk}/meetings/new/")

    assert not phone.is_visible("input[name='new-0-name']")
    assert not phone.is_visible("input[name='new-0-confirm']")
    phone.click("details.new-partners > summary")
    assert phone.is_visible("input[name='new-0-name']")


@pytest.mark.parametrize("width", [360, 1280])
def test_the_refused_form_has_no_accessibility_violations(browser, live_server, scene, width):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install --no-save axe-core).")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="pl-PL",
                                  bypass_csp=True)
    page = context.new_page()
    try:
        refused_with_a_photo(page, live_server, scene)
        page.add_script_tag(content=AXE.read_text())
        found = page.evaluate(
            """async () => (await axe.run(document, {runOnly: {type: 'tag',
                  values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
                  .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"""
        )
        assert found == []
    finally:
        context.close()
