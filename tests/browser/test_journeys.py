"""User journeys in a real browser: each person's way through a task from the first page to what
proves it was done, in Polish on a 360 px phone and in English on a 1280 px screen. Every step is
photographed into build/journeys/<journey>/<lang>-<nn>-<step>.png for review (README: "Journeys
in a real browser")."""

import csv
import datetime
import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from partnerships.models import MeetingAttachment
from prb_partnerships.importexport import filename_slug
from prb_partnerships.roles import Role
from tests import factories
from tests.browser.journey import VISITS, Journey

pytestmark = pytest.mark.django_db(transaction=True)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 2000


@pytest.fixture(params=list(VISITS))
def journey(request, browser, live_server, reference_data):
    name = request.function.__name__.removeprefix("test_")
    journey = Journey(browser, live_server.url, name, request.param)
    yield journey
    journey.close()


@pytest.fixture
def programme(reference_data):
    """A round under way today (in its fifth month); the expert Ewa with two animators, Anna
    (Lipnica, late) and Piotr (Zawoja, on track; Sułów, late); another expert's animator
    (Rabka, late); the librarian of Lipnica."""
    today = timezone.localdate()
    round_ = factories.RoundFactory(
        name="Runda II", start=today.replace(day=1) - datetime.timedelta(days=100)
    )
    assert round_.start <= today <= round_.end
    expert = factories.UserFactory(
        email="ekspertka@example.org", first_name="Ewa", last_name="Ekspercka", role=Role.EXPERT
    )
    anna = factories.AnimatorFactory(
        user__email="anna@example.org", user__first_name="Anna", user__last_name="Nowak",
        expert=expert,
    )
    piotr = factories.AnimatorFactory(
        user__email="piotr@example.org", user__first_name="Piotr", user__last_name="Wiśniewski",
        expert=expert,
    )
    lipnica = factories.PartnershipFactory(
        round=round_, library__name="Biblioteka w Lipnicy", library__gmina="Lipnica"
    )
    zawoja = factories.PartnershipFactory(
        round=round_, library__name="Biblioteka w Zawoi", library__gmina="Zawoja"
    )
    sulow = factories.PartnershipFactory(
        round=round_, library__name="Biblioteka w Sułowie", library__gmina="Sułów"
    )
    rabka = factories.PartnershipFactory(
        round=round_, library__name="Biblioteka w Rabce", library__gmina="Rabka"
    )
    marek = factories.AnimatorFactory(
        user__email="marek@example.org", user__first_name="Marek", user__last_name="Inny",
        expert=factories.UserFactory(email="olga@example.org", role=Role.EXPERT),
    )
    factories.AssignmentFactory(partnership=lipnica, animator=anna)
    factories.AssignmentFactory(partnership=zawoja, animator=piotr)
    factories.AssignmentFactory(partnership=sulow, animator=piotr)
    factories.AssignmentFactory(partnership=rabka, animator=marek)
    factories.reach_stages(lipnica, 1)  # diagnosis only: late
    factories.reach_stages(zawoja, 5)  # agreement signed: on track
    factories.reach_stages(sulow, 2)  # partners invited: late
    factories.PartnerFactory(
        partnership=lipnica, name="Urząd Gminy Lipnica", sector="local_government"
    )
    librarian = factories.UserFactory(
        email="lipnica@example.org", first_name="Lena", last_name="Bibliotekarska",
        role=Role.LIBRARIAN,
    )
    lipnica.library.librarians.add(librarian)
    return {
        "today": today, "round": round_, "expert": expert, "anna": anna, "piotr": piotr,
        "lipnica": lipnica, "zawoja": zawoja, "sulow": sulow, "rabka": rabka,
    }


def downloaded_rows(download):
    """(caption, header, rows) of a downloaded CSV file: its first line says what it holds (the
    filters, the round and the day), the second names the columns."""
    text = open(download.path(), encoding="utf-8-sig").read()
    (caption,), header, *rows = csv.reader(io.StringIO(text))
    return caption, header, rows


def file_name(*words, day):
    """The name an export of the list is given: its filters' values, then the day."""
    return "-".join([*map(filename_slug, words), f"{day:%Y-%m-%d}.csv"])


