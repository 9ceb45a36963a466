"""The admin panel for the coordinator and experts."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from partnerships.models import Assignment, MeetingKind, Stage
from partnerships.services import milestones_record_from_facts
from prb_partnerships.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 6, 1)  # inside the test round (1 March – 30 September 2026)

MODELS = [
    "libraries.voivodeship",
    "libraries.library",
    "animators.animator",
    "partnerships.round",
    "partnerships.partnership",
    "partnerships.assignment",
    "partnerships.partner",
    "partnerships.meeting",
    "partnerships.milestone",
    "partnerships.agreement",
    "partnerships.jointaction",
]

# Add pages each role may open; the voivodeships come from TERYT and assignments are made
# by the action, so nobody adds those by hand.
ADDS = {
    Role.COORDINATOR: set(MODELS) - {"libraries.voivodeship", "partnerships.assignment"},
    Role.EXPERT: set(MODELS)
    - {
        "libraries.voivodeship",
        "libraries.library",
        "partnerships.round",
        "partnerships.assignment",
    },
}


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


def admin_url(model, view="changelist", *args):
    app, name = model.split(".")
    return reverse(f"admin:{app}_{name}_{view}", args=args)


def build(round_, expert, size):
    """`size` complete partnerships: library, an ended and an active assignment, a partner,
    a meeting, a milestone, an agreement and a joint action each; and `size` other rounds."""
    made = []
    for _ in range(size):
        factories.RoundFactory()
        partnership = factories.PartnershipFactory(round=round_)
        animator = factories.AnimatorFactory(expert=expert)
        animator.voivodeships.add(factories.voivodeship())
        start = datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC)
        factories.AssignmentFactory(
            partnership=partnership, assigned_at=start, ended_at=start + datetime.timedelta(3)
        )
        factories.AssignmentFactory(partnership=partnership, animator=animator, assigned_at=start)
        partner = factories.PartnerFactory(partnership=partnership)
        meeting = factories.MeetingFactory(partnership=partnership, logged_by=animator.user)
        meeting.partners_present.add(partner)
        factories.MilestoneFactory(partnership=partnership, stage=Stage.DIAGNOSIS)
        factories.AgreementFactory(partnership=partnership).signatories.add(partner)
        factories.JointActionFactory(partnership=partnership)
        made.append(partnership)
    return made


def one_of_each(partnership):
    active = partnership.assignments.get(ended_at__isnull=True)
    return {
        "libraries.voivodeship": partnership.library.voivodeship,
        "libraries.library": partnership.library,
        "animators.animator": active.animator,
        "partnerships.round": partnership.round,
        "partnerships.partnership": partnership,
        "partnerships.assignment": active,
        "partnerships.partner": partnership.partners.get(),
        "partnerships.meeting": partnership.meetings.get(),
        "partnerships.milestone": partnership.milestones.get(),
        "partnerships.agreement": partnership.agreement,
        "partnerships.jointaction": partnership.joint_actions.get(),
    }


def form_data(response):
    """The POST data of an admin add or change page as it stands: the form and every inline."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if isinstance(value, list | tuple):
                data[field.html_name] = [str(v) for v in value]
            elif value not in (None, False):
                data[field.html_name] = str(value)
    return data


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.EXPERT])
def test_every_page_opens_and_shows_the_object(client, request, role, round_, expert):
    objects = one_of_each(build(round_, expert, 1)[0])
    client.force_login(request.getfixturevalue(role))

    assert client.get("/admin/").status_code == 200
    for model, obj in objects.items():
        change_url = admin_url(model, "change", obj.pk)
        changelist = client.get(admin_url(model))
        assert changelist.status_code == 200, model
        assert f'href="{change_url}"' in changelist.content.decode(), model

        change = client.get(change_url)
        assert change.status_code == 200, model
        assert escape(str(obj)) in change.content.decode(), model

        add = client.get(admin_url(model, "add"))
        assert add.status_code == (200 if model in ADDS[role] else 403), model


def test_partnership_page_has_every_inline(client, expert, round_):
    partnership = build(round_, expert, 1)[0]
    client.force_login(expert)

    content = client.get(admin_url("partnerships.partnership", "change", partnership.pk))

    for heading in ("Historia przypisań", "Partnerzy", "Spotkania", "Kamienie milowe",
                    "Porozumienia", "Wspólne działania"):
        assert heading in content.content.decode()


