from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from animators.models import Animator
from partnerships import services
from partnerships.forms import AssignmentForm, RoundDateMixin
from partnerships.history_admin import HistoryAdmin, MeetingHistoryAdmin
from partnerships.models import (
    Agreement,
    Assignment,
    JointAction,
    Meeting,
    MeetingAttachment,
    Milestone,
    Partner,
    Partnership,
    Round,
    SentDigest,
    SentReminder,
    Stage,
    Status,
)
from partnerships.report import RoundReportMixin
from partnerships.resources import (
    AgreementResource,
    AssignmentResource,
    JointActionResource,
    MeetingResource,
    MilestoneResource,
    PartnerResource,
    PartnershipResource,
    RoundResource,
)
from prb_partnerships.importexport import SpreadsheetExportMixin, SpreadsheetImportExportMixin
from prb_partnerships.roles import Role


def _active_assignment_of(assignment_to, **lookups):
    """Exists: an active assignment of the listed object (`assignment_to` is the path from an
    assignment to it) matching `lookups`."""
    return Exists(Assignment.objects.active().filter(**{assignment_to: OuterRef("pk")}, **lookups))


class RecordsMilestonesMixin:
    """After a record of a partnership is saved, the milestones its facts prove follow."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.milestones_record_from_facts(
            partnership=form.instance.partnership, by=request.user
        )


class StageFilter(admin.SimpleListFilter):
    """By the stage reached: the `stage_rank` annotation of `with_progress()`."""

    title = _("stage")
    parameter_name = "stage"

    def lookups(self, request, model_admin):
        return [("0", _("not started yet"))] + [(str(s.rank), s.label) for s in Stage]

    def queryset(self, request, queryset):
        if self.value() in {str(rank) for rank in range(len(Stage) + 1)}:
            return queryset.filter(stage_rank=int(self.value()))
        return queryset


class StatusFilter(admin.SimpleListFilter):
    """By the `status` annotation of `with_progress()`."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        if self.value() in Status.values:
            return queryset.filter(status=self.value())
        return queryset


class AnimatorFilter(admin.SimpleListFilter):
    """By the animator of the active assignment (ended ones are history)."""

    title = _("animator")
    parameter_name = "animator"
    assignment_to = "partnership"

    def lookups(self, request, model_admin):
        return [(a.pk, str(a)) for a in Animator.objects.select_related("user")]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(
                _active_assignment_of(self.assignment_to, animator_id=int(self.value()))
            )
        return queryset


class ExpertFilter(admin.SimpleListFilter):
    """By the expert who supervises the animator of the active assignment."""

    title = _("CAL expert")
    parameter_name = "expert"
    assignment_to = "partnership"

    def lookups(self, request, model_admin):
        experts = get_user_model().objects.filter(groups__name=Role.EXPERT).order_by("last_name")
        return [(u.pk, u.get_full_name() or u.email) for u in experts]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(
                _active_assignment_of(self.assignment_to, animator__expert_id=int(self.value()))
            )
        return queryset


class AssignmentAnimatorFilter(AnimatorFilter):
    """On the list of assignments: every assignment of the animator, ended ones too."""

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(animator_id=int(self.value()))
        return queryset


def stamp_author(obj, user):
    """Who logged a meeting (when it is created) or last recorded a milestone or an agreement,
    as the services do."""
    if isinstance(obj, Meeting) and obj.pk is None:
        obj.logged_by = user
    elif isinstance(obj, Milestone | Agreement):
        obj.recorded_by = user


class DateInsideRoundForm(RoundDateMixin, forms.ModelForm):
    """The date of a meeting or a milestone lies inside the partnership's round: said next to
    the field (the database trigger that holds the rule would otherwise end the request with
    an error). Unlike the card, the admin may record a date ahead, to correct data."""

    date_field = ""

    def clean(self):
        cleaned = super().clean()
        self.partnership = cleaned.get("partnership")
        if self.partnership and cleaned.get(self.date_field):
            try:
                self.check_day(self.date_field, cleaned[self.date_field], allow_future=True)
            except ValidationError as error:
                self.add_error(self.date_field, error)
        return cleaned


class MeetingAdminForm(DateInsideRoundForm):
    date_field = "date"


class MilestoneAdminForm(DateInsideRoundForm):
    date_field = "reached_on"


