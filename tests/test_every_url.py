"""Every URL of the project answers each role as the README's URL table promises.

The patterns are read from the URL configuration, so a new URL cannot be forgotten: the first
test fails until `EXPECTED` (or, for the admin's generated per-model pages, `ADMIN_GENERATED`)
says what it answers. The second test sends GET and an empty POST to every pattern as an
anonymous visitor, the coordinator, an expert, the library's animator, another library's
animator, the library's librarian and another library's librarian, with the objects of one
library (inside the scope of its animator and librarian, outside that of the others), and
checks the status (and where a redirect goes). No answer is a 500, and a refused request, a
GET or an empty form changes no data; each request runs in a savepoint rolled back after it,
so every role meets the same data.
"""

import copy
import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from partnerships.calendar_feed import calendar_feed_renew
from partnerships.models import Agreement, GoodPractice, MeetingAttachment, Stage
from tests import factories

ROLES = (
    "anonymous",
    "coordinator",
    "expert",
    "animator",
    "other_animator",
    "librarian",
    "other_librarian",
)
STAFF = ("coordinator", "expert")

# What an answer must be: a status code, or one of these redirects.
LOGIN = "302 → sign-in page"
ADMIN_LOGIN = "302 → admin sign-in page"
ELSEWHERE = "302 → another page"


def answers(anonymous=LOGIN, *, coordinator, expert, animator, other_animator, librarian,
            other_librarian):
    """{role: (GET, POST)} for one URL."""
    return {
        "anonymous": anonymous,
        "coordinator": coordinator,
        "expert": expert,
        "animator": animator,
        "other_animator": other_animator,
        "librarian": librarian,
        "other_librarian": other_librarian,
    }


def everyone(get, post, anonymous=LOGIN):
    """Any signed-in person, for their own things; anonymous users sign in first."""
    anonymous = anonymous if isinstance(anonymous, tuple) else (anonymous, anonymous)
    return {role: anonymous if role == "anonymous" else (get, post) for role in ROLES}


def anyone(get, post):
    """No sign-in needed; the same answer for everyone."""
    return {role: (get, post) for role in ROLES}


def staff_only(get, post, coordinator=None):
    """The coordinator and the experts; 403 for the other roles."""
    return answers(
        (LOGIN, LOGIN),
        coordinator=coordinator or (get, post),
        expert=(get, post),
        animator=(403, 403),
        other_animator=(403, 403),
        librarian=(403, 403),
        other_librarian=(403, 403),
    )


def editors(get, post):
    """Records of the library: its animator and the staff edit them; its librarian only reads
    (403); the other library's animator and librarian do not see them (404)."""
    return answers(
        (LOGIN, LOGIN),
        coordinator=(get, post),
        expert=(get, post),
        animator=(get, post),
        other_animator=(404, 404),
        librarian=(403, 403),
        other_librarian=(404, 404),
    )


def readers(get, post):
    """Whoever may see the library (staff, its animator, its librarian); 404 to the others."""
    return answers(
        (LOGIN, LOGIN),
        coordinator=(get, post),
        expert=(get, post),
        animator=(get, post),
        other_animator=(404, 404),
        librarian=(get, post),
        other_librarian=(404, 404),
    )


FILE_OUTSIDERS = {"other_animator": (404, 405), "other_librarian": (404, 405)}