def test_admin_is_in_polish_and_links_the_application_pages(client, expert):
    client.force_login(expert)

    content = client.get("/admin/").content.decode()

    assert "PRB Partnerstwa" in content and "Witaj" in content
    for url in ("/", "/dashboard/", "/libraries/", "/assignments/", "/people/"):
        assert f'href="{url}"' in content


# The queries of each changelist, the same at both sizes and on SQLite and PostgreSQL.
# Every admin page: the session, the user, the user's and their groups' permissions, and the
# user's roles (the context processor).
PAGE = 5
# Every changelist: the number of rows filtered, the number of all rows, and the page of rows
# with all it shows (select_related or annotations such as the stage, status and animator of
# a partnership; never one query per row).
LIST = 3
# The busiest lists (partnerships, meetings) count only the rows filtered, not all rows too.
LIST_ONE_COUNT = LIST - 1
# A date_hierarchy: the first and last date, then the days to drill down to.
DATES = 2
# The choices of each filter by a related model (animators with their users), one query each.
VOIVODESHIPS = ROUNDS = ANIMATORS = EXPERTS = 1
QUERIES = {
    "libraries.voivodeship": PAGE + LIST,
    "libraries.library": PAGE + LIST + VOIVODESHIPS + ANIMATORS + EXPERTS,
    "animators.animator": PAGE + LIST + EXPERTS + VOIVODESHIPS,
    "partnerships.round": PAGE + LIST,
    "partnerships.partnership": PAGE + LIST_ONE_COUNT + VOIVODESHIPS + ANIMATORS + EXPERTS + ROUNDS,
    "partnerships.assignment": PAGE + LIST + ROUNDS + ANIMATORS + DATES,
    "partnerships.partner": PAGE + LIST + VOIVODESHIPS + ROUNDS,
    "partnerships.meeting": PAGE + LIST_ONE_COUNT + VOIVODESHIPS + ROUNDS + DATES,
    "partnerships.milestone": PAGE + LIST + ROUNDS + VOIVODESHIPS + DATES,
    "partnerships.agreement": PAGE + LIST + ROUNDS + VOIVODESHIPS + DATES,
    "partnerships.jointaction": PAGE + LIST + ROUNDS + VOIVODESHIPS + DATES,
}


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("size", [2, 6])
def test_changelist_query_count_does_not_grow(client, coordinator, expert, round_, model, size,
                                              django_assert_num_queries):
    build(round_, expert, size)
    client.force_login(coordinator)

    with django_assert_num_queries(QUERIES[model]):
        response = client.get(admin_url(model))

    assert response.status_code == 200
    assert response.context["cl"].result_count >= size


@pytest.mark.parametrize("size", [1, 3])
def test_partnership_page_query_count_does_not_grow(client, expert, round_, size,
                                                    django_assert_num_queries):
    """With one or three rows in every inline, the page costs the same."""
    partnership = build(round_, expert, 1)[0]
    for extra in range(1, size):
        day = round_.start + datetime.timedelta(extra)
        then = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC) + datetime.timedelta(extra)
        factories.AssignmentFactory(partnership=partnership, assigned_at=then, ended_at=then)
        factories.PartnerFactory(partnership=partnership)
        factories.MeetingFactory(partnership=partnership, date=day, kind=MeetingKind.PARTNERSHIP)
        factories.JointActionFactory(partnership=partnership)
    milestones_record_from_facts(partnership=partnership)
    client.force_login(expert)
    ContentType.objects.clear_cache()

    # PAGE; the partnership with its library, round and annotations; the rows of each inline:
    # assignments, partners, meetings (with who logged them), milestones (with their
    # evidence), the agreement, joint actions (library and round are read-only, shown from the
    # partnership's own row); the content type (for the history link).
    with django_assert_num_queries(PAGE + 1 + 6 + 1):
        response = client.get(admin_url("partnerships.partnership", "change", partnership.pk))

    assert response.status_code == 200


