"""Factories for every model, in one place."""

import datetime

import factory
from django.contrib.auth.models import Group, User

from animators.models import Animator
from libraries.models import Library, LibraryKind, Voivodeship
from partnerships.models import (
    Agreement,
    AgreementKind,
    Assignment,
    JointAction,
    Meeting,
    MeetingKind,
    Milestone,
    Partner,
    Partnership,
    Round,
    Sector,
    Stage,
    default_round_dates,
)
from prb_partnerships.roles import Role

PASSWORD = "Haslo-testowe-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    username = factory.LazyAttribute(lambda o: o.email)
    first_name = factory.Faker("first_name", locale="pl_PL")
    last_name = factory.Faker("last_name", locale="pl_PL")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
            if extracted in (Role.COORDINATOR, Role.EXPERT):
                self.is_staff = True
        self.save()


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Runda {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        start = kwargs.pop("start", datetime.date(2026, 3, 1))
        dates = default_round_dates(start)
        dates.update(kwargs)
        return super()._create(model_class, *args, **dates)


def voivodeship(code="12"):
    return Voivodeship.objects.get(code=code)


class LibraryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Library

    name = factory.Sequence(lambda n: f"Gminna Biblioteka Publiczna nr {n}")
    kind = LibraryKind.LEAD
    voivodeship = factory.LazyFunction(voivodeship)
    gmina = factory.Sequence(lambda n: f"Gmina {n}")
    gmina_type = "2"
    powiat = "krakowski"
    town = factory.Sequence(lambda n: f"Miejscowość {n}")

    @factory.lazy_attribute_sequence
    def terc(self, n):
        return f"{self.voivodeship.code}{(n // 100) % 100:02d}{n % 100:02d}{self.gmina_type}"


class AnimatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Animator

    user = factory.SubFactory(UserFactory, role=Role.ANIMATOR)
    phone = "+48 600 100 200"
    capacity = 5


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    library = factory.SubFactory(LibraryFactory)
    round = factory.SubFactory(RoundFactory, name="Runda testowa")


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    partnership = factory.SubFactory(PartnershipFactory)
    animator = factory.SubFactory(AnimatorFactory)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Stowarzyszenie nr {n}")
    sector = Sector.NGO


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    partnership = factory.SubFactory(PartnershipFactory)
    date = factory.LazyAttribute(lambda o: o.partnership.round.start + datetime.timedelta(days=20))
    kind = MeetingKind.VISIT
    participants = 5
    summary = "Rozmowa o diagnozie lokalnej."


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    partnership = factory.SubFactory(PartnershipFactory)
    stage = Stage.DIAGNOSIS
    reached_on = factory.LazyAttribute(lambda o: o.partnership.round.start)


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    partnership = factory.SubFactory(PartnershipFactory)
    kind = AgreementKind.AGREEMENT
    signed_on = factory.LazyAttribute(
        lambda o: o.partnership.round.start + datetime.timedelta(days=100)
    )


class JointActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JointAction

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Piknik rodzinny {n}")
    planned_on = factory.LazyAttribute(
        lambda o: o.partnership.round.start + datetime.timedelta(days=120)
    )


def reach_stages(partnership, rank, days=None):
    """Bring `partnership` to stage `rank` in order, as the application would: milestones by
    hand for the hand stages, and the facts (a partnership meeting, the agreement, a joint
    action carried out) for the others. `days` gives each stage's day (default: the 2nd, 4th …
    of the round's first days, one day apart per stage)."""
    from partnerships.models import JointActionStatus, MeetingKind
    from partnerships.progress import FACT_STAGES
    from partnerships.services import milestones_record_from_facts

    start = partnership.round.start
    days = days or [start + datetime.timedelta(days=2 * n) for n in range(1, 8)]
    for stage, day in zip(list(Stage)[:rank], days, strict=False):
        if stage not in FACT_STAGES:
            Milestone.objects.create(partnership=partnership, stage=stage, reached_on=day)
        elif stage == Stage.FIRST_MEETING:
            MeetingFactory(partnership=partnership, date=day, kind=MeetingKind.PARTNERSHIP)
        elif stage == Stage.AGREEMENT:
            AgreementFactory(partnership=partnership, signed_on=day)
        else:
            JointActionFactory(
                partnership=partnership, planned_on=day, done_on=day,
                status=JointActionStatus.DONE,
            )
        milestones_record_from_facts(partnership=partnership)
    return partnership


# The empty "new partners" formset of the meeting form (`prefix="new"`).
NO_NEW_PARTNERS = {
    "new-TOTAL_FORMS": "0",
    "new-INITIAL_FORMS": "0",
    "new-MIN_NUM_FORMS": "0",
    "new-MAX_NUM_FORMS": "5",
}


def meeting_post(new_partners=(), **fields):
    """What the meeting form sends: a partnership meeting of 10 June 2026 with `fields`
    changed, and `new_partners` [(name, sector)] in the quick-add rows."""
    data = {
        "date": "2026-06-10",
        "kind": "partnership",
        "participants": "12",
        "summary": "Pierwsze spotkanie partnerstwa w bibliotece.",
        **NO_NEW_PARTNERS,
        "new-TOTAL_FORMS": str(len(new_partners)),
    }
    for index, (name, sector) in enumerate(new_partners):
        data |= {f"new-{index}-name": name, f"new-{index}-sector": sector}
    return data | fields