class AgreementDocumentMixin:
    """The scan is uploaded on the partnership card, which checks the file; the admin links to
    the download that checks access."""

    @admin.display(description=_("scanned document"))
    def document_link(self, obj):
        if obj is None or not obj.document:
            return "—"
        url = reverse("partnerships:agreement_document", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.document.name.rsplit("/", 1)[-1])


class AssignmentInline(admin.TabularInline):
    """The assignment history: read-only; assign through the action, which keeps it whole."""

    model = Assignment
    extra = 0
    fields = ["animator", "assigned_at", "assigned_by", "reason", "ended_at", "ended_by"]
    readonly_fields = fields
    ordering = ["-assigned_at", "-pk"]
    verbose_name_plural = _("assignment history")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("partnership__library", "animator__user", "assigned_by", "ended_by")
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PartnerInline(admin.TabularInline):
    model = Partner
    extra = 0
    fields = ["name", "sector", "contact_person", "phone", "joined_on", "left_on"]


class MeetingInline(admin.TabularInline):
    """Meetings in short; a meeting is deleted on its own page, which also withdraws the
    milestones it alone proved."""

    model = Meeting
    form = MeetingAdminForm
    extra = 0
    fields = ["date", "kind", "participants", "summary", "next_meeting_on"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}
    show_change_link = True
    can_delete = False


class MilestoneInline(admin.TabularInline):
    model = Milestone
    form = MilestoneAdminForm
    extra = 0
    fields = ["stage", "reached_on", "meeting", "agreement", "note"]
    readonly_fields = ["meeting", "agreement"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 1})}}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("meeting", "agreement")


class AgreementInline(AgreementDocumentMixin, admin.StackedInline):
    model = Agreement
    extra = 0
    max_num = 1
    fields = ["kind", "signed_on", "signatories", "signatories_note", "document_link"]
    readonly_fields = ["document_link"]
    filter_horizontal = ["signatories"]

    def get_formset(self, request, obj=None, **kwargs):
        """Signatories are chosen among the partners of this partnership."""
        formset = super().get_formset(request, obj, **kwargs)
        signatories = formset.form.base_fields["signatories"]
        signatories.queryset = obj.partners.all() if obj else Partner.objects.none()
        return formset


class JointActionInline(admin.TabularInline):
    model = JointAction
    extra = 0
    fields = ["title", "planned_on", "status", "done_on", "participants_reached"]


@admin.register(Round)
class RoundAdmin(RoundReportMixin, SpreadsheetExportMixin, admin.ModelAdmin):
    resource_classes = [RoundResource]
    list_display = ["name", "start", "end"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "start", "end"]}),
        (_("Stage deadlines"), {"fields": [f"deadline_{s.value}" for s in Stage]}),
    ]