# The README's URL table, one line per pattern (by name): {role: (GET, empty POST)}.
EXPECTED = {
    "home": answers(
        (LOGIN, LOGIN),
        coordinator=(ELSEWHERE, ELSEWHERE),
        expert=(ELSEWHERE, ELSEWHERE),
        animator=(ELSEWHERE, ELSEWHERE),
        other_animator=(ELSEWHERE, ELSEWHERE),
        librarian=(ELSEWHERE, ELSEWHERE),
        other_librarian=(ELSEWHERE, ELSEWHERE),
    ),
    "healthz": anyone(200, 405),
    "favicon": anyone(301, 405),
    "set_language": anyone(ELSEWHERE, ELSEWHERE),
    "account": everyone(200, 405),
    "account_data": everyone(200, 405),
    # django-allauth: sign-in, sign-out, password reset and change; no sign-up, no e-mail pages.
    # (allauth re-renders a refused form with 200; its pages that only inform refuse a POST.)
    "account_login": everyone(ELSEWHERE, ELSEWHERE, anonymous=(200, 200)),
    "account_logout": everyone(200, ELSEWHERE, anonymous=(ELSEWHERE, ELSEWHERE)),
    "account_inactive": anyone(200, 405),
    "account_signup": everyone(ELSEWHERE, ELSEWHERE, anonymous=(200, 200)),  # "closed"
    "account_reauthenticate": everyone(200, 200),
    "account_request_reauthentication_code": everyone(ELSEWHERE, ELSEWHERE),
    "account_confirm_reauthentication_code": everyone(ELSEWHERE, ELSEWHERE),
    "account_email": everyone(200, ELSEWHERE),
    "account_email_verification_sent": anyone(200, 405),
    "account_change_password": everyone(200, 200),
    "account_set_password": everyone(ELSEWHERE, ELSEWHERE),
    "account_reset_password": anyone(200, 200),
    "account_confirm_login_code": anyone(ELSEWHERE, ELSEWHERE),
    "account_confirm_email": anyone(200, 404),
    "account_reset_password_from_key_done": anyone(200, 405),
    "account_reset_password_from_key": anyone(200, 200),
    "account_reset_password_done": anyone(200, 405),
    # The lists: staff see everything, animators their own; librarians are sent to their card.
    "libraries:library_list": answers(
        (LOGIN, LOGIN),
        coordinator=(200, 200),
        expert=(200, 200),
        animator=(200, 200),
        other_animator=(200, 200),
        librarian=(ELSEWHERE, ELSEWHERE),
        other_librarian=(ELSEWHERE, ELSEWHERE),
    ),
    "libraries:library_export": answers(
        (LOGIN, LOGIN),
        coordinator=(200, 200),
        expert=(200, 200),
        animator=(200, 200),
        other_animator=(200, 200),
        librarian=(403, 403),
        other_librarian=(403, 403),
    ),
    "libraries:library_mine": answers(
        (LOGIN, LOGIN),
        coordinator=(403, 403),
        expert=(403, 403),
        animator=(200, 200),
        other_animator=(200, 200),
        librarian=(403, 403),
        other_librarian=(403, 403),
    ),
    "libraries:library_detail": readers(200, 200),
    "partnerships:partnership_history": staff_only(200, 200),
    # The card's writes.
    "partnerships:meeting_create": editors(200, 400),
    "partnerships:meeting_update": editors(200, 400),
    "partnerships:meeting_delete": editors(200, ELSEWHERE),
    "partnerships:partner_create": editors(200, 400),
    "partnerships:partner_update": editors(200, 400),
    "partnerships:milestone_create": editors(200, 400),
    "partnerships:agreement_edit": editors(200, 400),
    "partnerships:joint_action_create": editors(200, 400),
    "partnerships:joint_action_update": editors(200, 400),
    "partnerships:milestone_delete": answers(
        (LOGIN, LOGIN),
        coordinator=(200, ELSEWHERE),
        expert=(200, ELSEWHERE),
        animator=(403, 403),
        other_animator=(403, 403),
        librarian=(403, 403),
        other_librarian=(403, 403),
    ),
    # Uploaded files: read-only (405 to any POST), served after the access check.
    "partnerships:attachment_download": readers(200, 405) | FILE_OUTSIDERS,
    "partnerships:agreement_document": readers(200, 405) | FILE_OUTSIDERS,
    # The experts' pages.
    "partnerships:dashboard": staff_only(200, 200),
    "partnerships:assignment_board": staff_only(200, 200),
    "partnerships:assignment_accept": staff_only(405, ELSEWHERE),
    "partnerships:assignment_create": staff_only(200, 400),
    "partnerships:notification_settings": everyone(200, 400),
    # The calendar feed: its token is the key, no sign-in (the scene's is the animator's feed;
    # an unknown token answers 404, tests/partnerships/test_calendar_feed.py); read-only.
    "partnerships:calendar_feed": anyone(200, 405),
    # A new calendar address: the POST is the request (it replaces the token).
    "partnerships:calendar_feed_renew": everyone(405, ELSEWHERE),
    # Only the coordinator creates the next round; an empty form is sent back with its errors.
    "partnerships:round_next": staff_only(403, 403, coordinator=(200, 400)),
    # Good practices: everyone signed in reads them (the scene's is the animator's, of a
    # meeting with a photo); the card's editors mark (the scene's action is not carried out:
    # the page says so); the one who marked it and the staff remove it; experts feature it;
    # the coordinator exports them.
    "partnerships:practice_list": everyone(200, 405),
    "partnerships:practice_detail": everyone(200, 405),
    "partnerships:practice_photo": everyone(200, 405),
    "partnerships:practice_mark_meeting": editors(200, 400),
    "partnerships:practice_mark_action": editors(200, 400),
    "partnerships:practice_remove": answers(
        (LOGIN, LOGIN),
        coordinator=(200, ELSEWHERE),
        expert=(200, ELSEWHERE),
        animator=(200, ELSEWHERE),
        other_animator=(403, 403),
        librarian=(403, 403),
        other_librarian=(403, 403),
    ),
    "partnerships:practice_feature": staff_only(405, ELSEWHERE),
    "partnerships:practice_export": staff_only(403, 403, coordinator=(200, 405)),
    # The people pages (the person is the library's animator).
    "animators:person_list": staff_only(200, 200),
    "animators:person_create": staff_only(200, 400),
    "animators:person_invite": staff_only(405, 403),
    "animators:person_deactivate": staff_only(200, 200),
    "animators:person_reactivate": staff_only(405, 403),
    # Only the coordinator removes personal data; an expert is refused with the reason.
    "animators:person_anonymise": staff_only(403, 403, coordinator=(200, 200)),
    "animators:partner_contact_anonymise": staff_only(403, 403, coordinator=(200, ELSEWHERE)),
}