def test_the_coordinator_invites_an_expert(journey, mailoutbox):
    factories.UserFactory(email="koordynatorka@example.org", role=Role.COORDINATOR)
    page, t = journey.page, journey.t
    journey.sign_in("koordynatorka@example.org")
    journey.step("dashboard")

    page.get_by_role("link", name=t("People"), exact=True).click()
    journey.step("people")
    page.get_by_role("link", name=t("Invite a person")).click()
    page.get_by_label(t("CAL expert"), exact=True).check()
    page.get_by_label(t("First name")).fill("Joanna")
    page.get_by_label(t("Last name")).fill("Zielińska")
    page.get_by_label(t("E-mail")).fill("joanna.zielinska@example.org")
    journey.step("form-filled")
    page.get_by_role("button", name=t("Create the account and send the invitation")).click()

    page.wait_for_url("**/people/")
    journey.step("invited")
    assert t(
        "The account of %(name)s is created and the invitation is sent.", name="Joanna Zielińska"
    ) in journey.messages()
    row = page.get_by_role("row").filter(has_text="joanna.zielinska@example.org")
    assert "Joanna Zielińska" in row.inner_text()
    assert t("CAL expert") in row.inner_text()
    assert t("invited, password not set yet") in row.inner_text()

    # The invited expert follows the link of her e-mail, sets her password and signs in.
    (mail,) = mailoutbox
    assert mail.to == ["joanna.zielinska@example.org"]
    link = next(word for word in mail.body.split() if "/accounts/password/reset/key/" in word)
    journey.context.clear_cookies()
    journey.go(urlsplit(link).path)
    journey.step("set-password")
    page.locator("input[name=password1]").fill("Nowe-haslo-ekspertki-2026")
    page.locator("input[name=password2]").fill("Nowe-haslo-ekspertki-2026")
    page.get_by_role("button", name=t("Save the password")).click()
    page.wait_for_load_state()
    journey.step("password-set")
    page.goto(f"{journey.base_url}/accounts/login/")
    page.fill("input[name=login]", "joanna.zielinska@example.org")
    page.fill("input[name=password]", "Nowe-haslo-ekspertki-2026")
    page.click("form button[type=submit]")
    page.wait_for_url("**/dashboard/")
    journey.step("expert-signed-in")
    assert page.get_by_role("link", name=t("Assignments"), exact=True).is_visible()


def test_an_animator_records_the_next_stage(journey, programme):
    page, t = journey.page, journey.t
    today = programme["today"]
    journey.sign_in("anna@example.org")
    journey.step("my-libraries")

    page.get_by_role("link", name="Biblioteka w Lipnicy").first.click()
    page.wait_for_url(re.compile(rf"/libraries/{programme['lipnica'].library_id}/(#[\w-]+)?$"))
    journey.step("card")
    page.get_by_role("link", name=t("Record the next stage")).click()
    journey.step("form")
    stage = page.get_by_label(t("partners invited"))
    assert stage.is_checked()
    page.get_by_label(t("Note")).fill("Zaproszenia wysłane do 9 organizacji.")
    page.get_by_role("button", name=t("Save"), exact=True).click()

    page.wait_for_url(re.compile(rf"/libraries/{programme['lipnica'].library_id}/(#[\w-]+)?$"))
    journey.step("recorded")
    assert t("The stage is recorded.") in journey.messages()
    reached = page.locator("li.stage--reached")
    assert reached.count() == 2
    second = reached.nth(1).inner_text()
    assert t("reached on %(date)s", date=journey.date(today)) in second
    assert "Zaproszenia wysłane do 9 organizacji." in second