@admin.register(Partnership)
class PartnershipAdmin(SpreadsheetExportMixin, HistoryAdmin):
    resource_classes = [PartnershipResource]
    list_display = [
        "library_name",
        "voivodeship",
        "round",
        "animator",
        "stage_display",
        "status_display",
        "last_meeting",
    ]
    list_filter = [
        "library__voivodeship",
        StageFilter,
        StatusFilter,
        AnimatorFilter,
        ExpertFilter,
        "round",
    ]
    list_select_related = ["library__voivodeship", "round"]
    search_fields = ["library__name", "library__gmina", "library__town", "library__terc", "name"]
    autocomplete_fields = ["library", "round"]
    inlines = [
        AssignmentInline,
        PartnerInline,
        MeetingInline,
        MilestoneInline,
        AgreementInline,
        JointActionInline,
    ]
    actions = ["assign_animator"]
    fields = ["library", "round", "name", "withdrawn_on", "withdrawal_reason"]

    def get_queryset(self, request):
        """Stage and status as of today, the last meeting and the active animator's name: all
        annotations, so the list costs the same few queries however long it is. Joined here
        (not only in the list) as the change page shows the library and round too."""
        return (
            super()
            .get_queryset(request)
            .select_related(*self.list_select_related)
            .with_progress()
            .with_activity()
        )

    @admin.display(description=_("library"), ordering="library__name")
    def library_name(self, obj):
        return obj.library.name

    @admin.display(description=_("voivodeship"), ordering="library__voivodeship__name")
    def voivodeship(self, obj):
        return obj.library.voivodeship.name

    @admin.display(description=_("animator"), ordering="animator_name")
    def animator(self, obj):
        return obj.animator_name or "—"

    @admin.display(description=_("stage"), ordering="stage_rank")
    def stage_display(self, obj):
        return f"{obj.stage_rank}. {obj.stage.label}" if obj.stage else _("not started yet")

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj):
        return Status(obj.status).label

    @admin.display(description=_("last meeting"), ordering="last_meeting_on")
    def last_meeting(self, obj):
        return obj.last_meeting_on or "—"

    def has_delete_permission(self, request, obj=None):
        return False  # a partnership is withdrawn, never deleted

    def has_assign_permission(self, request):
        return request.user.has_perm("partnerships.add_assignment")

    def save_formset(self, request, form, formset, change):
        changed = [f.instance for f in formset.forms if f.has_changed()]
        for instance in changed:
            stamp_author(instance, request.user)
        super().save_formset(request, form, formset, change)
        # A meeting or an agreement corrected here proves its milestone anew (save_related).
        evidence = {Meeting: "meeting", Agreement: "agreement"}.get(formset.model)
        if evidence:
            saved = [instance.pk for instance in changed if instance.pk]
            Milestone.objects.filter(**{f"{evidence}__in": saved}).delete()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.milestones_record_from_facts(partnership=form.instance, by=request.user)

    @admin.action(description=_("Assign an animator"), permissions=["assign"])
    def assign_animator(self, request, queryset):
        """Assign one animator to the selected partnerships, with a reason; the previous
        assignments end and stay in the history. All or nothing, in one transaction."""
        partnerships = list(queryset)
        form = AssignmentForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            animator = form.cleaned_data["animator"]
            try:
                with transaction.atomic():
                    for partnership in partnerships:
                        services.assignment_create(
                            partnership=partnership,
                            animator=animator,
                            by=request.user,
                            reason=form.cleaned_data["reason"],
                        )
            except services.AssignmentError as error:
                self.message_user(request, str(error), messages.ERROR)
                return None
            self.message_user(
                request,
                ngettext(
                    "%(animator)s now supports %(count)d partnership.",
                    "%(animator)s now supports %(count)d partnerships.",
                    len(partnerships),
                )
                % {"animator": animator, "count": len(partnerships)},
                messages.SUCCESS,
            )
            return None
        return render(
            request,
            "admin/partnerships/partnership/assign_animator.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Assign an animator"),
                "opts": self.model._meta,
                "partnerships": partnerships,
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Assignment)
class AssignmentAdmin(SpreadsheetImportExportMixin, HistoryAdmin):
    resource_classes = [AssignmentResource]
    list_display = ["partnership", "animator", "assigned_at", "assigned_by", "ended_at", "reason"]
    list_filter = [
        "partnership__round",
        ("ended_at", admin.EmptyFieldListFilter),
        AssignmentAnimatorFilter,
    ]
    list_select_related = [
        "partnership__library",
        "partnership__round",
        "animator__user",
        "assigned_by",
    ]
    search_fields = ["partnership__library__name", "animator__user__last_name", "reason"]
    date_hierarchy = "assigned_at"
    readonly_fields = [
        "partnership",
        "animator",
        "assigned_at",
        "assigned_by",
        "ended_at",
        "ended_by",
    ]

    def has_add_permission(self, request):
        return False  # through the action "Assign an animator" on partnerships

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Partner)
class PartnerAdmin(SpreadsheetExportMixin, HistoryAdmin):
    resource_classes = [PartnerResource]
    list_display = ["name", "sector", "library", "contact_person", "joined_on", "left_on"]
    list_filter = ["sector", "partnership__library__voivodeship", "partnership__round"]
    list_select_related = ["partnership__library"]
    search_fields = ["name", "contact_person", "partnership__library__name"]
    autocomplete_fields = ["partnership"]

    @admin.display(description=_("library"), ordering="partnership__library__name")
    def library(self, obj):
        return obj.partnership.library.name