class TestFilters:
    @pytest.fixture
    def partnerships(self, round_, expert):
        """One partnership of each status as of TODAY (1 June), with active animators of two
        experts; the `on_track` one was once animated by `late`'s animator."""
        late, on_track, done, withdrawn = (
            factories.PartnershipFactory(round=round_) for _ in range(4)
        )
        day = round_.start
        factories.MilestoneFactory(partnership=late, stage=Stage.DIAGNOSIS, reached_on=day)
        for rank, stage in enumerate(Stage):
            reached_on = day + datetime.timedelta(rank)
            if rank < 3:
                factories.MilestoneFactory(partnership=on_track, stage=stage, reached_on=reached_on)
            factories.MilestoneFactory(partnership=done, stage=stage, reached_on=reached_on)
        withdrawn.withdrawn_on = day + datetime.timedelta(10)
        withdrawn.save()

        first = factories.AnimatorFactory(expert=expert)
        second = factories.AnimatorFactory(expert=factories.UserFactory(role=Role.EXPERT))
        factories.AssignmentFactory(partnership=late, animator=first)
        then = datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC)
        factories.AssignmentFactory(partnership=on_track, animator=first, assigned_at=then,
                                    ended_at=then + datetime.timedelta(5))
        factories.AssignmentFactory(partnership=on_track, animator=second)
        return {"late": late, "on_track": on_track, "done": done, "withdrawn": withdrawn,
                "first": first, "second": second}

    def shown(self, client, model, **params):
        response = client.get(admin_url(model), params)
        assert response.status_code == 200
        return set(response.context["cl"].result_list)

    def test_partnerships_by_stage_status_animator_and_expert(self, client, expert,
                                                              partnerships):
        p = partnerships
        client.force_login(expert)

        def shown(**params):
            return {obj.pk for obj in self.shown(client, "partnerships.partnership", **params)}

        # The same values as the `stage` filter of /libraries/.
        assert shown(stage="not_started") == {p["withdrawn"].pk}
        assert shown(stage="diagnosis") == {p["late"].pk}
        assert shown(stage="first_meeting") == {p["on_track"].pk}
        assert shown(stage="evaluation") == {p["done"].pk}
        assert shown(stage="nonsense") == {p[k].pk for k in ("late", "on_track", "done",
                                                            "withdrawn")}
        for status in ("late", "on_track", "done", "withdrawn"):
            assert shown(status=status) == {p[status].pk}
        assert shown(animator=p["first"].pk) == {p["late"].pk}  # not the ended assignment
        assert shown(animator=p["second"].pk) == {p["on_track"].pk}
        assert shown(expert=expert.pk) == {p["late"].pk}
        assert shown(expert=p["second"].expert.pk) == {p["on_track"].pk}

    def test_libraries_by_animator_and_expert(self, client, expert, partnerships):
        p = partnerships
        client.force_login(expert)

        assert self.shown(client, "libraries.library", animator=p["first"].pk) == {
            p["late"].library
        }
        assert self.shown(client, "libraries.library", expert=p["second"].expert.pk) == {
            p["on_track"].library
        }


