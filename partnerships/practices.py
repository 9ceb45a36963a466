"""Good practices: a meeting or a joint action that worked, marked by its animator or a CAL
expert with a few lines on why (and, if they like, a photo from the meetings' files), for the
whole programme to learn from at `/practices/`.

Who may do what (each service checks it again, whatever page or admin form calls it):

- **mark** a meeting or a joint action carried out: whoever may edit the partnership
  (`access.can_edit`: its animator, the experts, the coordinator); one practice per record —
  a second mark of the same record is refused (the mark page opens the practice there is for
  correcting instead);
- **correct** or **remove** it: the person who marked it, or an expert or the coordinator;
- **feature** it: the experts and the coordinator.

A photo is one of that meeting's photos (a JPEG or PNG attachment); for a joint action, a photo
of a meeting of the same partnership, or none. Everyone signed in sees every practice
(`GoodPractice.objects.visible_to`) and its photo through `/practices/<id>/photo/`, which checks
that the file is a practice's photo; the meeting's other files stay behind the card's access.

The stage a practice came from is the partnership's stage reached on the record's day, by the
SQL of `partnerships.progress` (`stage_on_the_day`).
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Func, OuterRef, Prefetch, Q, Value
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerships import progress, uploads
from partnerships.access import can_edit
from partnerships.models import (
    GoodPractice,
    JointAction,
    JointActionStatus,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    Partner,
    Partnership,
    Sector,
)
from prb_partnerships.roles import sees_everything

# The photos a practice can show: the attachments a browser shows as pictures.
PHOTO_TYPES = tuple(sorted(uploads.INLINE_TYPES))
WHY_MAX_LENGTH = 3000
# The `kind` of a practice that is a joint action, beside the meeting kinds.
JOINT_ACTION = "joint_action"
KIND_CHOICES = [*MeetingKind.choices, (JOINT_ACTION, gettext_lazy("joint action"))]


class PracticeError(Exception):
    """A mark or a change that cannot be made; the message is shown to the user."""


# ----- Who may -----


def may_mark(user, record) -> bool:
    """The record's partnership may be edited by `user` (its animator, experts, coordinator)."""
    return can_edit(user, record.partnership)


def may_change(user, practice) -> bool:
    """The person who marked the practice, or an expert or the coordinator."""
    return sees_everything(user) or (
        practice.marked_by_id is not None and practice.marked_by_id == user.pk
    )


def may_feature(user) -> bool:
    return sees_everything(user)


# ----- What a practice is about -----


def record_of(practice):
    """The meeting or the joint action the practice is about."""
    return practice.meeting if practice.meeting_id else practice.joint_action


def record_day(record) -> datetime.date:
    """The day of a meeting, or the day a joint action was carried out (else planned)."""
    if isinstance(record, Meeting):
        return record.date
    return record.done_on or record.planned_on


def record_title(record) -> str:
    """A joint action's title; a meeting's kind and day ("Workshop of 12 May 2026")."""
    if isinstance(record, JointAction):
        return record.title
    return _("%(kind)s of %(day)s") % {
        "kind": record.get_kind_display().capitalize(),
        "day": date_format(record.date, "j E Y"),
    }


def record_text(record) -> str:
    """What the record says of itself: a meeting's summary, a joint action's description."""
    return record.summary if isinstance(record, Meeting) else record.description


def kind_label(practice) -> str:
    if practice.meeting_id:
        return practice.meeting.get_kind_display()
    return str(dict(KIND_CHOICES)[JOINT_ACTION])


def stage_text(rank: int) -> str:
    """The stage rank said as the card says a stage reached ("stage 4 of 7 reached: …")."""
    return progress.stage_text_of(rank)


def sectors(practice) -> list[str]:
    """The sectors of the partners present at the meeting or involved in the action, in the
    order of the sector list (needs `for_list()`'s prefetch)."""
    record = record_of(practice)
    partners = (
        record.partners_present.all() if isinstance(record, Meeting) else record.partners.all()
    )
    present = {partner.sector for partner in partners}
    return [str(sector.label) for sector in Sector if sector.value in present]


def photo_choices(record):
    """The photos a practice of `record` may show: the meeting's own photos; for a joint
    action, the photos of the meetings of its partnership (newest meeting first)."""
    photos = MeetingAttachment.objects.filter(content_type__in=PHOTO_TYPES).select_related(
        "meeting"
    )
    if isinstance(record, Meeting):
        return photos.filter(meeting=record).order_by("pk")
    return photos.filter(meeting__partnership_id=record.partnership_id).order_by(
        "-meeting__date", "pk"
    )


# ----- Reads for the pages -----


def _record_day_sql():
    return Coalesce(F("meeting__date"), F("joint_action__done_on"), F("joint_action__planned_on"))


class _StageOnTheDay(progress._StageRank):
    """The rank of the stage the practice's partnership had reached on its record's day:
    progress's own SQL of the stage reached, with the partnership and the day taken from the
    practice's row instead of a partnership's row and a fixed day."""

    def __init__(self):
        Func.__init__(self, F("partnership_id"), Value(None), Value(None), _record_day_sql())


