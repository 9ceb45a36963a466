"""The pages of good practices: `/practices/` (everyone signed in), a practice's page and its
photo, the mark form reached from the card, featuring (experts), removal, and the
coordinator's export. The rules are in partnerships/practices.py."""

import tablib
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from partnerships import practices
from partnerships.access import can_edit, get_record_for_editor
from partnerships.filters import file_name
from partnerships.models import GoodPractice, JointAction, JointActionStatus, Meeting
from partnerships.practice_forms import PracticeFilterSet, PracticeForm
from partnerships.views import _private_file
from prb_partnerships.roles import Role, has_role, role_required, staff_required
from prb_partnerships.spreadsheets import file_response

PAGE_SIZE = 20


def _described(practice):
    """The practice with what its list row, page and export row say of it."""
    record = practices.record_of(practice)
    practice.record = record
    practice.title = practices.record_title(record)
    practice.text = practices.record_text(record)
    practice.kind_text = practices.kind_label(practice)
    practice.sector_labels = practices.sectors(practice)
    practice.stage_text = practices.stage_text(practice.stage_rank)
    practice.card_url = (
        f"{reverse('libraries:library_detail', args=[practice.partnership.library_id])}"
        f"#{'meeting' if practice.meeting_id else 'action'}-{record.pk}"
        if practice.card_visible
        else None
    )
    return practice


def _filtered(request):
    """Every practice the person sees, newest first, and the list's FilterSet on them."""
    queryset = practices.for_list(
        GoodPractice.objects.visible_to(request.user), request.user
    ).order_by("-created_at", "-pk")
    return PracticeFilterSet(request.GET, queryset=queryset)


@login_required
@require_safe
def practice_list(request):
    """Good practices of the whole programme, newest first, filtered and paginated."""
    filterset = _filtered(request)
    valid = filterset.is_valid()
    rows = filterset.qs if valid else filterset.queryset.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "partnerships/practice_list.html",
        {
            "filterset": filterset,
            "filters_in_use": filterset.in_use() if valid else [],
            "page": page,
            "rows": [_described(practice) for practice in page.object_list],
            "query": query.urlencode(),
            "can_export": has_role(request.user, Role.COORDINATOR),
        },
    )


def _practice_for(user, pk):
    return get_object_or_404(
        practices.for_list(GoodPractice.objects.visible_to(user), user), pk=pk
    )


@login_required
@require_safe
def practice_detail(request, pk):
    """One practice: only the practice itself (what happened, when, where, with which sectors,
    why it worked, the photo); the card's link for those who may open the card."""
    practice = _described(_practice_for(request.user, pk))
    may_change = practices.may_change(request.user, practice)
    return render(
        request,
        "partnerships/practice_detail.html",
        {
            "practice": practice,
            "can_feature": practices.may_feature(request.user),
            "can_remove": may_change,
            # Corrected on the mark form, which needs the card's partnership in one's scope.
            "can_correct": may_change
            and practice.card_visible
            and can_edit(request.user, practice.partnership),
            "mark_url": _mark_url(practice.record),
        },
    )


@login_required
@require_safe
def practice_photo(request, pk):
    """A practice's photo, for everyone who sees the practice: only a file that is a
    practice's photo is served here; a meeting's other files stay behind the card's access
    (`attachment_download`)."""
    practice = get_object_or_404(
        GoodPractice.objects.visible_to(request.user).select_related("photo"),
        pk=pk,
        photo__content_type__in=practices.PHOTO_TYPES,
    )
    photo = practice.photo
    stem = photo.original_name.rsplit(".", 1)[0] or "zdjecie"
    return _private_file(photo.file, photo.content_type, stem)


def _mark_url(record) -> str:
    if isinstance(record, Meeting):
        return reverse("partnerships:practice_mark_meeting", args=[record.pk])
    return reverse("partnerships:practice_mark_action", args=[record.pk])


