"""Writes that touch several rows; each runs in one transaction."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.models import Assignment, MeetingKind, Milestone, Partnership, Stage


class AssignmentError(Exception):
    """An assignment that cannot be made; the message is shown to the user."""


ANY = object()


@transaction.atomic
def assignment_create(
    *, partnership, animator, by, reason: str = "", expected_current=ANY
) -> Assignment:
    """Assign `animator` to `partnership`, ending the active assignment (history is kept).

    The partnership row is locked, so two people assigning at once are served one after the
    other. `expected_current` is the active assignment (or None) the person saw when they chose:
    if it has changed meanwhile, nothing is overwritten and AssignmentError says so.
    """
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
    if not animator.is_active:
        raise AssignmentError(
            _("%(animator)s is not active and cannot be assigned.") % {"animator": animator}
        )
    if partnership.withdrawn_on:
        raise AssignmentError(
            _("%(library)s has withdrawn from the programme.")
            % {"library": partnership.library.name}
        )
    now = timezone.now()
    current = (
        Assignment.objects.active()
        .select_related("animator__user")
        .filter(partnership=partnership)
        .first()
    )
    expected_pk = getattr(expected_current, "pk", expected_current)
    if expected_current is not ANY and (current.pk if current else None) != expected_pk:
        raise AssignmentError(
            _(
                "Someone else has just changed the animator of %(library)s (now: %(animator)s). "
                "Nothing was changed; check and choose again."
            )
            % {
                "library": partnership.library.name,
                "animator": current.animator if current else _("nobody"),
            }
        )
    if current is not None:
        if current.animator_id == animator.pk:
            return current
        current.ended_at = now
        current.ended_by = by
        current.save(update_fields=["ended_at", "ended_by"])
    return Assignment.objects.create(
        partnership=partnership, animator=animator, assigned_by=by, assigned_at=now, reason=reason
    )


@transaction.atomic
def milestones_record_from_facts(*, partnership, by=None) -> list[Milestone]:
    """Record the milestones that logged facts prove: the first partnership meeting sets
    `first_meeting`; a signed agreement sets `agreement`. Returns the milestones created."""
    created = []
    first_meeting = (
        partnership.meetings.filter(kind=MeetingKind.PARTNERSHIP).order_by("date", "pk").first()
    )
    if first_meeting is not None:
        milestone, was_created = Milestone.objects.get_or_create(
            partnership=partnership,
            stage=Stage.FIRST_MEETING,
            defaults={
                "reached_on": first_meeting.date,
                "meeting": first_meeting,
                "recorded_by": by,
            },
        )
        if was_created:
            created.append(milestone)
    agreement = getattr(partnership, "agreement", None)
    if agreement is not None:
        milestone, was_created = Milestone.objects.get_or_create(
            partnership=partnership,
            stage=Stage.AGREEMENT,
            defaults={
                "reached_on": agreement.signed_on,
                "agreement": agreement,
                "recorded_by": by,
            },
        )
        if was_created:
            created.append(milestone)
    return created


@transaction.atomic
def assignments_accept(*, choices, by, reason: str) -> list[Assignment]:
    """Assign several unassigned partnerships at once: `choices` is a list of
    (partnership, animator). All or nothing: one conflict and none is saved."""
    return [
        assignment_create(
            partnership=partnership,
            animator=animator,
            by=by,
            reason=reason,
            expected_current=None,
        )
        for partnership, animator in choices
    ]