class MeetingAttachmentInline(admin.TabularInline):
    model = MeetingAttachment
    extra = 0
    fields = ["download", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, obj):
        url = reverse("partnerships:attachment_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(RecordsMilestonesMixin, SpreadsheetExportMixin, MeetingHistoryAdmin):
    resource_classes = [MeetingResource]
    form = MeetingAdminForm
    list_display = ["date", "kind", "library", "participants", "logged_by"]
    list_filter = ["kind", "partnership__library__voivodeship", "partnership__round"]
    list_select_related = ["partnership__library", "logged_by"]
    search_fields = ["partnership__library__name", "summary", "decisions"]
    date_hierarchy = "date"
    autocomplete_fields = ["partnership", "partners_present"]
    readonly_fields = ["logged_by"]
    inlines = [MeetingAttachmentInline]

    @admin.display(description=_("library"), ordering="partnership__library__name")
    def library(self, obj):
        return obj.partnership.library.name

    def save_model(self, request, obj, form, change):
        if change:  # the service works out again the milestones the meeting proved
            services.meeting_update(
                meeting=obj,
                by=request.user,
                fields=form.cleaned_data,
                partners_present=form.cleaned_data["partners_present"],
            )
        else:
            stamp_author(obj, request.user)
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        services.meeting_delete(meeting=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for meeting in queryset.select_related("partnership"):
                services.meeting_delete(meeting=meeting, by=request.user)


@admin.register(Milestone)
class MilestoneAdmin(SpreadsheetExportMixin, HistoryAdmin):
    resource_classes = [MilestoneResource]
    form = MilestoneAdminForm
    list_display = ["partnership", "stage", "reached_on", "recorded_by"]
    list_filter = ["stage", "partnership__round", "partnership__library__voivodeship"]
    list_select_related = ["partnership__library", "partnership__round", "recorded_by"]
    search_fields = ["partnership__library__name", "note"]
    date_hierarchy = "reached_on"
    autocomplete_fields = ["partnership", "meeting", "agreement"]
    readonly_fields = ["recorded_by"]

    def save_model(self, request, obj, form, change):
        stamp_author(obj, request.user)
        super().save_model(request, obj, form, change)


@admin.register(Agreement)
class AgreementAdmin(
    RecordsMilestonesMixin, AgreementDocumentMixin, SpreadsheetExportMixin, HistoryAdmin
):
    resource_classes = [AgreementResource]
    list_display = ["partnership", "kind", "signed_on"]
    list_filter = ["kind", "partnership__round", "partnership__library__voivodeship"]
    list_select_related = ["partnership__library", "partnership__round"]
    search_fields = ["partnership__library__name", "signatories_note"]
    autocomplete_fields = ["partnership", "signatories"]
    date_hierarchy = "signed_on"
    fields = [
        "partnership",
        "kind",
        "signed_on",
        "signatories",
        "signatories_note",
        "document_link",
        "recorded_by",
    ]
    readonly_fields = ["document_link", "recorded_by"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "partnership"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:  # the service moves the `agreement` milestone with the date signed
            services.agreement_record(
                partnership=obj.partnership,
                by=request.user,
                fields=form.cleaned_data,
                signatories=form.cleaned_data["signatories"],
            )
        else:
            stamp_author(obj, request.user)
            super().save_model(request, obj, form, change)


@admin.register(JointAction)
class JointActionAdmin(RecordsMilestonesMixin, SpreadsheetExportMixin, HistoryAdmin):
    resource_classes = [JointActionResource]
    list_display = [
        "title",
        "partnership",
        "planned_on",
        "status",
        "done_on",
        "participants_reached",
    ]
    list_filter = ["status", "partnership__round", "partnership__library__voivodeship"]
    list_select_related = ["partnership__library", "partnership__round"]
    search_fields = ["title", "partnership__library__name"]
    autocomplete_fields = ["partnership", "partners"]
    date_hierarchy = "planned_on"


class SentRecordAdmin(admin.ModelAdmin):
    """What the reminders and digests sent: a record, read-only (partnerships/notifications.py
    writes it)."""

    date_hierarchy = "sent_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SentReminder)
class SentReminderAdmin(SentRecordAdmin):
    list_display = ["sent_at", "recipient", "library", "kind", "stage", "key"]
    list_filter = ["kind", "stage", "partnership__round"]
    list_select_related = ["recipient", "partnership__library"]
    search_fields = [
        "recipient__email",
        "recipient__last_name",
        "partnership__library__name",
    ]

    @admin.display(description=_("library"), ordering="partnership__library__name")
    def library(self, obj):
        return obj.partnership.library.name


@admin.register(SentDigest)
class SentDigestAdmin(SentRecordAdmin):
    list_display = ["sent_at", "recipient", "week", "partnerships", "late", "quiet", "changes"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__email", "recipient__last_name"]