# The answers that change data with an empty POST by design: the POST is the confirmation.
ACTS_ON_POST = {
    "account_logout",
    "admin:logout",
    "admin:partnerships_meeting_restore",
    "partnerships:meeting_delete",
    "partnerships:milestone_delete",
    "partnerships:practice_remove",
    "partnerships:calendar_feed_renew",
    "animators:person_deactivate",
    "animators:person_anonymise",
    "animators:partner_contact_anonymise",
}

# Writes that are not the user's: allauth records a signed-in account's e-mail address in its
# own table the first time the e-mail page is opened (the accounts of the tests have none yet).
BOOKKEEPING = {"account_email": ["account_emailaddress"]}


def walk(patterns=None, prefix="", namespace=None):
    """(route, name, pattern) of every URL pattern, includes followed."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, (namespace, pattern.namespace))) or None
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name, pattern


# The admin's pages of its own: in `EXPECTED` like the others.
EXPECTED |= {
    f"admin:{name}": staff_only(*answer) | {
        role: (ADMIN_LOGIN, ADMIN_LOGIN) for role in ROLES if role not in STAFF
    }
    for name, answer in {
        "index": (200, 200),
        "app_list": (200, 200),
        "password_change": (200, 200),
        "password_change_done": (200, 405),
        "autocomplete": (403, 405),
        "jsi18n": (200, 405),
        "view_on_site": (404, 404),
        "catch_all": (404, 404),
        "logout": (405, 200),
        "partnerships_round_report": (200, 200),
        "partnerships_round_current_report": (200, 200),
        "partnerships_meeting_deleted": (200, 200),
    }.items()
}
# Signing out of the admin needs no staff account.
EXPECTED["admin:logout"] |= {
    role: (ELSEWHERE, ELSEWHERE) for role in ROLES if role not in STAFF
}
# The coordinator restores a deleted meeting; experts only see the list.
EXPECTED["admin:partnerships_meeting_restore"] = staff_only(
    405, 403, coordinator=(405, ELSEWHERE)
) | {role: (ADMIN_LOGIN, ADMIN_LOGIN) for role in ROLES if role not in STAFF}
EXPECTED["admin:login"] = answers(
    (200, 200),
    coordinator=(ELSEWHERE, 200),
    expert=(ELSEWHERE, 200),
    animator=(200, 200),
    other_animator=(200, 200),
    librarian=(200, 200),
    other_librarian=(200, 200),
)

# The admin's generated per-model pages (every ModelAdmin has them, with the import-export and
# history mixins): too many to send every role to each (about 140), so they are checked by a
# representative set — every one of them sends anonymous users, animators and librarians to
# the admin's sign-in page (GET and POST), and each model's list opens for the coordinator
# and, unless listed in EXPERT_HIDDEN, for an expert. Anything else the admin serves must be
# in EXPECTED.
ADMIN_GENERATED = (
    "changelist",
    "add",
    "history",
    "delete",
    "change",
    "export",
    "import",
    "process_import",
    "simple_history",
    "password_change",  # the user's password page of auth.User
)
EXPERT_HIDDEN = {"auth.group", "account.emailaddress"}  # the roles and allauth's table


def admin_generated():
    """{pattern name: model} of the admin's generated per-model pages."""
    from django.contrib import admin

    names = {}
    for model in admin.site._registry:
        stem = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        names.update({stem + suffix: model for suffix in ADMIN_GENERATED})
    return names


