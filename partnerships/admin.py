import copy

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from partnerships import practices, services
from partnerships.filters import (
    AnimatorListFilter,
    ExpertListFilter,
    StageListFilter,
    StatusListFilter,
)
from partnerships.forms import AssignmentForm, RoundDateMixin
from partnerships.history_admin import HistoryAdmin, MeetingHistoryAdmin
from partnerships.models import (
    Agreement,
    Assignment,
    GoodPractice,
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
from partnerships.progress import FACT_STAGES, StageOrderError
from partnerships.report import RoundReportMixin, round_report_response
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
from prb_partnerships.admin import (
    CountedAdmin,
    KeptListMixin,
    RecordAdmin,
    person_column,
    record_of_day,
)
from prb_partnerships.importexport import SpreadsheetExportMixin, SpreadsheetImportExportMixin
from prb_partnerships.roles import sees_everything


class _DryRun(Exception):
    pass


def service_refusal(call):
    """Run `call` (a service write) in a transaction that is rolled back: the StageOrderError
    it would raise, or None. The admin's forms ask it so that a refused change is said on the
    form and nothing is saved, as on the card."""
    try:
        with transaction.atomic():
            call()
            raise _DryRun
    except _DryRun:
        return None
    except StageOrderError as error:
        return error
    except DatabaseError:  # a rule the database holds (a date outside the round …)
        return StageOrderError(
            _("Nothing was saved: the change breaks a rule of the programme's data.")
        )


class ThroughServicesMixin:
    """The admin of a partnership's record writes through the services of the card, so the
    same rules, milestones from facts and history apply whichever way a change comes in.

    A subclass gives `save_with_service(request, obj, form)` (returns the saved object) and
    `delete_with_service(request, obj)`. The form is checked with a rolled-back run of the
    service first; a refusal is shown on the form. Deleting several at once from the list is
    off: each deletion is checked on its own page."""

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        model_admin = self

        class ServiceCheckedForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                if not self.errors:
                    draft = copy.copy(self.instance)  # the dry run leaves the form's object be
                    error = service_refusal(
                        lambda: model_admin.save_with_service(request, draft, self)
                    )
                    if error is not None:
                        self.add_error(None, str(error))

        return ServiceCheckedForm

    def save_model(self, request, obj, form, change):
        saved = self.save_with_service(request, obj, form)
        if saved is not obj:  # the service created the record: the admin goes on with it
            obj.pk, obj._state.adding = saved.pk, False

    def save_related(self, request, form, formsets, change):
        # The service has set the related records (partners present, signatories …).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A change made by someone else between the form's check and the save can still be
        # refused by the service: everything is rolled back, and the refusal is said.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StageOrderError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is not None and self.has_delete_permission(request, obj):
                draft = copy.copy(obj)  # a delete empties the object's pk, even rolled back
                error = service_refusal(lambda: self.delete_with_service(request, draft))
                if error is not None:
                    self.message_user(request, str(error), messages.ERROR)
                    return redirect(
                        f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", object_id
                    )
        try:
            return super().delete_view(request, object_id, extra_context)
        except StageOrderError as error:  # refused after the check (a change meanwhile)
            self.message_user(request, str(error), messages.ERROR)
            return redirect(request.get_full_path())

    def delete_model(self, request, obj):
        self.delete_with_service(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class AssignmentAnimatorFilter(AnimatorListFilter):
    """On the list of assignments: every assignment of the animator, ended ones too."""

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(animator_id=int(self.value()))
        return queryset


class PartnershipRecordAdminForm(RoundDateMixin, forms.ModelForm):
    """A record of a partnership in the admin, checked as on the card and said next to the
    field: its date (`date_field`) inside the round and not in the future, and the partners it
    names (`partner_field`) partners of that partnership."""

    date_field = ""
    partner_field = ""

    def clean(self):
        cleaned = super().clean()
        self.partnership = cleaned.get("partnership") or (
            self.instance.partnership if self.instance.partnership_id else None
        )
        if self.partnership is None:
            return cleaned
        if cleaned.get(self.date_field):
            try:
                self.check_day(self.date_field, cleaned[self.date_field])
            except ValidationError as error:
                self.add_error(self.date_field, error)
        others = [
            partner for partner in cleaned.get(self.partner_field) or ()
            if partner.partnership_id != self.partnership.pk
        ]
        if others:
            self.add_error(
                self.partner_field,
                _("Choose partners of this partnership only: %(names)s belong to another.")
                % {"names": ", ".join(str(partner) for partner in others)},
            )
        return cleaned


class MeetingAdminForm(PartnershipRecordAdminForm):
    date_field = "date"
    partner_field = "partners_present"


class MilestoneAdminForm(PartnershipRecordAdminForm):
    date_field = "reached_on"


class AgreementAdminForm(PartnershipRecordAdminForm):
    date_field = "signed_on"
    partner_field = "signatories"


class JointActionAdminForm(PartnershipRecordAdminForm):
    date_field = "done_on"
    partner_field = "partners"


class AgreementDocumentMixin:
    """The scan is uploaded on the partnership card, which checks the file; the admin links to
    the download that checks access."""

    @admin.display(description=_("scanned document"))
    def document_link(self, obj):
        if obj is None or not obj.document:
            return "—"
        url = reverse("partnerships:agreement_document", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.document.name.rsplit("/", 1)[-1])


def _field_label(model, name):
    return model._meta.get_field(name).verbose_name


class EvidenceColumnsMixin:
    """A milestone's meeting and agreement, named with their day in the reader's language."""

    @admin.display(description=_field_label(Milestone, "meeting"))
    def meeting_of_day(self, obj):
        if obj.meeting is None:
            return self.get_empty_value_display()
        return record_of_day(obj.meeting, obj.meeting.date)

    @admin.display(description=_field_label(Milestone, "agreement"))
    def agreement_of_day(self, obj):
        if obj.agreement is None:
            return self.get_empty_value_display()
        return record_of_day(obj.agreement, obj.agreement.signed_on)


class RecordsInline(admin.TabularInline):
    """Records of a partnership (or a meeting) listed read-only, one item each, narrow enough
    for a phone (templates/admin/edit_inline/records.html). With `show_change_link` the first
    field links to the record's own page, where it is changed through the services; `add_text`
    links to the page that adds one to this partnership (`parent_field` filled in)."""

    template = "admin/edit_inline/records.html"
    extra = 0
    can_delete = False
    show_change_link = True
    parent_field = "partnership"
    add_text = None
    single = False  # at most one (the agreement): no link to add another
    none_text = _("None yet.")

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_formset(self, request, obj=None, **kwargs):
        # An inline is made anew for each request: what it links to is this page's.
        self.add_url = self.record_add_url(request, obj)
        return super().get_formset(request, obj, **kwargs)

    def record_add_url(self, request, obj):
        model_admin = self.admin_site._registry.get(self.model)
        if obj is None or not self.add_text or model_admin is None:
            return None
        if not model_admin.has_add_permission(request):
            return None
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_add")
        return f"{url}?{urlencode({self.parent_field: obj.pk})}"


class AssignmentInline(RecordsInline):
    """The assignment history: assign through the action, which keeps it whole."""

    model = Assignment
    fields = ["animator", "assigned_at", "assigned_by_name", "reason", "ended_at",
              "ended_by_name"]
    show_change_link = False
    ordering = ["-assigned_at", "-pk"]
    verbose_name_plural = _("assignment history")
    assigned_by_name = person_column("assigned_by", _field_label(Assignment, "assigned_by"))
    ended_by_name = person_column("ended_by", _field_label(Assignment, "ended_by"))

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("partnership__library", "animator__user", "assigned_by", "ended_by")
        )


class PartnerInline(RecordsInline):
    model = Partner
    fields = ["name", "sector", "contact_person", "phone", "joined_on", "left_on"]
    add_text = _("Add a partner")


class MeetingInline(RecordsInline):
    model = Meeting
    fields = ["date", "kind", "participants", "next_meeting_on", "logged_by_name"]
    add_text = _("Add a meeting")
    logged_by_name = person_column("logged_by", _field_label(Meeting, "logged_by"))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("logged_by")


class MilestoneInline(EvidenceColumnsMixin, RecordsInline):
    model = Milestone
    fields = ["stage", "reached_on", "meeting_of_day", "agreement_of_day", "note"]
    add_text = _("Record the next stage")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("meeting", "agreement")

    def record_add_url(self, request, obj):
        # Only a stage recorded by hand is added here; one reached by a fact (a meeting, the
        # agreement, a joint action) comes with that record (progress.next_step says which).
        if obj is None or obj.progress.next_step != "milestone":
            return None
        return super().record_add_url(request, obj)


class AgreementInline(AgreementDocumentMixin, RecordsInline):
    model = Agreement
    fields = ["kind", "signed_on", "signatories_note", "document_link"]
    add_text = _("Record the agreement")
    single = True


class JointActionInline(RecordsInline):
    model = JointAction
    fields = ["title", "planned_on", "status", "done_on", "participants_reached"]
    add_text = _("Add a joint action")


@admin.register(Round)
class RoundAdmin(RoundReportMixin, SpreadsheetExportMixin, CountedAdmin):
    resource_classes = [RoundResource]
    count_label = ngettext_lazy("%(count)d round", "%(count)d rounds", "count")
    list_display = ["name", "start", "end"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "start", "end"]}),
        (_("Stage deadlines"), {"fields": [f"deadline_{s.value}" for s in Stage]}),
    ]

    def get_urls(self):
        return [
            path(
                "current/report/",
                self.admin_site.admin_view(self.current_report_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_current_report",
            ),
            *super().get_urls(),
        ]

    def current_report_view(self, request):
        """The report of the round under way, linked from the admin's index."""
        round_ = Round.objects.current()
        if round_ is None:
            self.message_user(request, _("There is no round yet."), messages.WARNING)
            return redirect("admin:partnerships_round_changelist")
        if not self.has_report_permission(request, round_):
            raise PermissionDenied
        return round_report_response(round_)


@admin.register(Partnership)
class PartnershipAdmin(KeptListMixin, SpreadsheetExportMixin, HistoryAdmin):
    resource_classes = [PartnershipResource]
    count_label = ngettext_lazy("%(count)d partnership", "%(count)d partnerships", "count")
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
        StageListFilter,
        StatusListFilter,
        AnimatorListFilter,
        ExpertListFilter,
        "round",
    ]
    list_select_related = ["library__voivodeship", "round"]
    # One count of the filtered rows, not a second one of all partnerships; 50 rows a page, as
    # the application's list (each row costs the admin far more to draw than the query).
    show_full_result_count = False
    list_per_page = 50
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

    def get_inlines(self, request, obj):
        return self.inlines if obj else []  # a new partnership has no records yet

    def get_readonly_fields(self, request, obj=None):
        # Its records are dated inside its round: a partnership never moves to another.
        return ["library", "round"] if obj else []

    def get_queryset(self, request):
        """Stage and status as of today, the last meeting and the active animator's name: all
        annotations, so the list costs the same few queries however long it is. Joined here
        (not only in the list) as the change page shows the library and round too, and opens
        with the partnership's state of today (`progress`, from the same row)."""
        queryset = (
            super()
            .get_queryset(request)
            .select_related(*self.list_select_related)
            .with_progress(timezone.localdate())
        )
        # The list shows only the animator's name of what `with_activity` adds.
        if request.resolver_match and request.resolver_match.url_name.endswith("_changelist"):
            return queryset.with_animator_name()
        return queryset.with_activity()

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

    @admin.action(description=_("Assign an animator"), permissions=["assign"])
    def assign_animator(self, request, queryset):
        """Assign one animator to the selected partnerships, with a reason; the previous
        assignments end and stay in the history. All or nothing, in one transaction."""
        partnerships = list(queryset)
        form = AssignmentForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            animator = form.cleaned_data["animator"]
            try:
                services.assignments_create(
                    choices=[(partnership, animator) for partnership in partnerships],
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
    count_label = ngettext_lazy("%(count)d assignment", "%(count)d assignments", "count")
    list_display = [
        "partnership", "animator", "assigned_at", "assigned_by_name", "ended_at", "reason"
    ]
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
        "assigned_by_name",
        "ended_at",
        "ended_by_name",
        # A temporary replacement's end and whom it hands back to are set by the reassignment
        # form through services.assignment_create, which checks them; never edited here.
        "until",
        "replaces",
    ]
    exclude = ["assigned_by", "ended_by"]  # named by the columns above
    assigned_by_name = AssignmentInline.assigned_by_name
    ended_by_name = AssignmentInline.ended_by_name

    def has_add_permission(self, request):
        return False  # through the action "Assign an animator" on partnerships

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Partner)
class PartnerAdmin(SpreadsheetExportMixin, HistoryAdmin):
    resource_classes = [PartnerResource]
    count_label = ngettext_lazy("%(count)d partner", "%(count)d partners", "count")
    list_display = ["name", "sector", "library", "contact_person", "joined_on", "left_on"]
    list_filter = ["sector", "partnership__library__voivodeship", "partnership__round"]
    list_select_related = ["partnership__library"]
    search_fields = ["name", "contact_person", "partnership__library__name"]
    autocomplete_fields = ["partnership"]

    @admin.display(description=_("library"), ordering="partnership__library__name")
    def library(self, obj):
        return obj.partnership.library.name


