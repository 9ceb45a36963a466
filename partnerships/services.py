"""Writes that touch several rows; each runs in one transaction."""

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from animators.models import Animator
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
from partnerships.notifications import absolute_url, card_url
from partnerships.progress import (
    FACT_STAGES,
    StageOrderError,
    check_hand_stage,
    plan_milestones,
)
from prb_partnerships.mail import AUTO_SUBMITTED, send_mail_template

logger = logging.getLogger(__name__)


class AssignmentError(Exception):
    """An assignment that cannot be made; the message is shown to the user."""


ANY = object()


class AlreadySaved(Exception):
    """The form was sent again with the one-time token of a record already saved (a double
    tap, a retry, a restored draft): nothing new is saved. `record` is the one saved."""

    def __init__(self, record):
        super().__init__(record)
        self.record = record


@contextmanager
def _once(model, submission_token):
    """Run the insert of a `model` record carrying `submission_token` at most once per token:
    a token already stored raises AlreadySaved. Between submits at the same moment the unique
    constraint decides; the insert runs in a savepoint, so the loser's transaction stays usable
    to read the winner's record. Without a token (the admin, an old cached page) it just runs."""
    if submission_token is None:
        yield
        return
    if earlier := model.objects.filter(submission_token=submission_token).first():
        raise AlreadySaved(earlier)
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        earlier = model.objects.filter(submission_token=submission_token).first()
        if earlier is None:
            raise
        raise AlreadySaved(earlier) from None


@transaction.atomic
def assignment_create(
    *, partnership, animator, by, reason: str = "", expected_current=ANY, until=None
) -> Assignment:
    """Assign `animator` to `partnership`, ending the active assignment (history is kept).

    The partnership row is locked, so two people assigning at once are served one after the
    other. `expected_current` is the active assignment (or None) the person saw when they chose:
    if it has changed meanwhile, nothing is overwritten and AssignmentError says so.

    With `until` the assignment is a temporary replacement of the active one: on that day
    `assignments_end_temporary` ends it and the animator replaced supports the partnership
    again. `until` must be after today and within the round, and there must be an active
    animator to replace, other than `animator`.
    """
    lock_partnership(partnership.pk)
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
    # An assignment to a deactivated animator supports nobody: "no animator" as seen.
    vacant = current is None or not (current.animator.is_active and current.animator.user.is_active)
    if (
        expected_current is not ANY
        and (current.pk if current else None) != expected_pk
        and not (expected_pk is None and vacant)
    ):
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
    if until is not None:
        _check_temporary(partnership, current, vacant, animator, until)
    if current is not None:
        if current.animator_id == animator.pk:
            return current
        current.ended_at = now
        current.ended_by = by
        current.save(update_fields=["ended_at", "ended_by"])
    return Assignment.objects.create(
        partnership=partnership,
        animator=animator,
        assigned_by=by,
        assigned_at=now,
        reason=reason,
        until=until,
        replaces=current if until is not None else None,
    )


def _check_temporary(partnership, current, vacant, animator, until) -> None:
    """Refuse a temporary replacement that could not end as planned."""
    today = timezone.localdate()
    if current is None or vacant:
        raise AssignmentError(
            _(
                "A temporary replacement needs an active animator who comes back; "
                "%(library)s has none now. Assign without an end date."
            )
            % {"library": partnership.library.name}
        )
    if current.animator_id == animator.pk:
        raise AssignmentError(
            _("%(animator)s already supports %(library)s; choose someone else.")
            % {"animator": animator, "library": partnership.library.name}
        )
    if until <= today:
        raise AssignmentError(_("The end of the replacement must be after today."))
    if until > partnership.round.end:
        raise AssignmentError(
            _("The end of the replacement must be within the round, by %(end)s.")
            % {"end": date_format(partnership.round.end, "j E Y")}
        )