def test_an_animator_logs_a_meeting_with_a_new_partner_and_a_photo(
    journey, programme, tmp_path, settings
):
    """A first submit without the number of people present is refused: the photo chosen is
    kept, the error summary links to the field, and the corrected form saves everything."""
    settings.MEDIA_ROOT = tmp_path / "private"
    photo = tmp_path / "lista-obecnosci.jpg"
    photo.write_bytes(JPEG)
    page, t = journey.page, journey.t
    library = programme["lipnica"].library
    journey.sign_in("anna@example.org")
    page.get_by_role("link", name="Biblioteka w Lipnicy").first.click()
    page.wait_for_url(re.compile(rf"/libraries/{library.pk}/(#[\w-]+)?$"))
    journey.step("card")

    page.get_by_role("link", name=t("Log a meeting")).first.click()
    page.wait_for_url(f"**/libraries/{library.pk}/meetings/new/")
    page.get_by_label(t("partnership meeting")).check()
    page.get_by_label("Urząd Gminy Lipnica").check()
    page.get_by_text(
        t("Someone not on the list came and joins the partnership? Add them as a new partner")
    ).click()
    journey.field("Name of the new partner").first.fill("Koło Gospodyń Wiejskich w Lipnicy")
    journey.field("Sector").first.select_option(label=t("rural women's circle"))
    journey.field("guests from outside the partnership").fill("Nadleśnictwo Lipnica")
    journey.field("summary").fill("Pierwsze spotkanie: mapa zasobów gminy.")
    journey.field("decisions").fill("Festyn w sierpniu.")
    journey.field("Photos or scans").set_input_files(str(photo))
    journey.step("form-without-participants")
    page.get_by_role("button", name=t("Save the meeting")).click()

    page.wait_for_load_state()
    journey.step("refused")
    summary = page.locator("#error-summary")
    assert t("Please correct the marked fields; nothing has been saved yet.") in (
        summary.inner_text()
    )
    assert not programme["lipnica"].meetings.exists()
    kept = page.get_by_role("list", name=t("Files kept from the previous try"))
    assert t("attached: %(name)s ✓", name="lista-obecnosci.jpg") in kept.inner_text()
    assert journey.field("Name of the new partner").first.input_value() == (
        "Koło Gospodyń Wiejskich w Lipnicy"
    )
    summary.get_by_role("link", name=t("Give the number of people present.")).click()
    participants = journey.field("number of participants")
    assert participants.evaluate("field => field === document.activeElement")
    participants.fill("14")
    journey.step("corrected")
    page.get_by_role("button", name=t("Save the meeting")).click()

    page.wait_for_url(re.compile(rf"/libraries/{library.pk}/(#[\w-]+)?$"))
    journey.step("saved")
    assert t("The meeting is saved.") in journey.messages()
    meetings = page.locator("section", has=page.locator("#meetings-heading")).inner_text()
    assert "Pierwsze spotkanie: mapa zasobów gminy." in meetings
    assert "Nadleśnictwo Lipnica" in meetings
    assert "lista-obecnosci.jpg" in meetings
    assert journey.n("%(counter)s participant", "%(counter)s participants", 14) in meetings
    partners = page.locator("section", has=page.locator("#partners-heading")).inner_text()
    assert "Koło Gospodyń Wiejskich w Lipnicy" in partners
    assert MeetingAttachment.objects.get().original_name == "lista-obecnosci.jpg"


def test_a_librarian_opens_the_card_and_the_print_view(journey, programme):
    page, t = journey.page, journey.t
    library = programme["lipnica"].library
    journey.sign_in("lipnica@example.org")

    page.wait_for_url(re.compile(rf"/libraries/{library.pk}/(#[\w-]+)?$"))
    journey.step("card")
    assert page.get_by_role("heading", level=1).inner_text() == "Biblioteka w Lipnicy"
    animator = page.locator("section", has=page.locator("#animator-heading"))
    assert "Anna Nowak" in animator.inner_text()
    assert "Urząd Gminy Lipnica" in journey.main()
    # Read-only: nothing to log or record.
    assert page.get_by_role("link", name=t("Log a meeting")).count() == 0
    assert page.get_by_role("link", name=t("Record the next stage")).count() == 0

    page.get_by_role("link", name=t("Print view")).click()
    page.wait_for_url("**?print=1")
    journey.step("print-view")
    assert page.get_by_role("heading", level=1).inner_text() == "Biblioteka w Lipnicy"
    assert t("as of %(day)s", day=journey.date(programme["today"])) in journey.main()
    assert "Anna Nowak" in journey.main() and "Urząd Gminy Lipnica" in journey.main()
    assert page.get_by_role("link", name=t("Print view")).count() == 0
    back = page.get_by_role("link", name=t("Back to the card"))
    assert back.is_visible() and page.get_by_role("button", name=t("Print")).is_visible()
    page.emulate_media(media="print")
    journey.step("printed")
    assert not back.is_visible()  # on paper: the card alone
    page.emulate_media(media="screen")
    back.click()
    page.wait_for_url(re.compile(rf"/libraries/{library.pk}/(#[\w-]+)?$"))


