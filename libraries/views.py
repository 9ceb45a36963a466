from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from partnerships import picture
from partnerships.access import (
    can_edit,
    can_edit_meeting,
    get_library_for_user,
    meetings_in_edit_window,
)
from partnerships.filters import PartnershipFilterSet, RoundForm, file_name, filters_in_use
from partnerships.history import latest_entries
from partnerships.models import (
    Agreement,
    Assignment,
    JointAction,
    Meeting,
    Partner,
    Partnership,
    Round,
    Sector,
    sector_mix,
)
from partnerships.next_round import card_context as previous_round_card
from partnerships.progress import lasting_annotations
from partnerships.resources import LIST_COLUMNS
from prb_partnerships.collation import polish
from prb_partnerships.freshness import Fragment
from prb_partnerships.importexport import export_resource
from prb_partnerships.roles import STAFF_ROLES, Role, has_role, role_required, sees_everything
from prb_partnerships.spreadsheets import CONTENT_TYPES, file_response

PAGE_SIZE = 50


@role_required(Role.ANIMATOR)
def library_mine(request):
    """The animator's home: their libraries, what needs action first."""
    fragment = Fragment(request, "library_mine")
    if fragment.ready:
        return render(request, "libraries/library_mine.html", {"fragment": fragment})
    today = timezone.localdate()
    partnerships = (
        Partnership.objects.visible_to(request.user)
        .filter(
            Exists(
                Assignment.objects.active().filter(
                    partnership=OuterRef("pk"), animator__user=request.user
                )
            )
        )
        .with_progress(today)
        .with_activity(today)
        .select_related("library", "round")
        .order_by("library__name", "pk")
    )
    rows = sorted(partnerships, key=lambda p: (*p.progress.urgency, p.library.name))
    return render(
        request,
        "libraries/library_mine.html",
        {"rows": rows, "today": today, "fragment": fragment},
    )


@login_required
def library_detail(request, pk):
    """The partnership card of one library in the current round: read-only for its librarians,
    editable by its animator, with the assignment history for experts."""
    library = get_library_for_user(request.user, pk)
    # Kept under the data version; for an animator also under the number of their meetings
    # still open to correction (their "correct" links go when a window closes).
    fragment = Fragment(
        request,
        "library_detail",
        meetings_in_edit_window(request.user, library) if _corrects_own(request.user) else "",
    )
    if fragment.ready and "print" not in request.GET:
        return render(
            request, "libraries/library_detail.html", {"library": library, "fragment": fragment}
        )
    today = timezone.localdate()
    partnership = (
        Partnership.objects.visible_to(request.user)
        .filter(library=library, round=Round.objects.current(today))
        .with_progress(today)
        .annotate(**lasting_annotations(today))
        .with_activity(today)
        .with_active_assignment()
        .select_related("round")
        .prefetch_related(
            "milestones",
            Prefetch("partners", queryset=Partner.objects.order_by("name")),
            Prefetch(
                "meetings",
                queryset=Meeting.objects.select_related("logged_by", "practice").prefetch_related(
                    "partners_present", "attachments"
                ),
            ),
            Prefetch(
                "joint_actions",
                queryset=JointAction.objects.select_related("practice").prefetch_related(
                    "partners"
                ),
            ),
        )
        .first()
    )
    if partnership is None:
        if not sees_everything(request.user):
            raise Http404
        return render(
            request, "libraries/library_detail.html", {"library": library, "fragment": fragment}
        )
    agreement = (
        Agreement.objects.filter(partnership=partnership).prefetch_related("signatories").first()
    )
    context = {
        "library": library,
        "partnership": partnership,
        "stages": partnership.progress.stage_line(partnership.milestones.all()),
        "partners_by_sector": _partners_by_sector(partnership.partners.all()),
        "sector_mix": sector_mix(p.sector for p in partnership.partners.all() if not p.left_on),
        "agreement": agreement,
        "partnership_picture": picture.partnership_picture(partnership, library),
        "can_edit": can_edit(request.user, partnership),
        "today": today,
        "fragment": fragment,
    }
    # The library's partnership in the previous round, and its partners to invite again.
    context.update(previous_round_card(partnership, request.user))
    if sees_everything(request.user):
        context["history"] = partnership.assignments.select_related(
            "animator__user", "assigned_by"
        ).order_by("-assigned_at", "-pk")
        if "print" not in request.GET:
            context["change_history"] = latest_entries(partnership)
    context["editable_meetings"] = (
        {m.pk for m in partnership.meetings.all() if can_edit_meeting(request.user, m)}
        if context["can_edit"]
        else set()
    )
    template = (
        "libraries/library_print.html"
        if "print" in request.GET
        else ("libraries/library_detail.html")
    )
    return render(request, template, context)


def _corrects_own(user) -> bool:
    """Whose card shows "correct" only on their own meetings, for a time (an animator's)."""
    return has_role(user, Role.ANIMATOR) and not sees_everything(user)