def lock_partnership(pk) -> None:
    """Writes to one partnership's records are served one after the other: every service
    takes this row lock first, so two people (or a double tap) never interleave and never
    deadlock on its milestones."""
    Partnership.objects.select_for_update().filter(pk=pk).first()


def _facts(partnership) -> dict:
    """{fact stage: [(day, evidence)] by day}: the partnership meetings, the agreement, the
    joint actions carried out."""
    meetings = partnership.meetings.filter(kind=MeetingKind.PARTNERSHIP).order_by("date", "pk")
    agreement = Agreement.objects.filter(partnership=partnership).first()
    actions = partnership.joint_actions.filter(status=JointActionStatus.DONE).order_by(
        "done_on", "pk"
    )
    return {
        Stage.FIRST_MEETING: [(meeting.date, meeting) for meeting in meetings],
        Stage.AGREEMENT: [(agreement.signed_on, agreement)] if agreement else [],
        Stage.JOINT_ACTION: [(action.done_on, action) for action in actions],
    }


def milestones_plan(partnership) -> tuple[dict, list, dict]:
    """The partnership's milestones ({Stage: Milestone}), the milestones it should have in
    order, and the facts waiting for an earlier stage (`progress.plan_milestones`)."""
    milestones = {Stage(m.stage): m for m in partnership.milestones.all()}
    recorded = {
        stage: m.reached_on for stage, m in milestones.items() if stage not in FACT_STAGES
    }
    planned, waiting = plan_milestones(recorded=recorded, facts=_facts(partnership))
    return milestones, planned, waiting