def project_patterns():
    """(route, name) of every pattern; the admin's unnamed per-model redirects to the change
    page are named `admin:<app>_<model>_object`."""
    from django.contrib import admin

    prefixes = {
        f"admin/{m._meta.app_label}/{m._meta.model_name}/": f"admin:{m._meta.label_lower}"
        for m in admin.site._registry
    }
    found = []
    for route, name, _pattern in walk():
        if route == "admin/(?P<url>.*)$":
            name = "admin:catch_all"  # any other address under /admin/
        elif name is None and route.startswith("admin/"):
            stem = next(v for k, v in prefixes.items() if route.startswith(k))
            name = stem.replace(".", "_") + "_object"
        found.append((route, name))
    return found


def test_the_table_names_every_url_pattern():
    """A new URL fails here until its expected answers are written down."""
    generated = admin_generated()
    names = [name for _route, name in project_patterns()]
    assert None not in names, "every URL pattern outside the admin has a name"
    ours = {n for n in names if n not in generated and not n.endswith("_object")}
    assert ours == set(EXPECTED)


@pytest.fixture
def scene(settings, tmp_path, coordinator, expert, partnership, animator, other_animator,
          librarian, other_librarian):
    """The library's records (one of each, files included) and who is who."""
    settings.MEDIA_ROOT = tmp_path / "private"
    start = partnership.round.start
    factories.MilestoneFactory(partnership=partnership, stage=Stage.DIAGNOSIS)
    meeting = factories.MeetingFactory(
        partnership=partnership, logged_by=animator.user, date=start + datetime.timedelta(days=5)
    )
    attachment = MeetingAttachment.objects.create(
        meeting=meeting,
        file=ContentFile(b"%PDF-1.4 lista obecnosci", name="lista.pdf"),
        content_type="application/pdf",
        original_name="lista.pdf",
        size=24,
        uploaded_by=animator.user,
    )
    milestone = factories.MilestoneFactory(
        partnership=partnership, stage=Stage.INVITATIONS, reached_on=start
        + datetime.timedelta(days=10)
    )
    partner = factories.PartnerFactory(partnership=partnership, contact_person="Jan Kowalski")
    agreement = factories.AgreementFactory(partnership=partnership)
    agreement.document.save("skan.pdf", ContentFile(b"%PDF-1.4 porozumienie"), save=False)
    Agreement.objects.filter(pk=agreement.pk).update(
        document=agreement.document.name, document_type="application/pdf"
    )
    action = factories.JointActionFactory(partnership=partnership)
    photo = MeetingAttachment.objects.create(
        meeting=meeting,
        file=ContentFile(b"\xff\xd8\xff\xe0 zdjecie", name="zdjecie.jpg"),
        content_type="image/jpeg",
        original_name="zdjecie.jpg",
        size=13,
        uploaded_by=animator.user,
    )
    practice = GoodPractice.objects.create(
        partnership=partnership, meeting=meeting, why="Partnerzy przygotowali je razem.",
        photo=photo, marked_by=animator.user,
    )
    deleted = factories.MeetingFactory(partnership=partnership)
    deleted_pk = deleted.pk
    deleted.delete()
    users = {
        "anonymous": None,
        "coordinator": coordinator,
        "expert": expert,
        "animator": animator.user,
        "other_animator": other_animator.user,
        "librarian": librarian,
        "other_librarian": other_librarian,
    }
    library = partnership.library
    values = {
        "library_pk": library.pk,
        "partnership_pk": partnership.pk,
        "fmt": "csv",
        "libraries:library_detail": library.pk,
        "partnerships:meeting_update": meeting.pk,
        "partnerships:meeting_delete": meeting.pk,
        "partnerships:partner_update": partner.pk,
        "partnerships:milestone_delete": milestone.pk,
        "partnerships:joint_action_update": action.pk,
        "partnerships:attachment_download": attachment.pk,
        "partnerships:agreement_document": agreement.pk,
        "partnerships:calendar_feed": calendar_feed_renew(user=animator.user).token,
        **{
            f"partnerships:practice_{page}": practice.pk
            for page in ("detail", "photo", "feature", "remove")
        },
        "partnerships:practice_mark_meeting": meeting.pk,
        "partnerships:practice_mark_action": action.pk,
        "animators:partner_contact_anonymise": partner.pk,
        "person": animator.user.pk,  # the people pages act on the library's animator
        "history_id": meeting.history.model.objects.filter(
            id=deleted_pk, history_type="-"
        ).get().history_id,
        "object_id": partnership.round.pk,
        "id": coordinator.pk,
        "key": "klucz-nieznany",
        "uidb36": "0",
        "url": "nie-ma-takiej-strony/",
        "app_label": "partnerships",
    }
    return users, values


