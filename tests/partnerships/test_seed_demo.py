"""`manage.py seed_demo`: counts, idempotency, logins and a realistic, consistent round.

The scale-1 demo data are seeded once for the module inside a transaction that is rolled back
at the end; every test runs in a savepoint of it, so tests that seed again see only their own
changes.
"""

import datetime
import re
from collections import Counter
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Min, Q
from django.test import override_settings

from animators.models import Animator
from libraries.models import Library, Voivodeship
from partnerships.demo import demo_round_name, demo_round_start
from partnerships.models import (
    Agreement,
    Assignment,
    JointAction,
    JointActionStatus,
    Meeting,
    MeetingKind,
    Milestone,
    Partner,
    Partnership,
    Round,
    Sector,
    Stage,
    Status,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 20)
PASSWORD = "Demo-haslo-2026"
# Hashing is not what these tests are about; PBKDF2 would cost a second per run.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
User = get_user_model()


def seed(*args, today=TODAY, password=PASSWORD) -> str:
    out = StringIO()
    call_command("seed_demo", f"--today={today}", f"--password={password}", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module", autouse=True)
def seeded(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        output = seed()
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def demo_round():
    return Round.objects.get(name="Runda II 2026")


def role_count(role):
    return User.objects.filter(groups__name=role).count()


def model_counts():
    models = [
        User, EmailAddress, User.groups.through, Voivodeship, Library, Library.librarians.through,
        Animator, Animator.voivodeships.through, Round, Partnership, Assignment, Partner,
        Meeting, Meeting.partners_present.through, Milestone, Agreement,
        Agreement.signatories.through, JointAction, JointAction.partners.through,
    ]
    return {model.__name__: model.objects.count() for model in models}


class TestWhatIsCreated:
    def test_people_and_libraries_in_the_documented_numbers(self, seeded):
        assert Voivodeship.objects.count() == 16
        assert Library.objects.count() == 128
        per_voivodeship = Library.objects.values("voivodeship").annotate(n=Count("pk"))
        assert {row["n"] for row in per_voivodeship} == {8}
        assert len(per_voivodeship) == 16
        assert role_count("coordinator") == 1
        assert role_count("expert") == 4
        assert role_count("animator") == 32
        assert role_count("librarian") == 128
        assert Animator.objects.count() == 32
        assert "libraries: 128" in seeded

    def test_logins_follow_the_documented_pattern(self):
        staff = set(User.objects.filter(is_staff=True).values_list("email", flat=True))
        assert staff == {"koordynator@example.org"} | {
            f"ekspert{n}@example.org" for n in range(1, 5)
        }
        assert User.objects.filter(groups__name="animator", email="animator32@example.org")
        assert User.objects.filter(groups__name="librarian", email="biblioteka128@example.org")
        assert not User.objects.exclude(username=F("email")).exists()

    def test_every_user_has_a_verified_primary_email_address(self):
        addresses = EmailAddress.objects.filter(verified=True, primary=True)
        assert addresses.count() == User.objects.count() == 165
        assert not addresses.exclude(email=F("user__email")).exists()

    def test_users_have_polish_names(self):
        user = User.objects.get(email="biblioteka001@example.org")
        assert re.fullmatch(r"[A-ZŁŚŻ][a-ząćęłńóśźż]+", user.first_name)
        assert User.objects.filter(Q(first_name="") | Q(last_name="")).count() == 0

    def test_each_library_has_one_librarian_of_its_own(self):
        links = Library.librarians.through.objects
        assert links.count() == 128
        assert links.values("user").distinct().count() == 128
        assert Library.objects.get(librarians__email="biblioteka001@example.org")

    def test_libraries_have_valid_terc_codes_and_realistic_names(self):
        for library in Library.objects.all():
            assert re.fullmatch(r"\d{7}", library.terc)
            assert library.terc[:2] == library.voivodeship_id
            assert library.terc[6] == library.gmina_type
            assert re.match(
                r"(Gminna|Miejsko-Gminna|Miejska) Biblioteka Publiczna|Biblioteka Publiczna "
                r"(Gminy|Miasta i Gminy)",
                library.name,
            ), library.name
            assert library.gmina and library.powiat and library.town and library.address
            assert re.fullmatch(r"\d{2}-\d{3}", library.postal_code)
            assert library.email.endswith("@example.org") and library.phone.startswith("+48")
        types = Counter(Library.objects.values_list("gmina_type", flat=True))
        assert types["2"] + types["3"] > 100 and 0 < types["1"] < 20

    def test_animators_have_an_expert_voivodeships_and_four_libraries(self):
        active = Animator.objects.annotate(
            n=Count("assignments", filter=Q(assignments__ended_at__isnull=True))
        )
        assert {animator.n for animator in active} == {4}
        for animator in Animator.objects.annotate(regions=Count("voivodeships")):
            assert 1 <= animator.regions <= 2
            assert animator.capacity == 5 and animator.is_active and animator.phone
            assert animator.expert.groups.filter(name="expert").exists()
        per_expert = Animator.objects.values("expert").annotate(n=Count("pk"))
        assert {row["n"] for row in per_expert} == {8}
        outside = Assignment.objects.active().exclude(
            partnership__library__voivodeship__animators=F("animator")
        )
        assert outside.count() == 0

    def test_every_library_has_one_partnership_with_one_active_assignment(self, demo_round):
        partnerships = Partnership.objects.filter(round=demo_round).annotate(
            active=Count("assignments", filter=Q(assignments__ended_at__isnull=True))
        )
        assert partnerships.count() == 128
        assert set(partnerships.values_list("library", flat=True)) == set(
            Library.objects.values_list("pk", flat=True)
        )
        assert {p.active for p in partnerships} == {1}
        assert not Assignment.objects.filter(assigned_by__isnull=True).exists()
        assert Assignment.objects.filter(assigned_by__groups__name="expert").count() == (
            Assignment.objects.count()
        )

    def test_some_partnerships_changed_animator(self):
        changed = Partnership.objects.filter(assignments__ended_at__isnull=False)
        assert 1 <= changed.count() <= 8
        for partnership in changed:
            ended, active = partnership.assignments.order_by("assigned_at")
            assert ended.ended_at == active.assigned_at
            assert ended.animator != active.animator
            assert active.reason


class TestRunningAgain:
    def test_a_second_run_creates_and_changes_nothing(self, seeded):
        before = model_counts()
        hashes = set(User.objects.values_list("password", flat=True))

        output = seed()

        assert model_counts() == before
        assert set(User.objects.values_list("password", flat=True)) == hashes
        assert "Nothing to create" in output
        assert "Password set" not in output

    def test_once_skips_a_database_that_has_libraries(self, seeded):
        before = model_counts()

        output = seed("--once", today=datetime.date(2027, 1, 15), password="Inne-haslo-1")

        assert model_counts() == before
        assert "not loaded again" in output

    def test_no_duplicates_of_partners_or_meetings(self):
        seed()

        assert not Partner.objects.values("partnership", "name").annotate(
            n=Count("pk")
        ).filter(n__gt=1)
        assert not Meeting.objects.values("partnership", "date").annotate(
            n=Count("pk")
        ).filter(n__gt=1)

    def test_scale_two_doubles_everything_and_continues_the_numbering(self):
        seed("--scale=2")

        assert Voivodeship.objects.count() == 16
        assert Library.objects.count() == 256
        assert Partnership.objects.count() == 256
        assert role_count("coordinator") == 1
        assert role_count("expert") == 8
        assert role_count("animator") == 64
        assert role_count("librarian") == 256
        assert Animator.objects.count() == 64
        for email in ["ekspert5@example.org", "animator33@example.org",
                      "biblioteka129@example.org", "biblioteka256@example.org"]:
            assert authenticate(username=email, password=PASSWORD), email
        per_voivodeship = Library.objects.values("voivodeship").annotate(n=Count("pk"))
        assert {row["n"] for row in per_voivodeship} == {16}
        assert Library.objects.values("terc").distinct().count() == 256


class TestLogins:
    @pytest.mark.parametrize(
        "email",
        [
            "koordynator@example.org",
            "ekspert1@example.org",
            "ekspert4@example.org",
            "animator01@example.org",
            "animator32@example.org",
            "biblioteka001@example.org",
            "biblioteka128@example.org",
        ],
    )
    def test_demo_users_authenticate_with_the_given_password(self, email):
        assert authenticate(username=email, password=PASSWORD).email == email
        assert authenticate(username=email, password="prb-demo-2026") is None

    def test_login_page_accepts_a_demo_login(self, client):
        response = client.post(
            "/accounts/login/", {"login": "animator05@example.org", "password": PASSWORD}
        )

        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(
            User.objects.get(email="animator05@example.org").pk
        )

    def test_password_option_resets_every_demo_password(self):
        output = seed(password="Nowe-haslo-2026")

        assert "Password set for 165 demo users" in output
        assert authenticate(username="ekspert2@example.org", password="Nowe-haslo-2026")
        assert authenticate(username="biblioteka077@example.org", password="Nowe-haslo-2026")
        assert authenticate(username="ekspert2@example.org", password=PASSWORD) is None


class TestTheRound:
    @pytest.mark.parametrize(
        ("today", "start", "end"),
        [
            ("2026-03-01", "2026-03-01", "2026-09-30"),
            ("2026-06-20", "2026-03-01", "2026-09-30"),
            ("2026-09-30", "2026-03-01", "2026-09-30"),
            ("2026-10-01", "2026-06-01", "2026-12-31"),
            ("2026-12-10", "2026-08-01", "2027-02-28"),
            ("2027-01-15", "2026-09-01", "2027-03-31"),
            ("2027-02-28", "2026-10-01", "2027-04-30"),
        ],
    )
    def test_round_is_march_to_september_or_has_today_in_its_fifth_month(self, today, start, end):
        today = datetime.date.fromisoformat(today)

        round_start = demo_round_start(today)

        assert round_start == datetime.date.fromisoformat(start)
        if not datetime.date(today.year, 3, 1) <= today <= datetime.date(today.year, 9, 30):
            months = (today.year - round_start.year) * 12 + today.month - round_start.month
            assert months + 1 == 5

    def test_the_demo_round_of_june_is_march_to_september(self, demo_round):
        assert demo_round.start == datetime.date(2026, 3, 1)
        assert demo_round.end == datetime.date(2026, 9, 30)
        assert demo_round.deadline_first_meeting == datetime.date(2026, 4, 30)
        assert demo_round.deadline_planning == datetime.date(2026, 6, 15)

    def test_in_december_the_round_is_august_to_february(self):
        december = datetime.date(2026, 12, 10)

        seed(today=december)

        start, end = datetime.date(2026, 8, 1), datetime.date(2027, 2, 28)
        round_ = Round.objects.get(name=demo_round_name(start, end))
        assert (round_.start, round_.end) == (start, end)
        assert round_.partnerships.count() == 128
        assert Library.objects.count() == 128
        meetings = Meeting.objects.filter(partnership__round=round_)
        assert meetings.exists()
        assert not meetings.filter(Q(date__lt=start) | Q(date__gt=december)).exists()
        statuses = Counter(
            Partnership.objects.filter(round=round_).with_progress(december)
            .values_list("status", flat=True)
        )
        assert statuses[Status.ON_TRACK] > statuses[Status.LATE] > 0


class TestActivity:
    def test_status_mix_is_realistic(self, demo_round, seeded):
        statuses = Counter(
            Partnership.objects.filter(round=demo_round).with_progress(TODAY)
            .values_list("status", flat=True)
        )

        assert statuses[Status.ON_TRACK] > 128 * 0.6
        assert 128 * 0.05 < statuses[Status.LATE] < 128 * 0.35
        assert 1 <= statuses[Status.WITHDRAWN] <= 2
        assert f"{statuses[Status.LATE]} late" in seeded

    def test_a_few_partnerships_are_stalled(self):
        since = TODAY - datetime.timedelta(days=30)
        stalled = Partnership.objects.filter(withdrawn_on__isnull=True).exclude(
            meetings__date__gte=since
        )

        assert 1 <= stalled.count() <= 20

    def test_withdrawn_partnerships_are_kept_with_a_reason(self):
        withdrawn = Partnership.objects.filter(withdrawn_on__isnull=False)

        assert withdrawn.count() in (1, 2)
        for partnership in withdrawn:
            assert partnership.withdrawal_reason
            assert partnership.withdrawn_on <= TODAY
            assert not partnership.meetings.filter(date__gt=partnership.withdrawn_on).exists()

    def test_dates_lie_inside_the_round_and_not_after_today(self, demo_round):
        outside = Q(date__lt=demo_round.start) | Q(date__gt=TODAY)
        assert not Meeting.objects.filter(outside).exists()
        assert not Milestone.objects.filter(
            Q(reached_on__lt=demo_round.start) | Q(reached_on__gt=TODAY)
        ).exists()
        assert not Agreement.objects.filter(
            Q(signed_on__lt=demo_round.start) | Q(signed_on__gt=TODAY)
        ).exists()
        assert not JointAction.objects.filter(done_on__gt=TODAY).exists()
        assert not Partner.objects.filter(joined_on__gt=TODAY).exists()

    def test_milestones_are_reached_in_stage_order(self):
        for partnership in Partnership.objects.prefetch_related("milestones"):
            milestones = sorted(partnership.milestones.all(), key=lambda m: m.rank)
            assert [m.rank for m in milestones] == list(range(1, len(milestones) + 1))
            days = [m.reached_on for m in milestones]
            assert days == sorted(days)

    def test_milestones_are_what_the_stage_rules_give_from_the_facts(self):
        """The demo data holds the application's own rule (partnerships/progress.py)."""
        from partnerships.services import milestones_plan

        for partnership in Partnership.objects.prefetch_related("milestones"):
            milestones, planned, _waiting = milestones_plan(partnership)
            assert {s: m.reached_on for s, m in milestones.items()} == {
                p.stage: p.day for p in planned
            }

    def test_on_track_partnerships_reached_every_passed_deadline_in_time(self, demo_round):
        on_track = Partnership.objects.with_progress(TODAY).filter(status=Status.ON_TRACK)
        passed = [stage for stage, day in demo_round.deadlines.items() if day < TODAY]
        for partnership in on_track.prefetch_related("milestones"):
            reached = {m.stage: m.reached_on for m in partnership.milestones.all()}
            for stage in passed:
                assert reached[stage] <= demo_round.deadlines[stage]

    def test_first_meeting_milestone_is_the_first_partnership_meeting(self):
        first_meetings = dict(
            Meeting.objects.filter(kind=MeetingKind.PARTNERSHIP)
            .values("partnership")
            .annotate(first=Min("date"))
            .values_list("partnership", "first")
        )
        milestones = Milestone.objects.filter(stage=Stage.FIRST_MEETING).select_related(
            "meeting"
        )
        assert milestones.count() == len(first_meetings) > 100
        for milestone in milestones:
            assert milestone.reached_on == first_meetings[milestone.partnership_id]
            assert milestone.meeting.date == milestone.reached_on
            assert milestone.meeting.kind == MeetingKind.PARTNERSHIP

    def test_agreement_milestone_is_the_signed_agreement(self):
        milestones = Milestone.objects.filter(stage=Stage.AGREEMENT).select_related("agreement")

        assert milestones.count() == Agreement.objects.count() > 0
        for milestone in milestones:
            assert milestone.agreement.partnership_id == milestone.partnership_id
            assert milestone.agreement.signed_on == milestone.reached_on
        assert not Agreement.objects.annotate(n=Count("signatories")).filter(n=0).exists()
        assert not Agreement.signatories.through.objects.exclude(
            partner__partnership=F("agreement__partnership")
        ).exists()

    def test_joint_action_milestone_is_the_first_action_done(self):
        first_done = dict(
            JointAction.objects.filter(status=JointActionStatus.DONE)
            .values("partnership")
            .annotate(first=Min("done_on"))
            .values_list("partnership", "first")
        )
        milestones = Milestone.objects.filter(stage=Stage.JOINT_ACTION)
        assert {m.partnership_id: m.reached_on for m in milestones} == first_done
        assert not JointAction.objects.filter(
            status=JointActionStatus.DONE, participants_reached__isnull=True
        ).exists()

    def test_partners_are_varied_and_led_by_the_gmina_office(self):
        partnerships = Partnership.objects.annotate(
            partners_count=Count("partners"),
            offices=Count("partners", filter=Q(partners__sector=Sector.LOCAL_GOVERNMENT)),
            sectors=Count("partners__sector", distinct=True),
        )
        for partnership in partnerships:
            assert 3 <= partnership.partners_count <= 10
        assert sum(p.offices > 0 for p in partnerships) > 100
        assert len(set(Partner.objects.values_list("sector", flat=True))) == len(Sector)
        assert Partner.objects.filter(name__startswith="Koło Gospodyń Wiejskich").exists()

    def test_meetings_are_logged_by_the_animator_of_the_day(self):
        assert not Meeting.objects.filter(logged_by__isnull=True).exists()
        assert not Meeting.objects.exclude(logged_by__groups__name="animator").exists()
        assert set(Meeting.objects.values_list("kind", flat=True)) == set(MeetingKind.values)
        assert not Meeting.objects.filter(summary="").exists()
        present = Meeting.partners_present.through.objects.exclude(
            partner__partnership=F("meeting__partnership")
        )
        assert not present.exists()