def test_an_expert_reassigns_a_partnership_and_exports_the_filtered_list(journey, programme):
    page, t = journey.page, journey.t
    lipnica = programme["lipnica"]
    journey.sign_in("ekspertka@example.org")
    page.get_by_role("link", name=t("Assignments"), exact=True).click()
    page.wait_for_url("**/assignments/")
    journey.step("board")

    page.get_by_role("link", name=f"{t('move')} Biblioteka w Lipnicy").click()
    page.wait_for_url(f"**/assignments/partnership/{lipnica.pk}/?from=board")
    journey.step("reassignment-form")
    assert page.get_by_role("heading", level=1).inner_text() == t("Move to another animator")
    choices = page.locator(".animator-choices").inner_text()
    assert "Anna Nowak" not in choices  # the current animator is not offered
    load = journey.n(
        "%(load)s of %(capacity)s library", "%(load)s of %(capacity)s libraries", 5,
        load=2, capacity=5,
    )
    assert load in page.locator("label", has_text="Piotr Wiśniewski").inner_text()

    page.get_by_label("Piotr Wiśniewski").check()
    page.get_by_role("button", name=t("Save"), exact=True).click()
    journey.step("reason-missing")
    assert t("Give the reason; it stays in the assignment history.") in journey.main()
    assert lipnica.assignments.get(ended_at__isnull=True).animator == programme["anna"]

    assert page.get_by_label("Piotr Wiśniewski").is_checked()
    page.get_by_label(t("Reason")).fill("Piotr mieszka bliżej Lipnicy.")
    page.get_by_role("button", name=t("Save"), exact=True).click()
    page.wait_for_url("**/assignments/")
    journey.step("reassigned")
    assert t("{animator} now supports the library “{library}”.").format(
        animator="Piotr Wiśniewski", library="Biblioteka w Lipnicy",
    ) in journey.messages()
    piotr_row = page.get_by_role("row").filter(has_text="Piotr Wiśniewski")
    assert "Biblioteka w Lipnicy" in piotr_row.inner_text()
    assert "3 / 5" in piotr_row.inner_text()

    # The list of Piotr's late partnerships, downloaded.
    page.get_by_role("link", name=t("Libraries"), exact=True).click()
    page.wait_for_url("**/libraries/")
    page.locator("details.filters > summary").click()
    page.get_by_label(t("Animator")).select_option(label="Wiśniewski Piotr")
    page.get_by_label(t("Status")).select_option(label=t("late"))
    journey.step("filters")
    page.get_by_role("button", name=t("Show"), exact=True).click()
    page.wait_for_url("**status=late**")
    journey.step("filtered")
    assert journey.n("%(counter)s partnership", "%(counter)s partnerships", 2) in journey.main()
    in_use = page.locator(".filter-summary").inner_text()
    assert t("late") in in_use and "Wiśniewski Piotr" in in_use
    table = page.get_by_role("table").inner_text()
    assert "Biblioteka w Lipnicy" in table and "Biblioteka w Sułowie" in table
    assert "Biblioteka w Zawoi" not in table and "Biblioteka w Rabce" not in table

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == file_name(
        t("partnerships"), t("late"), "Wiśniewski Piotr", day=programme["today"]
    )
    caption, header, rows = downloaded_rows(download)
    assert t("late") in caption and "Wiśniewski Piotr" in caption
    assert header[0] == t("Library")
    assert [row[0] for row in rows] == ["Biblioteka w Lipnicy", "Biblioteka w Sułowie"]
    assert {row[header.index(t("Animator"))] for row in rows} == {"Wiśniewski Piotr"}
    assert {row[header.index(t("Status"))] for row in rows} == {t("late")}
    journey.step("exported")