def _mark_page(request, record):
    """Mark `record` as a good practice, or correct the practice it is (the one who marked it
    and the staff); others are shown the practice there is. A joint action not carried out
    yet cannot be marked."""
    field = "meeting" if isinstance(record, Meeting) else "joint_action"
    practice = GoodPractice.objects.filter(**{field: record}).select_related("marked_by").first()
    blocked = None
    if practice is not None and not practices.may_change(request.user, practice):
        blocked = "marked"
    elif practice is None and isinstance(record, JointAction) and (
        record.status != JointActionStatus.DONE
    ):
        blocked = "not_done"
    draft_key = f"practice-{field}-{record.pk}"
    form = None
    if blocked is None:
        initial = {"why": practice.why, "photo": practice.photo_id} if practice else None
        form = PracticeForm(request.POST or None, record=record, initial=initial)
        if request.method == "POST" and form.is_valid():
            arguments = {
                "why": form.cleaned_data["why"],
                "photo": form.cleaned_data.get("photo"),
                "by": request.user,
            }
            try:
                if practice is None:
                    practice = practices.practice_mark(record=record, **arguments)
                    text = _("Marked as a good practice. This is what everyone signed in sees.")
                else:
                    practices.practice_update(practice=practice, **arguments)
                    text = _("The good practice is corrected.")
            except practices.PracticeError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, text, extra_tags=f"draft:{draft_key}")
                return redirect("partnerships:practice_detail", practice.pk)
    return render(
        request,
        "partnerships/practice_form.html",
        {
            "partnership": record.partnership,
            "record": record,
            "record_title": practices.record_title(record),
            "record_text": practices.record_text(record),
            "record_day": practices.record_day(record),
            "practice": practice,
            "blocked": blocked,
            "form": form,
            "draft_key": draft_key,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def practice_mark_meeting(request, pk):
    """The card's "Mark as a good practice" of a meeting: 404 outside one's scope, 403 for
    those who only read the card."""
    return _mark_page(request, get_record_for_editor(request.user, Meeting, pk))


@login_required
def practice_mark_action(request, pk):
    """The card's "Mark as a good practice" of a joint action carried out."""
    return _mark_page(request, get_record_for_editor(request.user, JointAction, pk))


@login_required
def practice_remove(request, pk):
    """The record is no longer a good practice: the one who marked it, or the staff."""
    practice = _described(_practice_for(request.user, pk))
    if not practices.may_change(request.user, practice):
        raise PermissionDenied
    if request.method == "POST":
        practices.practice_remove(practice=practice, by=request.user)
        messages.success(request, _("The good practice is removed; the record itself stays."))
        return redirect("partnerships:practice_list")
    return render(request, "partnerships/practice_confirm_remove.html", {"practice": practice})


@staff_required
@require_POST
def practice_feature(request, pk):
    """An expert or the coordinator features a practice, or no longer (`featured` 1 or 0)."""
    practice = get_object_or_404(GoodPractice.objects.visible_to(request.user), pk=pk)
    featured = request.POST.get("featured")
    if featured not in ("0", "1"):
        messages.error(request, _("Nothing was changed: choose to feature the practice or not."))
    else:
        practices.practice_feature(practice=practice, featured=featured == "1", by=request.user)
        messages.success(
            request,
            _("The practice is featured.")
            if featured == "1"
            else _("The practice is no longer featured."),
        )
    return redirect("partnerships:practice_detail", practice.pk)


@role_required(Role.COORDINATOR)
@require_safe
def practice_export(request):
    """Every practice the list's filters keep, with their texts, as XLSX for the programme's
    publication (text that looks like a formula is written as text)."""
    filterset = _filtered(request)
    if not filterset.is_valid():
        return redirect(f"{reverse('partnerships:practice_list')}?{request.GET.urlencode()}")
    headers = [
        _("Library"), _("Gmina"), _("Voivodeship"), _("Round"), _("Kind"), _("Title"),
        _("Date"), _("Stage reached then"), _("Partners' sectors"), _("What happened"),
        _("Why it worked"), _("Featured"), _("Marked by"), _("Marked on"), _("Photo"),
        _("Address"),
    ]
    dataset = tablib.Dataset(headers=headers, title=_("Good practices"))
    for practice in map(_described, filterset.qs):
        library = practice.partnership.library
        marked_by = practice.marked_by
        dataset.append([
            library.name,
            library.gmina,
            library.voivodeship.name,
            practice.partnership.round.name,
            practice.kind_text,
            practice.title,
            practice.record_day,
            practice.stage_text,
            ", ".join(practice.sector_labels),
            practice.text,
            practice.why,
            _("yes") if practice.featured else _("no"),
            (marked_by.get_full_name() or marked_by.email) if marked_by else "",
            timezone.localtime(practice.created_at).date(),
            practice.photo.original_name if practice.photo_id else "",
            request.build_absolute_uri(
                reverse("partnerships:practice_detail", args=[practice.pk])
            ),
        ])
    used = filterset.in_use()
    today = timezone.localdate()
    caption = _("Good practices — filters: %(filters)s — as of %(day)s") % {
        "filters": " · ".join(f"{label} {value}" for _n, label, value in used)
        or _("none (every practice)"),
        "day": date_format(today, "j E Y"),
    }
    return file_response(
        dataset, "xlsx", file_name(used, today, prefix=_("good practices")), caption=caption
    )