@transaction.atomic
def milestones_record_from_facts(*, partnership, by=None) -> dict:
    """Bring the milestones of the stages that facts prove (first partnership meeting,
    agreement, first joint action carried out) in line with the facts, in stage order: each is
    reached by its earliest fact dated on or after the previous stage, once every earlier stage
    is reached. Raises StageOrderError — and the caller's whole write is rolled back — when the
    change would leave a stage recorded by hand without a stage before it, or before it.

    Returns the facts waiting for an earlier stage ({fact stage: stage missing before it})."""
    lock_partnership(partnership.pk)
    milestones, planned, waiting = milestones_plan(partnership)
    wanted = {p.stage: p for p in planned if p.stage in FACT_STAGES}
    for stage in FACT_STAGES:
        milestone, plan = milestones.get(stage), wanted.get(stage)
        if plan is None:
            if milestone is not None:
                milestone.delete()
            continue
        evidence = plan.evidence
        fields = {
            "reached_on": plan.day,
            "meeting": evidence if isinstance(evidence, Meeting) else None,
            "agreement": evidence if isinstance(evidence, Agreement) else None,
        }
        if isinstance(evidence, JointAction):
            fields["note"] = evidence.title
        if milestone is None:
            Milestone.objects.create(partnership=partnership, stage=stage, recorded_by=by, **fields)
        elif any(getattr(milestone, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(milestone, name, value)
            milestone.recorded_by = by
            milestone.save()
    return waiting


@transaction.atomic
def assignments_create(*, choices, by, reason: str, expected_current=ANY) -> list[Assignment]:
    """Assign several partnerships at once: `choices` is a list of (partnership, animator);
    the previous assignments end and stay in the history. All or nothing: one refusal and none
    is saved. With `expected_current=None` only partnerships that have no animator yet."""
    return [
        assignment_create(
            partnership=partnership,
            animator=animator,
            by=by,
            reason=reason,
            expected_current=expected_current,
        )
        for partnership, animator in choices
    ]


def assignments_accept(*, choices, by, reason: str) -> list[Assignment]:
    """Accept a proposal for partnerships that had no animator (see `assignments_create`)."""
    return assignments_create(choices=choices, by=by, reason=reason, expected_current=None)


# ----- The end of temporary replacements (daily: manage.py end_temporary_assignments) -----


@dataclass
class ReplacementEnd:
    """What happened to one partnership when its temporary replacement ended."""

    partnership: Partnership
    ended: Assignment  # the replacement, now ended
    back: Animator | None  # the animator who was to come back (None: nobody is recorded)
    restored: Assignment | None  # their new assignment; None: the partnership waits

    def recipients(self) -> list[tuple[object, str]]:
        """(user, audience) of the e-mails: both animators; the experts when nobody is back."""
        people = [(self.ended.animator.user, "stand_in")]
        if self.restored is not None:
            return [*people, (self.restored.animator.user, "back")]
        experts = [
            self.back.expert if self.back else None,
            self.ended.animator.expert,
            self.ended.assigned_by,
        ]
        seen = set()
        for user in experts:
            if user is not None and user.is_active and user.pk not in seen:
                seen.add(user.pk)
                people.append((user, "expert"))
        return people


def _who_comes_back(replacement, today):
    """The assignment whose animator supports the partnership when `replacement` ends: the one
    it replaced, or further back when that was itself a replacement that has ended by `today`
    (a stand-in's stand-in)."""
    back = replacement.replaces
    while back is not None and back.until is not None and back.until <= today:
        back = back.replaces
    return back


@transaction.atomic
def assignment_end_temporary(*, partnership_pk, today) -> ReplacementEnd | None:
    """End the temporary replacement of one partnership if it is due on `today`: the animator
    replaced supports it again (keeping their own end date, if they were a stand-in whose
    time has not come), both changes in the history. When that animator (or their account) is
    no longer active, the replacement ends all the same and the partnership waits on the
    assignment board. None when nothing was due (ended already: safe to run again)."""
    lock_partnership(partnership_pk)
    related = ("animator__user", "animator__expert", "assigned_by", "partnership__library")
    replacement = (
        Assignment.objects.active()
        .filter(partnership_id=partnership_pk, until__lte=today)
        .select_related(*related)
        .first()
    )
    if replacement is None:
        return None
    now = timezone.now()
    replacement.ended_at = now
    replacement.ended_by = None
    replacement.save(update_fields=["ended_at", "ended_by"])
    back = _who_comes_back(replacement, today)
    animator = back.animator if back is not None else None
    restored = None
    if animator is not None and animator.is_active and animator.user.is_active:
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("Back after the temporary replacement by %(animator)s.") % {
                "animator": replacement.animator
            }
        restored = Assignment.objects.create(
            partnership=replacement.partnership,
            animator=animator,
            assigned_by=None,
            assigned_at=now,
            reason=reason,
            until=back.until,
            replaces=back.replaces if back.until is not None else None,
        )
    return ReplacementEnd(replacement.partnership, replacement, animator, restored)


def assignments_end_temporary(*, today) -> dict:
    """End every temporary replacement due on or before `today` (`assignment_end_temporary`,
    one transaction per partnership), then e-mail both animators — or, when nobody comes
    back, the stand-in and the CAL experts concerned. A failed e-mail is logged and counted;
    the change stays. Returns {"ended", "restored", "waiting", "sent", "failed"}."""
    due = (
        Assignment.objects.active()
        .filter(until__lte=today)
        .order_by("until", "partnership_id")
        .values_list("partnership_id", flat=True)
    )
    counts = dict.fromkeys(("ended", "restored", "waiting", "sent", "failed"), 0)
    for partnership_pk in list(due):
        outcome = assignment_end_temporary(partnership_pk=partnership_pk, today=today)
        if outcome is None:
            continue
        counts["ended"] += 1
        counts["restored" if outcome.restored else "waiting"] += 1
        for user, audience in outcome.recipients():
            try:
                _replacement_mail(outcome, user=user, audience=audience, today=today)
            except Exception:
                logger.exception("The e-mail about the end of a replacement to %s failed", user.pk)
                counts["failed"] += 1
            else:
                counts["sent"] += 1
    return counts


def _replacement_mail(outcome, *, user, audience, today) -> None:
    send_mail_template(
        template="replacement_ended",
        recipient=user,
        context={
            "audience": audience,
            "library": outcome.partnership.library,
            "stand_in": outcome.ended.animator,
            "back": outcome.back,
            "restored": outcome.restored is not None,
            "since": outcome.ended.assigned_at,
            "today": today,
            "card_url": card_url(outcome.partnership),
            "board_url": absolute_url("partnerships:assignment_board"),
        },
        headers=AUTO_SUBMITTED,
    )


def _delete_on_commit(*files):
    """Remove stored files (FieldFiles) once the transaction commits; a rollback keeps them, as
    it keeps the records that point at them. A storage error is logged: the write is done."""
    for file in files:
        if file:
            transaction.on_commit(partial(file.storage.delete, file.name), robust=True)


def _store_attachments(*, meeting, attachments, by):
    """Store the checked uploads under server-made names (`uploads.meeting_file_name`); the
    callers store them last, once nothing else can refuse the write."""
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
    *,
    partnership,
    by,
    fields,
    partners_present=(),
    new_partners=(),
    attachments=(),
    submission_token=None,
) -> Meeting:
    """Log a meeting with the partners present (adding the new ones), its attachments, and the
    milestones its facts prove — all or nothing; once per form token (AlreadySaved)."""
    lock_partnership(partnership.pk)
    with _once(Meeting, submission_token):
        meeting = Meeting.objects.create(
            partnership=partnership,
            logged_by=by,
            submission_token=submission_token,
            **{f: fields[f] for f in MEETING_FIELDS},
            guests=fields.get("guests", ""),  # optional: callers from before it may omit it
        )
    added = _add_partners(
        partnership=partnership, new_partners=new_partners, joined_on=meeting.date
    )
    meeting.partners_present.set([*partners_present, *added])
    milestones_record_from_facts(partnership=partnership, by=by)
    _store_attachments(meeting=meeting, attachments=attachments, by=by)
    return meeting


@transaction.atomic
def meeting_update(
    *, meeting, by, fields, partners_present=(), new_partners=(), attachments=()
) -> Meeting:
    """Correct a meeting; the milestones it proved are worked out again."""
    lock_partnership(meeting.partnership_id)
    for name in MEETING_FIELDS:
        setattr(meeting, name, fields[name])
    if "guests" in fields:
        meeting.guests = fields["guests"]
    meeting.save()
    added = _add_partners(
        partnership=meeting.partnership, new_partners=new_partners, joined_on=meeting.date
    )
    meeting.partners_present.set([*partners_present, *added])
    milestones_record_from_facts(partnership=meeting.partnership, by=by)
    _store_attachments(meeting=meeting, attachments=attachments, by=by)
    return meeting


@transaction.atomic
def meeting_delete(*, meeting, by) -> None:
    """Delete a meeting, its attachments and the milestones it alone proved; the attachments'
    files are removed from the storage once this is committed."""
    partnership = meeting.partnership
    lock_partnership(partnership.pk)
    files = [a.file for a in meeting.attachments.all()]
    meeting.delete()
    milestones_record_from_facts(partnership=partnership, by=by)
    _delete_on_commit(*files)


@transaction.atomic
def milestone_record(*, partnership, stage, reached_on, note, by) -> Milestone:
    """Record by hand the day a stage was reached: only the next stage, when it is not one that
    a fact proves, on a day of the round not before the previous stage and not in the future
    (StageOrderError otherwise). A fact waiting for this stage then reaches its own."""
    lock_partnership(partnership.pk)
    _milestones, planned, _waiting = milestones_plan(partnership)
    stage = Stage(stage)
    check_hand_stage(planned=planned, stage=stage, day=reached_on, round_=partnership.round)
    milestone = Milestone.objects.create(
        partnership=partnership, stage=stage, reached_on=reached_on, note=note, recorded_by=by
    )
    milestones_record_from_facts(partnership=partnership, by=by)
    return milestone


@transaction.atomic
def milestone_note_update(*, milestone, note, by) -> Milestone:
    """Change the note of a milestone (its stage and day are corrected by removing it)."""
    milestone.note = note
    milestone.recorded_by = by
    milestone.save(update_fields=["note", "recorded_by"])
    return milestone


def milestone_removal(milestone) -> list[Milestone]:
    """What removing `milestone` removes: it and every later milestone (the later stages
    cannot stand without it), in stage order."""
    return sorted(
        (m for m in milestone.partnership.milestones.all() if m.rank >= milestone.rank),
        key=lambda m: m.rank,
    )


@transaction.atomic
def milestone_remove(*, milestone, by) -> list[Milestone]:
    """Correct a mistake: remove a stage recorded by hand and every later stage. A stage that a
    fact proves is corrected through its fact (StageOrderError). Returns what was removed."""
    stage = Stage(milestone.stage)
    if stage in FACT_STAGES:
        raise StageOrderError(
            _(
                "The stage “%(stage)s” follows from its fact (the meeting, the agreement or the "
                "joint action): correct or delete that record instead."
            )
            % {"stage": stage.label}
        )
    lock_partnership(milestone.partnership_id)
    removed = milestone_removal(milestone)
    for item in reversed(removed):
        item.delete()
    milestones_record_from_facts(partnership=milestone.partnership, by=by)
    return removed


@transaction.atomic
def agreement_record(*, partnership, by, fields, signatories, document=None) -> Agreement:
    """Record or correct the agreement; it sets the `agreement` milestone on its date. A new
    scan (`document`, checked by `uploads.validate_document`) replaces the old one, which is
    removed from the storage once this is committed; if the write is refused, the new one goes
    and the old one stays."""
    lock_partnership(partnership.pk)
    agreement = Agreement.objects.filter(partnership=partnership).first() or Agreement(
        partnership=partnership
    )
    for name in ("kind", "signed_on", "signatories_note"):
        setattr(agreement, name, fields[name])
    agreement.recorded_by = by
    replaced = agreement.document
    if document is not None:
        agreement.document_type = document.sniffed_type  # names the stored file
        agreement.document = document
    agreement.save()
    try:
        agreement.signatories.set(signatories)
        milestones_record_from_facts(partnership=partnership, by=by)
    except BaseException:
        if document is not None:
            agreement.document.delete(save=False)
        raise
    if document is not None:
        _delete_on_commit(replaced)
    return agreement


@transaction.atomic
def partner_create(*, partner, submission_token=None) -> Partner:
    """Add a partner (`partner`: the unsaved record from the form), once per form token
    (AlreadySaved)."""
    partner.submission_token = submission_token
    with _once(Partner, submission_token):
        partner.save()
    return partner


@transaction.atomic
def joint_action_save(*, action, by, partners, submission_token=None) -> JointAction:
    """Add or update an action of the plan; a done action sets the `joint_action` milestone.
    A new action is added once per form token (AlreadySaved)."""
    lock_partnership(action.partnership_id)
    if submission_token is not None:
        action.submission_token = submission_token
    with _once(JointAction, submission_token):
        action.save()
    action.partners.set(partners)
    milestones_record_from_facts(partnership=action.partnership, by=by)
    return action


@transaction.atomic
def joint_action_delete(*, action, by) -> None:
    """Delete an action of the plan; the `joint_action` milestone follows the actions left
    (StageOrderError when a later stage needs it)."""
    partnership = action.partnership
    lock_partnership(partnership.pk)
    action.delete()
    milestones_record_from_facts(partnership=partnership, by=by)


@transaction.atomic
def agreement_delete(*, agreement, by) -> None:
    """Delete the agreement (and its scan); the `agreement` milestone goes with it
    (StageOrderError when a later stage needs it)."""
    partnership = agreement.partnership
    lock_partnership(partnership.pk)
    document = agreement.document
    agreement.delete()
    milestones_record_from_facts(partnership=partnership, by=by)
    _delete_on_commit(document)