def for_list(queryset, user):
    """Practices with what their lists, pages and export show, in a fixed number of queries:
    the record, library, voivodeship, round and photo (one query), the partners' sectors (one
    prefetch each for meetings and actions), `record_day`, `stage_rank` (the partnership's
    stage on that day) and `card_visible` (whether `user` may open the partnership's card)."""
    sector_only = Partner.objects.only("pk", "sector")
    return queryset.select_related(
        "partnership__library__voivodeship",
        "partnership__round",
        "meeting",
        "joint_action",
        "photo",
        "marked_by",
    ).prefetch_related(
        Prefetch("meeting__partners_present", queryset=sector_only),
        Prefetch("joint_action__partners", queryset=sector_only),
    ).annotate(
        record_day=_record_day_sql(),
        stage_rank=_StageOnTheDay(),
        card_visible=Exists(
            Partnership.objects.visible_to(user).filter(pk=OuterRef("partnership_id"))
        ),
    )


def with_sector(queryset, sector: str):
    """Practices whose meeting had a partner of `sector` present, or whose action involved one."""
    present = Meeting.partners_present.through.objects.filter(
        meeting_id=OuterRef("meeting_id"), partner__sector=sector
    )
    involved = JointAction.partners.through.objects.filter(
        jointaction_id=OuterRef("joint_action_id"), partner__sector=sector
    )
    return queryset.filter(Q(Exists(present)) | Q(Exists(involved)))


def search(queryset, text: str):
    """Practices whose why, meeting summary, action title or description, library or gmina
    contain `text`."""
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(why__icontains=text)
        | Q(meeting__summary__icontains=text)
        | Q(joint_action__title__icontains=text)
        | Q(joint_action__description__icontains=text)
        | Q(partnership__library__name__icontains=text)
        | Q(partnership__library__gmina__icontains=text)
    )


# ----- Writes -----


def _check_photo(record, photo):
    if photo is not None and not photo_choices(record).filter(pk=photo.pk).exists():
        if isinstance(record, Meeting):
            raise PracticeError(_("The photo must be one of the photos of this meeting."))
        raise PracticeError(
            _("The photo must be one of the photos of this partnership's meetings.")
        )


def _check_why(why: str) -> str:
    why = (why or "").strip()
    if not why:
        raise PracticeError(_("Write a few lines on why it worked."))
    if len(why) > WHY_MAX_LENGTH:
        raise PracticeError(
            _("Write at most %(limit)d characters on why it worked.") % {"limit": WHY_MAX_LENGTH}
        )
    return why


def _locked(record):
    """The record again, its row locked: two people marking it at once are served in turn."""
    return type(record).objects.select_for_update().select_related("partnership").get(
        pk=record.pk
    )


def already_marked_message(record) -> str:
    if isinstance(record, Meeting):
        return _("This meeting is already marked as a good practice.")
    return _("This joint action is already marked as a good practice.")


@transaction.atomic
def practice_mark(*, record, why, photo=None, by) -> GoodPractice:
    """Mark `record` (a Meeting or a JointAction carried out) as a good practice of its
    partnership, with `why` it worked and an optional `photo` (`photo_choices`). Only those who
    may edit the partnership (PermissionDenied); a record already marked, an action not carried
    out, an empty `why` or a photo from elsewhere: PracticeError, nothing saved."""
    if not isinstance(record, Meeting | JointAction):
        raise TypeError("A good practice is a meeting or a joint action.")
    record = _locked(record)
    if not may_mark(by, record):
        raise PermissionDenied
    if isinstance(record, JointAction) and record.status != JointActionStatus.DONE:
        raise PracticeError(
            _("Only a joint action carried out can be marked as a good practice.")
        )
    why = _check_why(why)
    _check_photo(record, photo)
    field = "meeting" if isinstance(record, Meeting) else "joint_action"
    if GoodPractice.objects.filter(**{field: record}).exists():
        raise PracticeError(already_marked_message(record))
    practice = GoodPractice(
        partnership=record.partnership, why=why, photo=photo, marked_by=by, **{field: record}
    )
    practice._history_user = by
    try:
        with transaction.atomic():
            practice.save()
    except IntegrityError:  # marked by someone else at the same moment
        raise PracticeError(already_marked_message(record)) from None
    return practice


@transaction.atomic
def practice_update(*, practice, why, photo=None, by) -> GoodPractice:
    """Correct why it worked and the photo; by the one who marked it or the staff."""
    if not may_change(by, practice):
        raise PermissionDenied
    practice.why = _check_why(why)
    _check_photo(record_of(practice), photo)
    practice.photo = photo
    practice._history_user = by
    practice.save(update_fields=["why", "photo"])
    return practice


@transaction.atomic
def practice_remove(*, practice, by) -> None:
    """The record is no longer a good practice (the record itself stays); by the one who
    marked it or the staff. The history keeps what it said."""
    if not may_change(by, practice):
        raise PermissionDenied
    practice._history_user = by
    practice.delete()


@transaction.atomic
def practice_feature(*, practice, featured: bool, by) -> GoodPractice:
    """Feature the practice (or no longer): the experts and the coordinator."""
    if not may_feature(by):
        raise PermissionDenied
    if practice.featured != bool(featured):
        practice.featured = bool(featured)
        practice._history_user = by
        practice.save(update_fields=["featured"])
    return practice