class MeetingAttachmentInline(RecordsInline):
    """The meeting's files, uploaded on the partnership card (which checks them)."""

    model = MeetingAttachment
    fields = ["download", "content_type", "size", "uploaded_by_name", "uploaded_at"]
    show_change_link = False
    parent_field = "meeting"
    uploaded_by_name = person_column(
        "uploaded_by", _field_label(MeetingAttachment, "uploaded_by")
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    @admin.display(description=_("file"))
    def download(self, obj):
        url = reverse("partnerships:attachment_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)


@admin.register(Meeting)
class MeetingAdmin(
    KeptListMixin, ThroughServicesMixin, SpreadsheetExportMixin, MeetingHistoryAdmin
):
    resource_classes = [MeetingResource]
    count_label = ngettext_lazy("%(count)d meeting", "%(count)d meetings", "count")
    form = MeetingAdminForm
    list_display = ["date", "kind", "library", "participants", "logged_by_name"]
    list_filter = ["kind", "partnership__library__voivodeship", "partnership__round"]
    list_select_related = ["partnership__library", "logged_by"]
    # One count of the filtered rows, not a second one of all meetings; 50 rows a page.
    show_full_result_count = False
    list_per_page = 50
    search_fields = ["partnership__library__name", "summary", "decisions"]
    date_hierarchy = "date"
    autocomplete_fields = ["partnership", "partners_present"]
    readonly_fields = ["logged_by_name"]
    exclude = ["logged_by"]  # named by the column above
    logged_by_name = MeetingInline.logged_by_name
    inlines = [MeetingAttachmentInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj else []  # files are attached on the partnership card

    @admin.display(description=_("library"), ordering="partnership__library__name")
    def library(self, obj):
        return obj.partnership.library.name

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "partnership"] if obj else self.readonly_fields

    def save_with_service(self, request, obj, form):
        data = form.cleaned_data
        arguments = {
            "by": request.user,
            "fields": data,
            "partners_present": data["partners_present"],
        }
        if obj.pk is None:
            return services.meeting_create(partnership=data["partnership"], **arguments)
        return services.meeting_update(meeting=obj, **arguments)

    def delete_with_service(self, request, obj):
        services.meeting_delete(meeting=obj, by=request.user)


class MilestoneAdminAddForm(forms.ModelForm):
    """A stage recorded by hand: the next one, in order (the service holds the rule)."""

    class Meta:
        model = Milestone
        fields = ["partnership", "stage", "reached_on", "note"]


@admin.register(Milestone)
class MilestoneAdmin(
    EvidenceColumnsMixin, ThroughServicesMixin, SpreadsheetExportMixin, HistoryAdmin
):
    """Stages recorded by hand are added here in order and removed with the later ones (the
    confirmation lists them); a stage that a fact proves follows its meeting, agreement or
    joint action. Only the note is changed in place."""

    resource_classes = [MilestoneResource]
    count_label = ngettext_lazy("%(count)d milestone", "%(count)d milestones", "count")
    add_form = MilestoneAdminAddForm
    list_display = ["partnership", "stage", "reached_on", "recorded_by_name"]
    list_filter = ["stage", "partnership__round", "partnership__library__voivodeship"]
    list_select_related = ["partnership__library", "partnership__round", "recorded_by"]
    search_fields = ["partnership__library__name", "note"]
    date_hierarchy = "reached_on"
    autocomplete_fields = ["partnership"]
    readonly_fields = ["partnership", "stage", "reached_on", "meeting_of_day",
                       "agreement_of_day", "recorded_by_name"]
    recorded_by_name = person_column("recorded_by", _field_label(Milestone, "recorded_by"))

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else ["recorded_by_name"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["partnership", "stage", "reached_on", "note"]
        return [*self.readonly_fields, "note"]

    def save_with_service(self, request, obj, form):
        if obj.pk is None:
            data = form.cleaned_data
            return services.milestone_record(
                partnership=data["partnership"], stage=data["stage"],
                reached_on=data["reached_on"], note=data["note"], by=request.user,
            )
        return services.milestone_note_update(milestone=obj, note=obj.note, by=request.user)

    def delete_with_service(self, request, obj):
        services.milestone_remove(milestone=obj, by=request.user)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and Stage(obj.stage) in FACT_STAGES:
            return False  # corrected through its fact
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        """The confirmation lists the later stages that go too."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        later = [
            str(m) for obj in objs for m in services.milestone_removal(obj) if m.pk != obj.pk
        ]
        if later:
            deleted = [*deleted, *later]
            model_count = {**model_count, Milestone._meta.verbose_name_plural: len(deleted)}
        return deleted, model_count, perms_needed, protected


@admin.register(Agreement)
class AgreementAdmin(
    ThroughServicesMixin, AgreementDocumentMixin, SpreadsheetExportMixin, HistoryAdmin
):
    resource_classes = [AgreementResource]
    count_label = ngettext_lazy("%(count)d agreement", "%(count)d agreements", "count")
    form = AgreementAdminForm
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
        "recorded_by_name",
    ]
    readonly_fields = ["document_link", "recorded_by_name"]
    recorded_by_name = person_column("recorded_by", _field_label(Agreement, "recorded_by"))

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "partnership"] if obj else self.readonly_fields

    def save_with_service(self, request, obj, form):
        data = form.cleaned_data
        return services.agreement_record(
            partnership=data.get("partnership") or obj.partnership,
            by=request.user,
            fields=data,
            signatories=data["signatories"],
        )

    def delete_with_service(self, request, obj):
        services.agreement_delete(agreement=obj, by=request.user)


@admin.register(JointAction)
class JointActionAdmin(ThroughServicesMixin, SpreadsheetExportMixin, HistoryAdmin):
    resource_classes = [JointActionResource]
    count_label = ngettext_lazy("%(count)d joint action", "%(count)d joint actions", "count")
    form = JointActionAdminForm
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

    def get_readonly_fields(self, request, obj=None):
        return ["partnership"] if obj else []

    def save_with_service(self, request, obj, form):
        return services.joint_action_save(
            action=obj, by=request.user, partners=form.cleaned_data["partners"]
        )

    def delete_with_service(self, request, obj):
        services.joint_action_delete(action=obj, by=request.user)


class SentRecordAdmin(RecordAdmin):
    """What the reminders and digests sent (partnerships/notifications.py writes it)."""

    date_hierarchy = "sent_at"
    recipient_name = person_column("recipient", _("recipient"))


@admin.register(SentReminder)
class SentReminderAdmin(SentRecordAdmin):
    count_label = ngettext_lazy("%(count)d reminder sent", "%(count)d reminders sent", "count")
    list_display = ["sent_at", "recipient_name", "library", "kind", "stage", "key"]
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
    count_label = ngettext_lazy("%(count)d digest sent", "%(count)d digests sent", "count")
    list_display = [
        "sent_at", "recipient_name", "week", "partnerships", "late", "quiet", "changes"
    ]
    list_select_related = ["recipient"]
    search_fields = ["recipient__email", "recipient__last_name"]


@admin.register(GoodPractice)
class GoodPracticeAdmin(HistoryAdmin):
    """Good practices are marked, corrected and removed from the partnership's card and the
    practice's page (partnerships/practices.py says who may); here the experts and the
    coordinator list them, feature them or not and remove them, through the same services.
    Seen by the roles that see everything, as the practices' page is open to all."""

    count_label = ngettext_lazy(
        "%(count)d good practice", "%(count)d good practices", "count"
    )
    list_display = ["record", "library", "featured", "marked_by_name", "created_at"]
    list_filter = ["featured", "partnership__round", "partnership__library__voivodeship"]
    list_select_related = ["partnership__library", "meeting", "joint_action", "marked_by"]
    search_fields = [
        "why", "partnership__library__name", "joint_action__title", "meeting__summary"
    ]
    date_hierarchy = "created_at"
    fields = ["record", "library", "why", "photo", "featured", "marked_by_name", "created_at"]
    readonly_fields = ["record", "library", "why", "photo", "marked_by_name", "created_at"]
    actions = ["feature", "stop_featuring"]
    marked_by_name = person_column("marked_by", _field_label(GoodPractice, "marked_by"))

    @admin.display(description=_("meeting or joint action"))
    def record(self, obj):
        return practices.record_title(practices.record_of(obj))

    @admin.display(description=_("library"), ordering="partnership__library__name")
    def library(self, obj):
        return obj.partnership.library.name

    def view_on_site(self, obj):
        return reverse("partnerships:practice_detail", args=[obj.pk])

    def has_view_permission(self, request, obj=None):
        return sees_everything(request.user)

    def has_change_permission(self, request, obj=None):
        return practices.may_feature(request.user)

    def has_delete_permission(self, request, obj=None):
        return sees_everything(request.user)

    def has_add_permission(self, request):
        return False  # marked on the card, where the record and its photos are

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # each removal through the service
        return actions

    def save_model(self, request, obj, form, change):
        practices.practice_feature(
            practice=GoodPractice.objects.get(pk=obj.pk),
            featured=form.cleaned_data["featured"],
            by=request.user,
        )

    def delete_model(self, request, obj):
        practices.practice_remove(practice=obj, by=request.user)

    def _feature_all(self, request, queryset, featured):
        for practice in queryset:
            practices.practice_feature(practice=practice, featured=featured, by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d practice changed.", "%(count)d practices changed.", len(queryset)
            )
            % {"count": len(queryset)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Feature the selected practices"))
    def feature(self, request, queryset):
        self._feature_all(request, queryset, True)

    @admin.action(description=_("Stop featuring the selected practices"))
    def stop_featuring(self, request, queryset):
        self._feature_all(request, queryset, False)
