"""The round report: one XLSX workbook with a sheet per view of the round — partnerships (stage,
status, animator, expert), meetings, partners, agreements, joint actions — a summary per
voivodeship (partnerships by status), and the sustainability check of each partnership
(partnerships/lasting.py). Downloaded from the admin (the round's page, or the action
on the list of rounds) by the coordinator and the experts.

A fixed number of queries whatever the size of the round: the partnerships with their progress
as annotations, then one query per sheet (and one per related list shown in a cell).
"""

from collections import Counter

import tablib
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from libraries.models import Voivodeship
from partnerships import lasting
from partnerships.models import Agreement, JointAction, Meeting, Partner, Partnership, Status
from partnerships.progress import lasting_annotations
from partnerships.resources import (
    AGREEMENT_COLUMNS,
    JOINT_ACTION_COLUMNS,
    MEETING_COLUMNS,
    PARTNER_COLUMNS,
    PARTNERSHIP_COLUMNS,
)
from prb_partnerships.collation import polish
from prb_partnerships.importexport import filename_slug
from prb_partnerships.roles import sees_everything
from prb_partnerships.spreadsheets import file_response


def _cell(value):
    """Lazy translations become text; dates stay dates (date cells in the workbook)."""
    if value is None or isinstance(value, str | int | float) or hasattr(value, "isoformat"):
        return value
    return str(value)


def _sheet(model, columns, objects) -> tablib.Dataset:
    sheet = tablib.Dataset(
        headers=[str(header) for header, _value in columns],
        title=str(capfirst(model._meta.verbose_name_plural))[:31],
    )
    for obj in objects:
        sheet.append([_cell(value(obj)) for _header, value in columns])
    return sheet


def _records(model, round_, order=(), prefetch=()):
    """The records of the round's partnerships, by library (in Polish order), then `order`."""
    return (
        model.objects.filter(partnership__round=round_)
        .select_related("partnership__library")
        .prefetch_related(*prefetch)
        .annotate(library_sort=polish("partnership__library__name"))
        .order_by("library_sort", "partnership__pk", *order, "pk")
    )


def _summary(partnerships, agreements) -> tablib.Dataset:
    """Per voivodeship: partnerships by status, meetings, partners and agreements; a total."""
    statuses = list(Status)
    headers = [
        capfirst(Voivodeship._meta.verbose_name),
        capfirst(Partnership._meta.verbose_name_plural),
        *[capfirst(status.label) for status in statuses],
        capfirst(Meeting._meta.verbose_name_plural),
        capfirst(Partner._meta.verbose_name_plural),
        capfirst(Agreement._meta.verbose_name_plural),
    ]
    sheet = tablib.Dataset(
        headers=[str(h) for h in headers],
        title=str(capfirst(Voivodeship._meta.verbose_name_plural))[:31],
    )
    counts = Counter()
    for p in partnerships:
        code = p.library.voivodeship_id
        counts[code, "all"] += 1
        counts[code, p.status] += 1
        counts[code, "meetings"] += p.meetings_count
        counts[code, "partners"] += p.partners_count
    for agreement in agreements:
        counts[agreement.partnership.library.voivodeship_id, "agreements"] += 1
    keys = ["all", *[s.value for s in statuses], "meetings", "partners", "agreements"]
    total = Counter()
    for voivodeship in Voivodeship.objects.order_by("code"):
        row = [counts[voivodeship.code, key] for key in keys]
        total.update(dict(zip(keys, row, strict=True)))
        sheet.append([voivodeship.name, *row])
    sheet.append([_("Total"), *[total[key] for key in keys]])
    return sheet


def round_report(round_, *, as_of=None) -> tablib.Databook:
    """The report of `round_` as it stood on `as_of` (default today, within the round)."""
    as_of = round_.clamp(as_of or timezone.localdate())
    partnerships = list(
        Partnership.objects.filter(round=round_)
        .with_progress(as_of)
        .annotate(**lasting_annotations(as_of))
        .with_activity(as_of)
        .select_related("library__voivodeship", "round")
        .annotate(library_sort=polish("library__name"))
        .order_by("library_sort", "pk")
    )
    meetings = _records(Meeting, round_, ["date"], ["partners_present"]).select_related(
        "logged_by"
    )
    agreements = list(_records(Agreement, round_, prefetch=["signatories"]))
    actions = _records(JointAction, round_, ["planned_on"], ["partners"])
    return tablib.Databook(
        [
            _sheet(Partnership, PARTNERSHIP_COLUMNS, partnerships),
            _sheet(Meeting, MEETING_COLUMNS, meetings),
            _sheet(Partner, PARTNER_COLUMNS, _records(Partner, round_, ["name"])),
            _sheet(Agreement, AGREEMENT_COLUMNS, agreements),
            _sheet(JointAction, JOINT_ACTION_COLUMNS, actions),
            _summary(partnerships, agreements),
            lasting.report_sheet(partnerships),
        ]
    )


def round_report_response(round_) -> HttpResponse:
    """The workbook, written so that no cell runs as a formula (prb_partnerships.spreadsheets)."""
    name = f"raport-{filename_slug(round_.name)}-{timezone.localdate():%Y-%m-%d}"
    return file_response(round_report(round_), "xlsx", name)


class RoundReportMixin:
    """For RoundAdmin: the report at <round>/report/, linked from the round's page, and the
    action "Download the round report" on the list; for the coordinator and the experts."""

    actions = ["download_report"]

    def has_report_permission(self, request, obj=None):
        return sees_everything(request.user) and self.has_view_permission(request, obj)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/report/",
                self.admin_site.admin_view(self.report_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_report",
            ),
            *super().get_urls(),
        ]

    def report_view(self, request, object_id):
        round_ = self.get_object(request, object_id)
        if round_ is None:
            raise Http404
        if not self.has_report_permission(request, round_):
            raise PermissionDenied
        return round_report_response(round_)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_report_permission": self.has_report_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=gettext_lazy("Download the round report"), permissions=["report"])
    def download_report(self, request, queryset):
        rounds = list(queryset[:2])
        if len(rounds) != 1:
            self.message_user(request, _("Choose one round for the report."), messages.WARNING)
            return None
        return round_report_response(rounds[0])