def url_of(route, name, pattern, values):
    """The address of `pattern` with its parameters taken from the scene."""
    if name == "admin:catch_all":
        return "/admin/" + values["url"]
    if name.endswith("_object"):
        return "/" + route.replace("<path:object_id>", "1")
    converters = pattern.pattern.converters if hasattr(pattern.pattern, "converters") else {}
    keys = list(converters) or list(pattern.pattern.regex.groupindex)
    if name == "admin:view_on_site":
        return reverse(name, args=[1, 1])
    if not keys and pattern.pattern.regex.groups:  # unnamed groups (history of a version)
        return reverse(name, args=[1, 1])
    kwargs = {}
    for key in keys:
        if name in values:
            kwargs[key] = values[name]
        elif name.startswith("animators:person_"):
            kwargs[key] = values["person"]
        else:
            kwargs[key] = values[key]
    return reverse(name, kwargs=kwargs)


def data_fingerprint():
    """The number of rows of every table of the project's models (history tables included,
    so that a change of an audited record counts too), sessions left aside."""
    from django.apps import apps

    tables = sorted(
        m._meta.db_table
        for m in apps.get_models()
        if m._meta.managed and m._meta.app_label != "sessions"
    )
    quoted = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT count(*) FROM {quoted(t)})" for t in tables))
        return dict(zip(tables, cursor.fetchone(), strict=True))


def outcome(response):
    """The answer as the table writes it."""
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith(reverse("admin:login")):
        return ADMIN_LOGIN
    if location.startswith(reverse("account_login") + "?next="):
        return LOGIN
    return ELSEWHERE


def ask(client, method, url):
    """One request in a savepoint rolled back after it, the client's session cookie kept (a
    sign-out is undone too): (answer, the tables whose rows changed)."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        before = data_fingerprint()
        response = getattr(client, method)(url)
        after = data_fingerprint()
        changed = sorted(t for t in after if after[t] != before[t])
        transaction.set_rollback(True)
    client.cookies = cookies
    return outcome(response), changed


def test_every_url_answers_each_role_as_the_readme_says(scene):
    users, values = scene
    clients = {}
    for role, user in users.items():
        clients[role] = Client(raise_request_exception=False)
        if user is not None:
            clients[role].force_login(user)
    generated = admin_generated()
    mismatches = []
    for (route, name), (_route, _name, pattern) in zip(project_patterns(), walk(), strict=True):
        if name in EXPECTED:
            url = url_of(route, name, pattern, values)
            for role in ROLES:
                for method, expected in zip(("get", "post"), EXPECTED[name][role], strict=True):
                    got, changed = ask(clients[role], method, url)
                    if got != expected:
                        mismatches.append(f"{method.upper()} {url} as {role}: {got}, "
                                          f"expected {expected}")
                    may_change = method == "post" and name in ACTS_ON_POST and got in (
                        200, ELSEWHERE)
                    if changed and not may_change and changed != BOOKKEEPING.get(name):
                        mismatches.append(f"{method.upper()} {url} as {role} changed {changed}")
        elif name in generated or name.endswith("_object"):
            url = url_of(route, name, pattern, values)
            for role in ("anonymous", "animator", "librarian"):
                for method in ("get", "post"):
                    got, changed = ask(clients[role], method, url)
                    if got != ADMIN_LOGIN or changed:
                        mismatches.append(f"{method.upper()} {url} as {role}: {got} {changed}, "
                                          f"expected {ADMIN_LOGIN}")
            if name.endswith("_changelist"):
                hidden = generated[name]._meta.label_lower in EXPERT_HIDDEN
                for role in STAFF:
                    expected = 403 if role == "expert" and hidden else 200
                    got, changed = ask(clients[role], "get", url)
                    if got != expected or changed:
                        mismatches.append(f"GET {url} as {role}: {got} {changed}, "
                                          f"expected {expected}")
        else:
            mismatches.append(f"{route} ({name}) has no expected answers")
    assert not mismatches, "\n".join(mismatches)