def test_an_expert_counts_her_late_partnerships_and_exports_them(journey, programme):
    """'How many of my partnerships are late?' — from her dashboard, to the list of exactly
    those, to the file."""
    page, t = journey.page, journey.t
    journey.sign_in("ekspertka@example.org")
    page.wait_for_url("**/dashboard/")
    journey.step("dashboard")
    mine = page.get_by_role(
        "link", name=t("My partnerships (expert: %(name)s)", name="Ewa Ekspercka")
    )
    assert mine.get_attribute("aria-current") == "page"
    late = page.locator("ul.figures").get_by_role(
        "link", name=f"2 {journey.n('late partnership', 'late partnerships', 2)}"
    )
    late.click()

    page.wait_for_url("**/libraries/?**")
    journey.step("her-late-partnerships")
    assert journey.n("%(counter)s partnership", "%(counter)s partnerships", 2) in journey.main()
    in_use = page.locator(".filter-summary").inner_text()
    assert t("late") in in_use and "Ekspercka Ewa" in in_use
    table = page.get_by_role("table").inner_text()
    assert "Biblioteka w Lipnicy" in table and "Biblioteka w Sułowie" in table
    assert "Biblioteka w Rabce" not in table and "Biblioteka w Zawoi" not in table

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == file_name(
        t("partnerships"), t("late"), "Ekspercka Ewa", day=programme["today"]
    )
    caption, header, rows = downloaded_rows(download)
    assert t("late") in caption and "Ekspercka Ewa" in caption
    assert [row[0] for row in rows] == ["Biblioteka w Lipnicy", "Biblioteka w Sułowie"]
    assert {row[header.index(t("CAL expert"))] for row in rows} == {"Ekspercka Ewa"}
    assert {row[header.index(t("Status"))] for row in rows} == {t("late")}
    journey.step("exported")


def test_an_expert_sets_a_temporary_replacement_and_the_animator_returns(
    journey, programme, mailoutbox
):
    page, t = journey.page, journey.t
    library = programme["lipnica"].library
    until = programme["today"] + datetime.timedelta(days=14)
    journey.sign_in("ekspertka@example.org")
    page.get_by_role("link", name=t("Libraries"), exact=True).click()
    page.get_by_role("link", name="Biblioteka w Lipnicy").click()
    page.wait_for_url(re.compile(rf"/libraries/{library.pk}/(#[\w-]+)?$"))
    journey.step("card")

    page.get_by_role("link", name=t("Change the animator")).click()
    page.get_by_label("Piotr Wiśniewski").check()
    page.get_by_label(t("Reason")).fill("Anna na zwolnieniu lekarskim przez dwa tygodnie.")
    until_field = page.get_by_label(t("Temporary replacement until"))
    until_field.fill(until.isoformat())
    assert "Anna Nowak" in page.locator(f"#{until_field.get_attribute('id')}_helptext").inner_text()
    journey.step("replacement-form")
    page.get_by_role("button", name=t("Save"), exact=True).click()

    page.wait_for_url(re.compile(rf"/libraries/{library.pk}/(#[\w-]+)?$"))
    journey.step("replaced")
    assert t(
        "{animator} now supports the library “{library}” (standing in until {until}); "
        "then {previous} supports it again."
    ).format(
        animator="Piotr Wiśniewski", library="Biblioteka w Lipnicy",
        until=journey.date(until), previous="Anna Nowak",
    ) in journey.messages()
    animator = page.locator("section", has=page.locator("#animator-heading"))
    assert "Piotr Wiśniewski" in animator.inner_text()

    # The daily command, run on the replacement's last day: Anna is back.
    output = io.StringIO()
    call_command("end_temporary_assignments", f"--today={until.isoformat()}", stdout=output)
    assert "animator back: 1" in output.getvalue()
    assert sorted(m.to[0] for m in mailoutbox) == ["anna@example.org", "piotr@example.org"]
    page.reload()
    journey.step("animator-returned")
    assert "Anna Nowak" in animator.inner_text()
    assert "Piotr Wiśniewski" not in animator.inner_text()

    journey.sign_in("anna@example.org")
    journey.step("her-libraries")
    assert page.get_by_role("link", name="Biblioteka w Lipnicy").first.is_visible()
