"""`visible_to(user)`: what each role may see, and what an outsider of each role may not."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import timezone

from animators.models import Animator
from libraries.models import Library
from partnerships.models import Meeting, Partnership
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def meetings(partnership, other_partnership):
    return (
        factories.MeetingFactory(partnership=partnership),
        factories.MeetingFactory(partnership=other_partnership),
    )


def visible(model, user):
    return set(model.objects.visible_to(user))


@pytest.mark.parametrize("role", ["coordinator", "expert"])
def test_coordinator_and_experts_see_everything(
    request, role, partnership, other_partnership, meetings, animator, other_animator
):
    user = request.getfixturevalue(role)

    assert visible(Library, user) == {partnership.library, other_partnership.library}
    assert visible(Partnership, user) == {partnership, other_partnership}
    assert visible(Meeting, user) == set(meetings)
    assert visible(Animator, user) == {animator, other_animator}


def test_animator_sees_only_assigned_partnerships(
    animator, other_animator, partnership, other_partnership, meetings
):
    assert visible(Library, animator.user) == {partnership.library}
    assert visible(Partnership, animator.user) == {partnership}
    assert visible(Meeting, animator.user) == {meetings[0]}
    assert visible(Animator, animator.user) == {animator}


def test_outsider_animator_sees_none_of_another_animators_libraries(
    animator, other_animator, partnership, meetings
):
    assert partnership.library not in visible(Library, other_animator.user)
    assert partnership not in visible(Partnership, other_animator.user)
    assert meetings[0] not in visible(Meeting, other_animator.user)


def test_animator_loses_sight_when_reassigned(animator, partnership, expert):
    from partnerships.services import assignment_create

    successor = factories.AnimatorFactory()
    assignment_create(partnership=partnership, animator=successor, by=expert, reason="urlop")

    assert visible(Library, animator.user) == set()
    assert visible(Partnership, successor.user) == {partnership}


def test_librarian_sees_only_their_own_library(
    librarian, other_librarian, partnership, other_partnership, meetings
):
    assert visible(Library, librarian) == {partnership.library}
    assert visible(Partnership, librarian) == {partnership}
    assert visible(Meeting, librarian) == {meetings[0]}
    assert visible(Animator, librarian) == set()


def test_outsider_librarian_sees_nothing_of_another_library(
    librarian, other_librarian, partnership, meetings
):
    assert partnership.library not in visible(Library, other_librarian)
    assert partnership not in visible(Partnership, other_librarian)
    assert meetings[0] not in visible(Meeting, other_librarian)


def test_user_with_both_roles_sees_the_union(partnership, other_partnership, animator):
    other_partnership.library.librarians.add(animator.user)
    animator.user.groups.add(Group.objects.get(name="librarian"))
    user = type(animator.user).objects.get(pk=animator.user.pk)  # fresh role cache

    assert visible(Library, user) == {partnership.library, other_partnership.library}
    assert visible(Partnership, user) == {partnership, other_partnership}


@pytest.mark.parametrize("fixture", ["plain_user", None])
def test_anonymous_and_roleless_users_see_nothing(request, fixture, partnership, meetings):
    user = request.getfixturevalue(fixture) if fixture else AnonymousUser()

    for model in (Library, Partnership, Meeting, Animator):
        assert visible(model, user) == set()


def test_deactivated_user_sees_nothing(animator, partnership):
    animator.user.is_active = False
    animator.user.save()
    user = type(animator.user).objects.get(pk=animator.user.pk)

    assert visible(Library, user) == set()


def test_assignment_history_does_not_duplicate_libraries(animator, partnership):
    for _ in range(3):
        factories.AssignmentFactory(
            partnership=partnership, animator=animator,
            assigned_at=timezone.now(), ended_at=timezone.now(),
        )

    assert Library.objects.visible_to(animator.user).count() == 1