class TestAssignAction:
    def post(self, client, partnerships, **data):
        return client.post(admin_url("partnerships.partnership"), {
            "action": "assign_animator",
            "_selected_action": [p.pk for p in partnerships],
            **data,
        })

    def active(self, partnership):
        return Assignment.objects.active().get(partnership=partnership)

    def test_intermediate_page_offers_active_animators_only(self, client, expert, round_):
        partnerships = build(round_, expert, 2)
        retired = factories.AnimatorFactory(is_active=False)
        client.force_login(expert)

        response = self.post(client, partnerships)

        content = response.content.decode()
        assert response.status_code == 200
        assert "Przypisz animatora/animatorkę" in content
        assert all(p.library.name in content for p in partnerships)
        assert f'<option value="{self.active(partnerships[0]).animator.pk}"' in content
        assert f'<option value="{retired.pk}"' not in content

    def test_assigns_ends_the_previous_and_keeps_history(self, client, expert, round_):
        partnerships = build(round_, expert, 2)
        previous = [self.active(p) for p in partnerships]
        new = factories.AnimatorFactory()
        client.force_login(expert)

        response = self.post(client, partnerships, apply="1", animator=new.pk, reason="Urlop")

        assert response.status_code == 302
        assert messages_of(response) == [f"{new} wspiera teraz 2 partnerstwa."]
        for partnership, before in zip(partnerships, previous, strict=True):
            history = list(partnership.assignments.order_by("assigned_at", "pk"))
            assert len(history) == 3
            before.refresh_from_db()
            assert before.ended_at is not None and before.ended_by == expert
            current = self.active(partnership)
            assert (current.animator, current.reason, current.assigned_by) == (
                new, "Urlop", expert
            )

    def test_all_or_nothing(self, client, expert, round_):
        partnerships = build(round_, expert, 2)
        partnerships[1].withdrawn_on = round_.start
        partnerships[1].save()
        previous = [self.active(p) for p in partnerships]
        new = factories.AnimatorFactory()
        client.force_login(expert)

        response = self.post(client, partnerships, apply="1", animator=new.pk, reason="x")

        assert response.status_code == 302
        assert messages_of(response) == [
            f"{partnerships[1].library.name} wycofała się z programu."
        ]
        assert not Assignment.objects.filter(animator=new).exists()
        assert [self.active(p) for p in partnerships] == previous

    @pytest.mark.parametrize("bad", [
        {"reason": ""},
        {"animator": "retired"},
        {"animator": ""},
    ])
    def test_bad_input_re_renders_with_the_error_and_saves_nothing(self, client, expert,
                                                                   round_, bad):
        partnerships = build(round_, expert, 1)
        new = factories.AnimatorFactory()
        retired = factories.AnimatorFactory(is_active=False)
        data = {"apply": "1", "animator": new.pk, "reason": "Urlop", **bad}
        if data["animator"] == "retired":
            data["animator"] = retired.pk
        client.force_login(expert)

        response = self.post(client, partnerships, **data)

        assert response.status_code == 200
        assert response.context["form"].errors
        assert 'class="errorlist' in response.content.decode()
        assert Assignment.objects.count() == 2


class TestRecordsOfAPartnership:
    def test_partnership_page_lists_records_with_rules_read_only_with_links(self, client,
                                                                             expert, round_):
        partnership = build(round_, expert, 1)[0]
        client.force_login(expert)

        response = client.get(admin_url("partnerships.partnership", "change", partnership.pk))

        content = response.content.decode()
        for editable in ("meetings-0-date", "milestones-0-stage", "agreement-0-signed_on",
                         "joint_actions-0-status"):
            assert f'name="{editable}"' not in content
        meeting = partnership.meetings.get()
        assert admin_url("partnerships.meeting", "change", meeting.pk) in content

    @pytest.mark.parametrize("day", ["2026-02-27", "2026-10-01"])
    def test_meeting_date_outside_the_round(self, client, expert, round_, day):
        partnership = build(round_, expert, 1)[0]
        meeting = partnership.meetings.get()
        url = admin_url("partnerships.meeting", "change", meeting.pk)
        client.force_login(expert)

        response = client.post(url, form_data(client.get(url)) | {"date": day})

        assert response.status_code == 200
        assert "Data musi mieścić się w rundzie: 1 marca 2026 – 30 września 2026." in (
            response.content.decode()
        )
        assert partnership.meetings.get().date == round_.start + datetime.timedelta(20)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.EXPERT])
def test_nobody_deletes_partnerships_or_libraries(client, request, role, round_, expert):
    partnership = build(round_, expert, 1)[0]
    client.force_login(request.getfixturevalue(role))

    partnership_page = admin_url("partnerships.partnership", "delete", partnership.pk)
    library_page = admin_url("libraries.library", "delete", partnership.library.pk)
    assert client.get(partnership_page).status_code == 403
    assert client.get(library_page).status_code == 403
    for model in ("partnerships.partnership", "libraries.library"):
        action_form = client.get(admin_url(model)).context["action_form"]
        actions = dict(action_form.fields["action"].choices) if action_form else {}
        assert "delete_selected" not in actions


def test_experts_cannot_change_rounds(client, expert, round_):
    client.force_login(expert)

    response = client.get(admin_url("partnerships.round", "change", round_.pk))

    assert response.status_code == 200
    assert 'name="name"' not in response.content.decode()  # read-only for experts


@pytest.mark.parametrize("role", ["animator", "librarian", "plain_user"])
def test_animators_and_librarians_have_no_admin(client, request, role):
    person = request.getfixturevalue(role)
    client.force_login(getattr(person, "user", person))

    for url in ("/admin/", admin_url("partnerships.partnership")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.EXPERT])
def test_staff_see_who_invited_and_deactivated_whom(client, request, role):
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse("admin:animators_accountevent_changelist"))

    assert response.status_code == 200