def _partners_by_sector(partners):
    """[(sector label, partners)] in the order of the sector list (local government first)."""
    groups = {}
    for partner in partners:
        groups.setdefault(partner.sector, []).append(partner)
    return [(sector.label, groups[sector.value]) for sector in Sector if sector.value in groups]


# Experts and the coordinator see every library in the list; animators their own.
LIST_ROLES = (*STAFF_ROLES, Role.ANIMATOR)


def _filtered_partnerships(request):
    """The round form (round and day asked for), the round and day shown, and the FilterSet of
    `/libraries/` bound to the request's filters. A bad round or day shows today's list (the
    form says what was wrong)."""
    round_form = RoundForm(request.GET)
    round_, as_of = round_form.selection()
    queryset = (
        Partnership.objects.visible_to(request.user)
        .filter(round=round_)
        .with_progress(as_of)
        .with_activity(as_of)
        .select_related("library__voivodeship")
        .annotate(library_sort=polish("library__name"), gmina_sort=polish("library__gmina"))
        .order_by("library_sort", "pk")
    )
    filterset = PartnershipFilterSet(
        request.GET, queryset=queryset, user=request.user, as_of=as_of
    )
    return round_form, round_, as_of, filterset


@login_required
def library_list(request):
    """Every partnership of the round, filtered, sorted and paginated; librarians are sent to
    their card."""
    if not has_role(request.user, *LIST_ROLES):
        if has_role(request.user, Role.LIBRARIAN):
            return redirect("home")
        raise PermissionDenied
    # The rows are kept under the data version: filtered and rendered only when not kept yet.
    fragment = Fragment(request, "library_list")
    if fragment.ready:
        return render(request, "libraries/library_list.html", {"fragment": fragment})
    round_form, round_, as_of, filterset = _filtered_partnerships(request)
    partnerships = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(partnerships, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "libraries/library_list.html",
        {
            "expert_switch": _expert_switch(request, query),
            "round": round_,
            "as_of": as_of,
            "round_form": round_form,
            "rounds": Round.objects.all(),
            "filterset": filterset,
            "filters_in_use": filters_in_use(round_form, filterset),
            "page": page,
            "query": query.urlencode(),
            "fragment": fragment,
        },
    )


def _expert_switch(request, query):
    """For an expert, the addresses of the list with the `expert` filter set to her ("only
    mine") and cleared ("all"), the other filters kept, and which of the two is shown; None
    for others. The list without parameters stays the whole programme: pages link to it with
    exact filters."""
    if not has_role(request.user, Role.EXPERT):
        return None
    mine, everyone = query.copy(), query.copy()
    mine["expert"] = request.user.pk
    everyone.pop("expert", None)
    base = reverse("libraries:library_list")
    expert = request.GET.get("expert", "")
    return {
        "mine_url": f"{base}?{mine.urlencode()}",
        "all_url": f"{base}?{everyone.urlencode()}" if everyone else base,
        "current": "mine" if expert == str(request.user.pk) else "all" if not expert else None,
    }


@role_required(*LIST_ROLES)
def library_export(request, fmt):
    """What `/libraries/` shows with the same filters and order, all pages, as CSV or XLSX; the
    file's name and its first row say which filters made it, the round and the day."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    round_form, round_, as_of, filterset = _filtered_partnerships(request)
    if not (filterset.is_valid() and round_form.is_valid()):
        return redirect(f"{reverse('libraries:library_list')}?{request.GET.urlencode()}")
    dataset = _list_resource()().export(queryset=filterset.qs)
    dataset.title = _("Partnerships")
    used = filters_in_use(round_form, filterset)
    caption = _("Filters: %(filters)s — %(round)s, as of %(day)s") % {
        "filters": " · ".join(f"{label} {value}" for n, label, value in used if n != "as_of")
        or _("none (every partnership)"),
        "round": round_.name if round_ else "—",
        "day": date_format(as_of, "j E Y"),
    }
    name = file_name(used, as_of, prefix=_("partnerships"))
    return file_response(dataset, fmt, name, caption=caption)


def _overdue(partnership) -> str:
    """The stage overdue and since when, as the list says it ("overdue since 15 June:
    planning", partnerships/progress.py); empty when nothing is overdue."""
    progress = partnership.progress
    return progress.next_stage_text if progress.overdue else ""


def _list_resource():
    """The columns of the list's export (partnerships.resources.LIST_COLUMNS) with the overdue
    stage after the status."""
    headers = [str(header) for header, _value in LIST_COLUMNS]
    at = headers.index(str(_("Status"))) + 1 if str(_("Status")) in headers else len(headers)
    columns = [*LIST_COLUMNS[:at], (_("Overdue stage"), _overdue), *LIST_COLUMNS[at:]]
    return export_resource(Partnership, columns, name="LibraryListResource")
