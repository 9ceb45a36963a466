"""Writes that touch several rows; each runs in one transaction."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.models import (
    Agreement,
    Assignment,
    JointAction,
    JointActionStatus,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    Milestone,
    Partner,
    Partnership,
    Stage,
)


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
    first_action = (
        partnership.joint_actions.filter(status=JointActionStatus.DONE)
        .order_by("done_on", "pk")
        .first()
    )
    if first_action is not None:
        milestone, was_created = Milestone.objects.get_or_create(
            partnership=partnership,
            stage=Stage.JOINT_ACTION,
            defaults={
                "reached_on": first_action.done_on,
                "note": first_action.title,
                "recorded_by": by,
            },
        )
        if was_created:
            created.append(milestone)
    agreement = Agreement.objects.filter(partnership=partnership).first()
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


def _store_attachments(*, meeting, attachments, by):
    for upload in attachments:
        MeetingAttachment.objects.create(
            meeting=meeting,
            file=upload,
            content_type=upload.sniffed_type,
            original_name=upload.name[:200],
            size=upload.size,
            uploaded_by=by,
        )


def _add_partners(*, partnership, new_partners, joined_on):
    return [
        Partner.objects.create(
            partnership=partnership, name=item["name"], sector=item["sector"], joined_on=joined_on
        )
        for item in new_partners
    ]


MEETING_FIELDS = (
    "date",
    "kind",
    "participants",
    "summary",
    "decisions",
    "support_declared",
    "next_meeting_on",
)


@transaction.atomic
def meeting_create(
    *, partnership, by, fields, partners_present=(), new_partners=(), attachments=()
) -> Meeting:
    """Log a meeting with the partners present (adding the new ones), its attachments, and the
    milestones its facts prove — all or nothing."""
    meeting = Meeting.objects.create(
        partnership=partnership, logged_by=by, **{f: fields[f] for f in MEETING_FIELDS}
    )
    added = _add_partners(
        partnership=partnership, new_partners=new_partners, joined_on=meeting.date
    )
    meeting.partners_present.set([*partners_present, *added])
    _store_attachments(meeting=meeting, attachments=attachments, by=by)
    milestones_record_from_facts(partnership=partnership, by=by)
    return meeting


@transaction.atomic
def meeting_update(
    *, meeting, by, fields, partners_present=(), new_partners=(), attachments=()
) -> Meeting:
    """Correct a meeting; the milestones it proved are worked out again."""
    for name in MEETING_FIELDS:
        setattr(meeting, name, fields[name])
    meeting.save()
    added = _add_partners(
        partnership=meeting.partnership, new_partners=new_partners, joined_on=meeting.date
    )
    meeting.partners_present.set([*partners_present, *added])
    _store_attachments(meeting=meeting, attachments=attachments, by=by)
    Milestone.objects.filter(meeting=meeting).delete()
    milestones_record_from_facts(partnership=meeting.partnership, by=by)
    return meeting


@transaction.atomic
def meeting_delete(*, meeting, by) -> None:
    """Delete a meeting, its attachments and the milestones it alone proved."""
    partnership = meeting.partnership
    files = [a.file for a in meeting.attachments.all()]
    Milestone.objects.filter(meeting=meeting).delete()
    meeting.delete()
    milestones_record_from_facts(partnership=partnership, by=by)
    transaction.on_commit(lambda: [f.delete(save=False) for f in files])


@transaction.atomic
def milestone_record(*, partnership, stage, reached_on, note, by) -> Milestone:
    """Record (or correct) by hand the day a stage was reached."""
    milestone, _created = Milestone.objects.update_or_create(
        partnership=partnership,
        stage=stage,
        defaults={"reached_on": reached_on, "note": note, "recorded_by": by},
    )
    return milestone


@transaction.atomic
def agreement_record(*, partnership, by, fields, signatories, document=None) -> Agreement:
    """Record or correct the agreement; it sets the `agreement` milestone on its date."""
    agreement = Agreement.objects.filter(partnership=partnership).first() or Agreement(
        partnership=partnership
    )
    for name in ("kind", "signed_on", "signatories_note"):
        setattr(agreement, name, fields[name])
    agreement.recorded_by = by
    if document is not None:
        agreement.document = document
        agreement.document_type = document.sniffed_type
    agreement.save()
    agreement.signatories.set(signatories)
    Milestone.objects.filter(partnership=partnership, stage=Stage.AGREEMENT).exclude(
        reached_on=agreement.signed_on
    ).filter(agreement=agreement).delete()
    milestones_record_from_facts(partnership=partnership, by=by)
    return agreement


@transaction.atomic
def joint_action_save(*, action, by, partners) -> JointAction:
    """Add or update an action of the plan; a done action sets the `joint_action` milestone."""
    action.save()
    action.partners.set(partners)
    milestones_record_from_facts(partnership=action.partnership, by=by)
    return action
