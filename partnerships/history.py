"""The change history of a partnership, read for people, and a deleted meeting restored.

Every create, change and delete of the audited models (partnerships, assignments, partners,
meetings and their attachments, milestones, agreements, joint actions; libraries and animators
too) is recorded by django-simple-history: a historical row per save or delete, with
`history_user` (the signed-in user, set by `HistoryRequestMiddleware`; empty for commands),
`history_date`, `history_type` ("+" created, "~" changed, "-" deleted), and the
many-to-many fields as they stood (partners present, signatories, partners of an action).
A write with `QuerySet.update()` or `bulk_create()` leaves no record: the audited models are
written only through `save()` and `delete()` (tests/partnerships/test_history.py checks the
source).

What people read is made of entries: one entry is one person's change of one thing. A form
saved once writes several historical rows (the meeting, then its partners present), and a
corrected meeting withdraws and records again the milestone it proves; the rows of one thing
by one person within `BURST` are folded into one entry, its old values those before the first
row and its new values those after the last (a milestone is one thing per stage, so a
milestone withdrawn and recorded again the same is no change at all). A save that changed
nothing visible is no entry.

Cost: a fixed number of queries whatever the size of the history — one UNION of the history
tables for the page of rows (and one count for the paginator), one query per history table
for those rows and the versions before them, and one UNION for their many-to-many rows.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerships import services
from partnerships.models import (
    Agreement,
    AgreementKind,
    Assignment,
    JointAction,
    Meeting,
    MeetingAttachment,
    Milestone,
    Partner,
    Partnership,
    Stage,
)
from partnerships.progress import StageOrderError

# Rows of one thing by one person this close together are one change (one form saved).
BURST = datetime.timedelta(seconds=10)
# How many entries the card shows, and how many rows it reads to make them.
CARD_ENTRIES = 10
CARD_ROWS = 40
# The change reason written on the rows of a restored meeting.
RESTORED = "restored"
# A history id that never exists: every query below runs even when a table has no row on the
# page, so a page costs the same number of queries whatever it shows.
NO_ROW = 0


def _day(value) -> str:
    return formats.date_format(value, "j E Y") if value else "—"


def _person(user) -> str:
    return (user.get_full_name() or user.email) if user is not None else _("system")


@dataclass(frozen=True)
class Source:
    """One audited model as its history is shown: which of its rows belong to a partnership,
    what the entry says (`texts` by history type, with the placeholders of `subject`), and
    which related rows its values need (joined, never one query per row)."""

    model: type
    scope: Callable[[int], Q]
    texts: dict
    subject: Callable = lambda record: {}
    key: Callable = lambda record: record.id
    related: tuple = ()
    m2m: str = ""

    @property
    def history(self):
        return self.model.history.model

    @property
    def m2m_history(self):
        if not self.m2m:
            return None
        name = f"Historical{self.model.__name__}_{self.m2m}"
        return apps.get_model(self.model._meta.app_label, name)

    @property
    def fields(self):
        """The fields a change is shown by: those a person edits, not the partnership."""
        return [
            f
            for f in self.model._meta.fields
            if f.editable and not f.primary_key and f.name != "partnership"
        ]


def _in_partnership(partnership_id):
    return Q(partnership_id=partnership_id)


def _attachments_of(partnership_id):
    meetings = Meeting.history.filter(partnership_id=partnership_id).order_by().values("id")
    return Q(meeting_id__in=Subquery(meetings))


def _label(choices, value):
    try:
        return choices(value).label
    except ValueError:
        return value


SOURCES = [
    Source(
        Partnership,
        scope=lambda pk: Q(id=pk),
        texts={
            "+": gettext_lazy("created the partnership"),
            "~": gettext_lazy("Partnership: changed %(fields)s"),
            "-": gettext_lazy("deleted the partnership"),
        },
        related=("library", "round"),
    ),
    Source(
        Assignment,
        scope=_in_partnership,
        texts={
            "+": gettext_lazy("assigned %(animator)s"),
            "~": gettext_lazy("Assignment of %(animator)s: changed %(fields)s"),
            "-": gettext_lazy("deleted the assignment of %(animator)s"),
        },
        subject=lambda r: {"animator": str(r.animator) if r.animator else "—"},
        related=("animator__user", "assigned_by", "ended_by"),
    ),
    Source(
        Partner,
        scope=_in_partnership,
        texts={
            "+": gettext_lazy("added the partner “%(name)s”"),
            "~": gettext_lazy("Partner “%(name)s”: changed %(fields)s"),
            "-": gettext_lazy("deleted the partner “%(name)s”"),
        },
        subject=lambda r: {"name": r.name},
    ),
    Source(
        Meeting,
        scope=_in_partnership,
        texts={
            "+": gettext_lazy("logged the meeting of %(date)s"),
            "~": gettext_lazy("Meeting of %(date)s: changed %(fields)s"),
            "-": gettext_lazy("deleted the meeting of %(date)s"),
            RESTORED: gettext_lazy("restored the meeting of %(date)s"),
        },
        subject=lambda r: {"date": formats.date_format(r.date, "j E")},
        related=("logged_by",),
        m2m="partners_present",
    ),
    Source(
        MeetingAttachment,
        scope=_attachments_of,
        texts={
            "+": gettext_lazy("attached the file “%(name)s”"),
            "~": gettext_lazy("File “%(name)s”: changed %(fields)s"),
            "-": gettext_lazy("deleted the file “%(name)s”"),
        },
        subject=lambda r: {"name": r.original_name},
        related=("meeting", "uploaded_by"),
    ),
    Source(
        Milestone,
        scope=_in_partnership,
        texts={
            "+": gettext_lazy("recorded the stage “%(stage)s”"),
            "~": gettext_lazy("Stage “%(stage)s”: changed %(fields)s"),
            "-": gettext_lazy("withdrew the stage “%(stage)s”"),
        },
        subject=lambda r: {"stage": _label(Stage, r.stage)},
        # One milestone per stage: withdrawn and recorded again is a change of that stage.
        key=lambda r: r.stage,
        related=("meeting", "agreement", "recorded_by"),
    ),
    Source(
        Agreement,
        scope=_in_partnership,
        texts={
            "+": gettext_lazy("recorded the formalisation: %(kind)s of %(date)s"),
            "~": gettext_lazy("Formalisation (%(kind)s): changed %(fields)s"),
            "-": gettext_lazy("deleted the formalisation: %(kind)s of %(date)s"),
        },
        subject=lambda r: {
            "kind": _label(AgreementKind, r.kind),
            "date": formats.date_format(r.signed_on, "j E"),
        },
        # One agreement per partnership.
        key=lambda r: r.partnership_id,
        related=("recorded_by",),
        m2m="signatories",
    ),
    Source(
        JointAction,
        scope=_in_partnership,
        texts={
            "+": gettext_lazy("added the joint action “%(title)s”"),
            "~": gettext_lazy("Joint action “%(title)s”: changed %(fields)s"),
            "-": gettext_lazy("deleted the joint action “%(title)s”"),
        },
        subject=lambda r: {"title": r.title},
        m2m="partners",
    ),
]


def rows(partnership):
    """All history rows of `partnership` and its records, newest first, as
    (source index, history id, history date): a UNION of the history tables, to page or
    slice (`entries()` makes them readable)."""
    parts = [
        source.history.objects.filter(source.scope(partnership.pk))
        .order_by()
        .values_list(Value(index), "history_id", "history_date")
        for index, source in enumerate(SOURCES)
    ]
    return parts[0].union(*parts[1:], all=True).order_by("-history_date", "-history_id")


@dataclass
class Change:
    """One field of an entry: its label, the value before (None for a record created or
    deleted: then `new` is its value) and after."""

    label: str
    old: str | None
    new: str


@dataclass
class Entry:
    when: datetime.datetime
    who: str
    text: str
    kind: str
    changes: list[Change] = field(default_factory=list)
    # The record was made before the history began: no earlier version to compare with.
    earlier_unknown: bool = False


@dataclass
class _Group:
    source: Source
    kind: str
    first: object
    last: object
    old: object = None


def entries(page_rows) -> list[Entry]:
    """The entries of `page_rows` (from `rows()`), newest first."""
    page_rows = list(page_rows)
    by_source = defaultdict(list)
    for index, history_id, _date in page_rows:
        by_source[index].append(history_id)
    records, previous = {}, {}
    m2m_parts = []
    for index, source in enumerate(SOURCES):
        fetched = _fetch(source, by_source[index] or [NO_ROW])
        for record in fetched:
            records[(index, record.history_id)] = record
            previous[(index, record.history_id)] = record.version_before_id
        if source.m2m:
            m2m_parts.append(_m2m_rows(index, source, [r.history_id for r in fetched] or [NO_ROW]))
    m2m = defaultdict(list)
    for index, history_id, name in m2m_parts[0].union(*m2m_parts[1:], all=True):
        m2m[(index, history_id)].append(name or "—")
    for names in m2m.values():
        names.sort()
    page = [
        records[(index, history_id)]
        for index, history_id, _date in reversed(page_rows)
        if (index, history_id) in records
    ]
    result = []
    for group in _groups(page, records, previous):
        entry = _entry(group, m2m)
        if entry is not None:
            result.append(entry)
    result.sort(key=lambda e: e.when, reverse=True)
    return result


def latest_entries(partnership, limit: int = CARD_ENTRIES) -> list[Entry]:
    """The latest changes of `partnership` and its records, for its card."""
    return entries(rows(partnership)[:CARD_ROWS])[:limit]


def _fetch(source, history_ids):
    """The rows `history_ids` of `source` and the version before each, with
    `version_before_id` (not `previous_id`: a partnership's history rows have that field, its
    link to the previous round's partnership)."""
    model = source.history
    before = (
        model.objects.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    wanted = model.objects.filter(history_id__in=history_ids)
    records = list(
        model.objects.filter(
            Q(history_id__in=history_ids)
            | Q(history_id__in=wanted.annotate(p=Subquery(before)).values("p"))
        )
        .annotate(version_before_id=Subquery(before))
        .select_related("history_user", *source.related)
    )
    for record in records:
        record.source = source
    return records


def _m2m_rows(index, source, history_ids):
    """(source index, history id, partner name) of the many-to-many rows of those versions;
    a partner deleted since is named as their history last knew them."""
    last_name = (
        Partner.history.filter(id=OuterRef("partner_id"))
        .order_by("-history_date", "-history_id")
        .values("name")[:1]
    )
    return (
        source.m2m_history.objects.filter(history_id__in=history_ids)
        .order_by()
        .values_list(
            Value(index),
            "history_id",
            Coalesce(F("partner__name"), Subquery(last_name), output_field=models.CharField()),
        )
    )


def _groups(records_oldest_first, records, previous):
    """Fold the rows of one thing by one person within BURST into groups (see the module)."""
    groups, open_groups = [], {}
    for record in records_oldest_first:
        source = record.source
        index = SOURCES.index(source)
        key = (index, source.key(record), record.history_user_id)
        group = open_groups.get(key)
        recent = group is not None and record.history_date - group.last.history_date <= BURST
        kind = record.history_type
        if kind == "~" and recent and group.kind != "-":
            group.last = record
            continue
        if (
            kind == "+"
            and recent
            and group.kind == "-"
            and record.history_change_reason != RESTORED
        ):
            # Withdrawn and recorded again (a milestone): a change from what was withdrawn.
            group.kind, group.old, group.last = "~", group.last, record
            continue
        group = _Group(source=source, kind=kind, first=record, last=record)
        if kind in ("~", "-"):
            # A deletion's row has no many-to-many rows left: they come from the version before.
            group.old = records.get((index, previous[(index, record.history_id)]))
        groups.append(group)
        open_groups[key] = group
    return groups


def _value(source, record, f, m2m):
    """A field of a historical row as a person reads it."""
    if f.many_to_many:
        names = m2m.get((SOURCES.index(source), record.history_id), [])
        return ", ".join(names) or "—"
    raw = getattr(record, f.attname)
    if raw is None or raw == "":
        return "—"
    if isinstance(f, models.ForeignKey):
        try:
            related = getattr(record, f.name)
        except ObjectDoesNotExist:
            related = None
        if related is None:
            return _("deleted (no. %(id)s)") % {"id": raw}
        if f.related_model._meta.label == "auth.User":
            return _person(related)
        return str(related)
    if f.choices:
        return str(dict(f.flatchoices).get(raw, raw))
    if isinstance(f, models.FileField):
        return str(raw).rsplit("/", 1)[-1]
    if isinstance(f, models.BooleanField):
        return _("yes") if raw else _("no")
    if isinstance(f, models.DateTimeField):
        return formats.date_format(timezone.localtime(raw), "j E Y, H:i")
    if isinstance(f, models.DateField):
        return _day(raw)
    return str(raw)


def _fields(source):
    m2m = [source.model._meta.get_field(source.m2m)] if source.m2m else []
    return [*source.fields, *m2m]


def _entry(group, m2m) -> Entry | None:
    source, last = group.source, group.last
    kind = group.kind
    changes, earlier_unknown = [], False
    if kind == "~" and group.old is None:
        earlier_unknown = True
    elif kind == "~":
        for f in _fields(source):
            old, new = _value(source, group.old, f, m2m), _value(source, last, f, m2m)
            if old != new:
                changes.append(Change(capfirst(f.verbose_name), old, new))
        if not changes:
            return None
    else:
        for f in _fields(source):
            value = _value(source, last, f, m2m)
            if value == "—" and f.many_to_many and group.old is not None:
                value = _value(source, group.old, f, m2m)
            if value != "—":
                changes.append(Change(capfirst(f.verbose_name), None, value))
    text_key = RESTORED if group.first.history_change_reason == RESTORED else kind
    text = source.texts.get(text_key, source.texts[kind])
    if kind == "~":
        # A record made before the history began has no earlier version to compare with:
        # its first change reads "changed", with no fields named.
        fields = ", ".join(str(c.label) for c in changes)
        text = (text % {**source.subject(last), "fields": fields}).strip()
    else:
        text = text % source.subject(last)
    return Entry(
        when=last.history_date,
        who=_person(group.first.history_user),
        text=capfirst(text),
        kind=kind,
        changes=changes,
        earlier_unknown=earlier_unknown,
    )


# ----- Restoring a deleted meeting (the coordinator, in the admin) -----


class RestoreError(Exception):
    """A meeting that cannot be restored; the message is shown to the user."""


@dataclass
class Restored:
    meeting: Meeting
    partners_missing: int
    attachments_lost: int


@transaction.atomic
def meeting_restore(*, history_id, by) -> Restored:
    """Bring back the meeting whose deletion is the history row `history_id`: its fields as
    they were, the partners present who still exist, then the milestones it proves. Its
    attachments cannot come back (their files were deleted with it)."""
    deleted = (
        Meeting.history.filter(history_id=history_id, history_type="-")
        .select_related("partnership__round")
        .first()
    )
    if deleted is None:
        raise RestoreError(_("There is no such deleted meeting."))
    # The partnership's lock first (as every write of its records): a double click waits,
    # then finds the meeting restored.
    partnership = Partnership.objects.select_for_update().filter(pk=deleted.partnership_id).first()
    if partnership is None:
        raise RestoreError(_("The meeting's partnership no longer exists."))
    if Meeting.objects.filter(pk=deleted.id).exists():
        raise RestoreError(_("This meeting has already been restored."))
    round_ = partnership.round
    if not round_.start <= deleted.date <= round_.end:
        raise RestoreError(_("The meeting's date is no longer inside its round."))
    before = (
        Meeting.history.filter(id=deleted.id, history_date__lte=deleted.history_date)
        .exclude(history_type="-")
        .order_by("-history_date", "-history_id")
        .first()
    )
    present_ids = set(
        before.partners_present.values_list("partner_id", flat=True) if before else []
    )
    present = list(Partner.objects.filter(partnership=partnership, pk__in=present_ids))

    meeting = deleted.instance
    meeting._history_user = by
    meeting._change_reason = RESTORED
    meeting.save(force_insert=True)
    # `created_at` is set on insert; it keeps when the meeting was first logged.
    meeting.created_at = deleted.created_at
    meeting.save(update_fields=["created_at"])
    meeting.partners_present.set(present)
    try:
        services.milestones_record_from_facts(partnership=partnership, by=by)
    except StageOrderError as error:  # the whole restore is rolled back
        raise RestoreError(str(error)) from error
    attachments = (
        MeetingAttachment.history.filter(meeting_id=deleted.id, history_type="-")
        .values("id")
        .distinct()
        .count()
    )
    return Restored(
        meeting=meeting,
        partners_missing=len(present_ids) - len(present),
        attachments_lost=attachments,
    )


def deleted_meetings():
    """The meetings deleted and not restored: the last history row of each, a deletion."""
    return (
        Meeting.history.latest_of_each()
        .filter(history_type="-")
        .select_related("partnership__library", "history_user")
        .order_by("-history_date", "-history_id")
    )
