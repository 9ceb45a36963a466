"""The admin panel the coordinator and the experts work in, in a real browser at 360 px and
1280 px: axe-core finds no WCAG 2.1 A/AA violation on the index, on every registered model's
list, add page and one change page, on the history, import, export and deleted-meetings pages,
on the pages after the action "Assign an animator" and after an import's file is sent (its
preview, its problems), nor on a page showing a success, a warning or an error message; the
change pages of a partnership, a meeting, an agreement and a library fit the screen without
sideways scrolling.

One browser context per width; the scene is small but has a record of every kind (a round,
partnerships with meetings, partners, an agreement, a joint action, an attachment …)."""

import datetime
import os
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from animators.models import AccountEvent, AccountEventKind
from partnerships.models import (
    GoodPractice,
    MeetingAttachment,
    MeetingKind,
    ReminderKind,
    SentDigest,
    SentReminder,
    Stage,
)
from tests import factories
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The change pages that must fit the screen (scrollWidth at most the viewport's width).
FITTING = ("partnerships.partnership", "partnerships.meeting", "partnerships.agreement",
           "libraries.library")


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing: CI must run `npm install axe-core`.")
        pytest.skip("axe-core is not installed (npm install --no-save axe-core).")
    return AXE.read_text()


def violations(page, axe_source):
    """The page's violations, one line each: "rule: the elements"."""
    # The admin's widgets are named by static/js/admin_accessibility.js once they are built.
    page.wait_for_function("document.documentElement.dataset.widgetsNamed === '1'")
    page.add_script_tag(content=axe_source)
    return page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},
              resultTypes: ['violations']})).violations
              .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))""",
        TAGS,
    )


@pytest.fixture
def scene(reference_data, settings, tmp_path):
    """A coordinator and a record of every model registered in the admin: {model label: obj}."""
    settings.MEDIA_ROOT = tmp_path / "private"
    today = timezone.localdate()
    round_ = factories.RoundFactory(name="Runda", start=today - datetime.timedelta(days=60))
    coordinator = factories.UserFactory(email="koordynatorka@example.org", role="coordinator")
    expert = factories.UserFactory(email="ekspertka@example.org", role="expert")
    animator = factories.AnimatorFactory(expert=expert)
    animator.voivodeships.add(factories.voivodeship())
    partnership = factories.PartnershipFactory(round=round_, name="Razem dla Gminy")
    factories.PartnershipFactory(round=round_)
    assignment = factories.AssignmentFactory(partnership=partnership, animator=animator)
    partners = [
        factories.PartnerFactory(partnership=partnership, sector=sector,
                                 contact_person="Anna Nowak", phone="+48 600 000 000")
        for sector in ("local_government", "school", "ngo")
    ]
    start = round_.start
    meeting = factories.MeetingFactory(
        partnership=partnership, date=start + datetime.timedelta(days=10),
        kind=MeetingKind.PARTNERSHIP, logged_by=animator.user,
        next_meeting_on=start + datetime.timedelta(days=30),
    )
    meeting.partners_present.set(partners)
    MeetingAttachment.objects.create(
        meeting=meeting, file=ContentFile(b"%PDF-1.4 lista", name="lista.pdf"),
        content_type="application/pdf", original_name="lista obecności.pdf", size=14,
        uploaded_by=animator.user,
    )
    milestone = factories.MilestoneFactory(partnership=partnership, stage=Stage.DIAGNOSIS,
                                           reached_on=start + datetime.timedelta(days=2))
    agreement = factories.AgreementFactory(partnership=partnership,
                                           signed_on=start + datetime.timedelta(days=20))
    agreement.signatories.set(partners[:2])
    action = factories.JointActionFactory(partnership=partnership,
                                          planned_on=start + datetime.timedelta(days=50))
    action.partners.set(partners[1:])
    reminder = SentReminder.objects.create(recipient=animator.user, partnership=partnership,
                                           kind=ReminderKind.DEADLINE, key=start,
                                           stage=Stage.INVITATIONS)
    digest = SentDigest.objects.create(recipient=expert, week=start, partnerships=1, late=1)
    practice = GoodPractice.objects.create(
        partnership=partnership, meeting=meeting, marked_by=animator.user,
        why="Każdy partner przyniósł jedno zadanie i termin; po dwóch tygodniach gotowe.",
    )
    event = AccountEvent.objects.create(user=animator.user, kind=AccountEventKind.INVITED,
                                        by=coordinator)
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group

    return {
        "coordinator": coordinator,
        "objects": {
            "auth.user": expert,
            "auth.group": Group.objects.get(name="expert"),
            "account.emailaddress": EmailAddress.objects.create(
                user=expert, email=expert.email, verified=True, primary=True
            ),
            "libraries.voivodeship": partnership.library.voivodeship,
            "libraries.library": partnership.library,
            "animators.animator": animator,
            "animators.accountevent": event,
            "partnerships.round": round_,
            "partnerships.partnership": partnership,
            "partnerships.assignment": assignment,
            "partnerships.partner": partners[0],
            "partnerships.meeting": meeting,
            "partnerships.milestone": milestone,
            "partnerships.agreement": agreement,
            "partnerships.jointaction": action,
            "partnerships.sentreminder": reminder,
            "partnerships.sentdigest": digest,
            "partnerships.goodpractice": practice,
        },
    }


def admin_pages(objects):
    """{name: path} of the pages to check; every registered model must have an object."""
    pages = {"index": reverse("admin:index"),
             "app list": reverse("admin:app_list", args=["partnerships"])}
    for model in admin.site._registry:
        label = model._meta.label_lower
        assert label in objects, f"the scene needs a {label} (registered in the admin)"
        stem = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pk = objects[label].pk
        pages[f"{label} list"] = reverse(f"{stem}_changelist")
        pages[f"{label} add"] = reverse(f"{stem}_add")
        pages[f"{label} change"] = reverse(f"{stem}_change", args=[pk])
    for label in ("libraries.library", "animators.animator", "partnerships.assignment"):
        app, name = label.split(".")
        pages[f"{label} import"] = reverse(f"admin:{app}_{name}_import")
    pages["partnership export"] = reverse("admin:partnerships_partnership_export")
    pages["partnership history"] = reverse(
        "admin:partnerships_partnership_history", args=[objects["partnerships.partnership"].pk]
    )
    pages["meeting history"] = reverse(
        "admin:partnerships_meeting_history", args=[objects["partnerships.meeting"].pk]
    )
    pages["deleted meetings"] = reverse("admin:partnerships_meeting_deleted")
    return pages


# Add pages that answer 403 by design: records the application writes, the voivodeships of
# TERYT, assignments made by the action "Assign an animator", good practices (marked from the
# card's meetings and joint actions).
NO_ADD = {"libraries.voivodeship", "animators.accountevent", "partnerships.assignment",
          "partnerships.sentreminder", "partnerships.sentdigest", "partnerships.goodpractice"}


def submit_forms(page, base_url, objects, tmp_path):
    """{page: violations} of the pages that follow a form: the action "Assign an animator",
    an import's preview and an import's list of problems."""
    found = {}
    page.goto(base_url + reverse("admin:partnerships_partnership_changelist"))
    page.check("#result_list tbody input.action-select >> nth=0")
    page.select_option("select[name=action]", "assign_animator")
    page.click("button[name=index]")
    page.locator("select[name=animator]").wait_for()
    found["assign an animator"] = violations(page, page.axe)

    library = objects["libraries.library"]
    files = {
        "import preview": "Nazwa biblioteki;Kod TERC;Gmina;Powiat;Miejscowość;E-mail\n"
        f"{library.name};{library.terc};{library.gmina};{library.powiat};{library.town};"
        "nowy.adres.biblioteki@example.org\n",
        "import problems": "Nazwa biblioteki;Kod TERC\nBiblioteka;12\n",
    }
    for name, text in files.items():
        path = tmp_path / f"{name.replace(' ', '-')}.csv"
        path.write_text(text, encoding="utf-8")
        page.goto(base_url + reverse("admin:libraries_library_import"))
        page.set_input_files("input[type=file]", path)
        page.click("form[enctype=\"multipart/form-data\"] [type=submit]")
        page.locator(f"table.{name.replace(' ', '-')}").wait_for()
        found[name] = violations(page, page.axe)
    return found


def show_messages(page, base_url, objects):
    """{kind: violations} of pages showing a success, a warning and an error message."""
    found = {}
    partnership = objects["partnerships.partnership"]
    page.goto(base_url + reverse("admin:partnerships_partnership_change", args=[partnership.pk]))
    page.click("input[name=_continue]")
    page.locator("ul.messagelist li.success").wait_for()
    found["success message"] = violations(page, page.axe)

    page.goto(base_url + reverse("admin:partnerships_partnership_changelist"))
    page.select_option("select[name=action]", "assign_animator")
    page.click("button[name=index]")  # nothing selected
    page.locator("ul.messagelist li.warning").wait_for()
    found["warning message"] = violations(page, page.axe)

    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    page.request.post(base_url + reverse("admin:partnerships_meeting_restore", args=[999999]),
                      headers={"X-CSRFToken": token}, max_redirects=0)
    page.goto(base_url + reverse("admin:partnerships_meeting_deleted"))
    page.locator("ul.messagelist li.error").wait_for()
    found["error message"] = violations(page, page.axe)
    return found


@pytest.mark.parametrize("width", [360, 1280])
def test_the_admin_has_no_accessibility_violations_and_fits_the_screen(
    browser, live_server, scene, axe_source, width, tmp_path
):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="pl-PL",
                                  bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.axe = axe_source
    sign_in(page, live_server.url, scene["coordinator"].email, PASSWORD)
    objects = scene["objects"]
    found, statuses, too_wide = {}, {}, {}

    for name, path in admin_pages(objects).items():
        response = page.goto(live_server.url + path)
        statuses[name] = response.status
        if response.status != 200:
            continue
        found[name] = violations(page, axe_source)
        label = name.rsplit(" ", 1)[0]
        if name.endswith(" change") and label in FITTING:
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                too_wide[name] = scroll_width
    found |= submit_forms(page, live_server.url, objects, tmp_path)
    found |= show_messages(page, live_server.url, objects)
    context.close()

    assert {name: v for name, v in found.items() if v} == {}
    assert too_wide == {}
    assert {name for name, status in statuses.items() if status != 200} == {
        f"{label} add" for label in NO_ADD
    }


@pytest.mark.parametrize("width", [360, 1280])
def test_a_list_on_a_phone_has_its_filters_above_it_and_every_column_within_reach(
    browser, live_server, scene, width
):
    """On a phone the filters come before the list, closed behind "Filters", and the table
    scrolls sideways in a region the keyboard reaches; on a wide screen the filters stand
    open beside the list."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, scene["coordinator"].email, PASSWORD)
    page.goto(live_server.url + reverse("admin:partnerships_partnership_changelist")
              + "?library__voivodeship__code__exact="
              + str(scene["objects"]["libraries.library"].voivodeship_id))
    page.wait_for_function("document.documentElement.dataset.widgetsNamed === '1'")

    toggle = page.locator("details#prb-filters")
    summary = toggle.locator("> summary")
    results = page.get_by_role("region", name="Partnerships: table")
    last_header = page.locator("#result_list thead th").last
    if width == 360:
        assert summary.inner_text() == "Filters (1 in use)"
        assert toggle.bounding_box()["y"] < results.bounding_box()["y"]
        assert not page.get_by_role("link", name="late", exact=True).is_visible()
        summary.click()
        assert page.get_by_role("link", name="late", exact=True).is_visible()
        # The last column is off-screen until the region is scrolled, from the keyboard too.
        assert last_header.bounding_box()["x"] >= width
        results.focus()
        at_the_end = """() => {
            const region = document.querySelector("#changelist-form .results");
            return region.scrollLeft + region.clientWidth >= region.scrollWidth - 1;
        }"""
        for _press in range(100):
            if page.evaluate(at_the_end):
                break
            page.keyboard.press("ArrowRight")
        box = last_header.bounding_box()
        assert box["x"] + box["width"] <= width
    else:
        assert not summary.is_visible()
        assert page.get_by_role("link", name="late", exact=True).is_visible()
        assert toggle.bounding_box()["x"] > results.bounding_box()["x"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
