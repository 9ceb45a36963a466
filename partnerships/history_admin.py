"""The admin's history pages (django-simple-history): every version of a record, who saved it
and when, and what changed from what to what.

Read-only: the admin's "revert to this version" form is not offered, as it would write past
the services (milestones, dates inside the round). What can be brought back is a deleted
meeting, by the coordinator, through `history.meeting_restore`."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from partnerships import history
from prb_partnerships.admin import CountedAdmin
from prb_partnerships.roles import Role, has_role


class HistoryAdmin(CountedAdmin, SimpleHistoryAdmin):
    """The page "History" of a record with the changes of each version."""

    object_history_list_template = "admin/prb_history_list.html"
    object_history_form_template = "admin/prb_history_form.html"

    def history_view_title(self, request, obj):
        return _("History of %(record)s") % {"record": obj}

    def history_form_view_title(self, request, obj):
        return _("A past version of %(record)s") % {"record": obj}

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A past version, to read only."""
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class MeetingHistoryAdmin(HistoryAdmin):
    """History, and the list of deleted meetings (linked from the list of meetings) where the
    coordinator can restore one."""

    change_list_template = "admin/partnerships/meeting/change_list.html"
    deleted_per_page = 50

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name="{}_{}_deleted".format(*info),
            ),
            path(
                "deleted/<int:history_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="{}_{}_restore".format(*info),
            ),
            *super().get_urls(),
        ]

    def has_restore_permission(self, request):
        return has_role(request.user, Role.COORDINATOR)

    def deleted_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        page = Paginator(history.deleted_meetings(), self.deleted_per_page).get_page(
            request.GET.get("p")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Deleted meetings"),
            "opts": self.opts,
            "page": page,
            "can_restore": self.has_restore_permission(request),
        }
        return TemplateResponse(request, "admin/partnerships/meeting/deleted.html", context)

    def restore_view(self, request, history_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_restore_permission(request):
            raise PermissionDenied
        try:
            restored = history.meeting_restore(history_id=history_id, by=request.user)
        except history.RestoreError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect(reverse("admin:partnerships_meeting_deleted"))
        meeting = restored.meeting
        parts = [
            _(
                "The meeting of %(date)s (%(library)s) is restored; the milestones it proves "
                "are recorded again."
            )
            % {
                "date": formats.date_format(meeting.date, "j E Y"),
                "library": meeting.partnership.library.name,
            }
        ]
        if restored.partners_missing:
            parts.append(
                ngettext(
                    "%(count)d partner present at it no longer exists and is not listed.",
                    "%(count)d partners present at it no longer exist and are not listed.",
                    restored.partners_missing,
                )
                % {"count": restored.partners_missing}
            )
        if restored.attachments_lost:
            parts.append(
                ngettext(
                    "Its %(count)d attachment cannot be restored: the file was deleted with "
                    "the meeting.",
                    "Its %(count)d attachments cannot be restored: the files were deleted with "
                    "the meeting.",
                    restored.attachments_lost,
                )
                % {"count": restored.attachments_lost}
            )
        self.message_user(request, " ".join(parts), messages.SUCCESS)
        return redirect(reverse("admin:partnerships_meeting_change", args=[meeting.pk]))
