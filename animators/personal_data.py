"""Everything the programme holds about one person, for them to download ("Moje konto").

Only the person's own data: their account, their roles, for an animator their profile and
assignments, for a librarian their libraries, what they logged or recorded (meetings and their
attachments, milestones, agreements), the record of their account and their notification
settings. Other people appear only by name where they are part of that data (who invited them,
their supervising expert). A fixed number of queries, whatever the number of records.
"""

from django.db.models import Prefetch
from django.utils import timezone

from animators.models import AccountEvent, Animator
from partnerships.models import (
    Agreement,
    Meeting,
    MeetingAttachment,
    Milestone,
    NotificationPreference,
    Partner,
)
from prb_partnerships.roles import roles_of


def _name(user):
    return (user.get_full_name() or user.email) if user is not None else None


def _partnership(record):
    partnership = record.partnership
    return {"library": partnership.library.name, "round": partnership.round.name}


def personal_data(user) -> dict:
    """The person's data as plain values (dates as dates), ready for JSON."""
    return {
        "exported_at": timezone.now(),
        "account": {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "roles": sorted(roles_of(user)),
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "animator": _animator(user),
        "libraries_as_librarian": list(
            user.libraries.order_by("name").values_list("name", flat=True)
        ),
        "meetings_logged": _meetings(user),
        "attachments_uploaded": [
            {
                "meeting_id": attachment.meeting_id,
                "file_name": attachment.original_name,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "uploaded_at": attachment.uploaded_at,
            }
            for attachment in MeetingAttachment.objects.filter(uploaded_by=user).order_by("pk")
        ],
        "milestones_recorded": [
            {
                **_partnership(milestone),
                "stage": milestone.get_stage_display(),
                "reached_on": milestone.reached_on,
                "note": milestone.note,
                "recorded_at": milestone.created_at,
            }
            for milestone in Milestone.objects.filter(recorded_by=user)
            .select_related("partnership__library", "partnership__round")
            .order_by("reached_on", "pk")
        ],
        "agreements_recorded": [
            {
                **_partnership(agreement),
                "kind": agreement.get_kind_display(),
                "signed_on": agreement.signed_on,
                "other_signatories": agreement.signatories_note,
                "scanned_document": bool(agreement.document),
            }
            for agreement in Agreement.objects.filter(recorded_by=user)
            .select_related("partnership__library", "partnership__round")
            .order_by("signed_on", "pk")
        ],
        "account_events": [
            {"what": event.get_kind_display(), "by": _name(event.by), "at": event.at}
            for event in AccountEvent.objects.filter(user=user).select_related("by")
        ],
        "notification_settings": _notifications(user),
    }


def _animator(user):
    animator = (
        Animator.objects.filter(user=user)
        .select_related("expert")
        .prefetch_related("voivodeships")
        .first()
    )
    if animator is None:
        return None
    assignments = animator.assignments.select_related(
        "partnership__library", "partnership__round"
    ).order_by("assigned_at", "pk")
    return {
        "phone": animator.phone,
        "voivodeships": [voivodeship.name for voivodeship in animator.voivodeships.all()],
        "supervising_expert": _name(animator.expert),
        "capacity": animator.capacity,
        "active": animator.is_active,
        "assignments": [
            {
                **_partnership(assignment),
                "assigned_at": assignment.assigned_at,
                "ended_at": assignment.ended_at,
                "reason": assignment.reason,
            }
            for assignment in assignments
        ],
    }


def _meetings(user):
    meetings = (
        Meeting.objects.filter(logged_by=user)
        .select_related("partnership__library", "partnership__round")
        .prefetch_related(
            Prefetch("partners_present", queryset=Partner.objects.only("name").order_by("name"))
        )
        .order_by("date", "pk")
    )
    return [
        {
            "id": meeting.pk,
            **_partnership(meeting),
            "date": meeting.date,
            "kind": meeting.get_kind_display(),
            "partners_present": [partner.name for partner in meeting.partners_present.all()],
            "participants": meeting.participants,
            "summary": meeting.summary,
            "decisions": meeting.decisions,
            "guests": meeting.guests,
            "support_declared": meeting.support_declared,
            "next_meeting_on": meeting.next_meeting_on,
            "logged_at": meeting.created_at,
            "updated_at": meeting.updated_at,
        }
        for meeting in meetings
    ]


def _notifications(user):
    preference = NotificationPreference.objects.for_user(user)
    return {"reminders": preference.reminders, "weekly_digest": preference.digest}
