"""Who may see and change a partnership's records: one access helper per object, used by the
pages of both apps (`libraries` and `partnerships`). Each answers 404 outside the user's scope
(`visible_to`) and 403 to those who may only read, and owns its `select_related`."""

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from libraries.models import Library
from partnerships.models import Assignment, Meeting, Partnership, Round
from prb_partnerships.roles import sees_everything

EDIT_WINDOW_DAYS = 14


def get_library_for_user(user, pk):
    """The library `pk` if `user` may see it, else 404."""
    return get_object_or_404(Library.objects.visible_to(user).select_related("voivodeship"), pk=pk)


def can_edit(user, partnership) -> bool:
    """Experts and the coordinator, and the animator actively assigned to the partnership."""
    if sees_everything(user):
        return True
    return Assignment.objects.active().filter(partnership=partnership, animator__user=user).exists()


def can_edit_meeting(user, meeting) -> bool:
    """An animator corrects their own meeting for 14 days; after that only an expert can."""
    if sees_everything(user):
        return True
    age = timezone.now() - meeting.created_at
    return meeting.logged_by_id == user.pk and age <= datetime.timedelta(days=EDIT_WINDOW_DAYS)


def meetings_in_edit_window(user, library) -> int:
    """How many of `user`'s meetings at `library` they may still correct (`can_edit_meeting`):
    the kept card of an animator changes when one of these windows closes."""
    since = timezone.now() - datetime.timedelta(days=EDIT_WINDOW_DAYS)
    return Meeting.objects.filter(
        partnership__library=library, logged_by=user, created_at__gte=since
    ).count()


def get_partnership_for_expert(user, pk):
    """A partnership for the experts' pages (the gate `staff_required` answers 403 to other
    roles); 404 if unknown."""
    return get_object_or_404(
        Partnership.objects.visible_to(user).select_related("library", "round"), pk=pk
    )


def get_partnership_for_editor(user, library_pk):
    """The current-round partnership of library `library_pk`: 404 outside the user's scope,
    403 for those who may only read it (librarians)."""
    partnership = (
        Partnership.objects.visible_to(user)
        .filter(library_id=library_pk, round=Round.objects.current())
        .select_related("library", "round")
        .first()
    )
    if partnership is None:
        raise Http404
    if not can_edit(user, partnership):
        raise PermissionDenied
    return partnership


def get_record_for_editor(user, model, pk):
    """A record of a partnership (`model` with a `partnership`: partner, joint action,
    milestone): 404 outside the user's scope, 403 for those who may only read it."""
    record = get_object_or_404(
        model.objects.filter(
            partnership__in=Partnership.objects.visible_to(user)
        ).select_related("partnership__library", "partnership__round"),
        pk=pk,
    )
    if not can_edit(user, record.partnership):
        raise PermissionDenied
    return record


def get_meeting_for_editor(user, pk):
    meeting = get_object_or_404(
        Meeting.objects.visible_to(user).select_related(
            "partnership__library", "partnership__round"
        ),
        pk=pk,
    )
    if not (can_edit(user, meeting.partnership) and can_edit_meeting(user, meeting)):
        raise PermissionDenied
    return meeting
