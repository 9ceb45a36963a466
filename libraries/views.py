from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from libraries.models import Library
from partnerships.filters import PartnershipFilterSet, RoundForm
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
    Status,
    sector_mix,
)
from partnerships.resources import PartnershipListResource
from partnerships.views import can_edit, can_edit_meeting
from prb_partnerships.collation import polish
from prb_partnerships.roles import Role, has_role, sees_everything
from prb_partnerships.spreadsheets import CONTENT_TYPES, file_response

PAGE_SIZE = 50


def get_library_for_user(user, pk):
    """The library `pk` if `user` may see it, else 404."""
    return get_object_or_404(Library.objects.visible_to(user).select_related("voivodeship"), pk=pk)


@login_required
def library_mine(request):
    """The animator's home: their libraries, what needs action first."""
    if not has_role(request.user, Role.ANIMATOR):
        raise PermissionDenied
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
    rows = []
    for partnership in partnerships:
        stage, deadline = _next_deadline(partnership)
        days_quiet = (
            (today - partnership.last_meeting_on).days if partnership.last_meeting_on else None
        )
        missed = partnership.next_meeting_on is not None and partnership.next_meeting_on < today
        rows.append(
            {
                "partnership": partnership,
                "next_stage": stage,
                "next_deadline": deadline,
                "days_quiet": days_quiet,
                "missed_meeting": missed,
                "urgency": _urgency(partnership, deadline, days_quiet, missed, today),
            }
        )
    rows.sort(key=lambda row: row["urgency"])
    return render(request, "libraries/library_mine.html", {"rows": rows, "today": today})


def _urgency(partnership, deadline, days_quiet, missed, today):
    """Sort key: late first, then a planned meeting that passed, then long silence, then the
    nearest deadline; withdrawn and finished partnerships last."""
    if partnership.status in (Status.WITHDRAWN, Status.DONE):
        return (9, partnership.library.name)
    quiet = days_quiet is None or days_quiet > 21
    return (
        0 if partnership.status == Status.LATE else 1 if missed else 2 if quiet else 3,
        deadline or today,
        partnership.library.name,
    )


def _next_deadline(partnership):
    """The first stage not yet reached and its deadline, or (None, None) when done."""
    for stage, deadline in partnership.round.deadlines.items():
        if stage.rank > partnership.stage_rank:
            return stage, deadline
    return None, None


@login_required
def library_detail(request, pk):
    """The partnership card of one library in the current round: read-only for its librarians,
    editable by its animator, with the assignment history for experts."""
    library = get_library_for_user(request.user, pk)
    today = timezone.localdate()
    partnership = (
        Partnership.objects.visible_to(request.user)
        .filter(library=library, round=Round.objects.current(today))
        .with_progress(today)
        .with_activity(today)
        .with_active_assignment()
        .select_related("round")
        .prefetch_related(
            "milestones",
            Prefetch("partners", queryset=Partner.objects.order_by("name")),
            Prefetch(
                "meetings",
                queryset=Meeting.objects.select_related("logged_by").prefetch_related(
                    "partners_present", "attachments"
                ),
            ),
            Prefetch("joint_actions", queryset=JointAction.objects.prefetch_related("partners")),
        )
        .first()
    )
    if partnership is None:
        if not sees_everything(request.user):
            raise Http404
        return render(request, "libraries/library_detail.html", {"library": library})
    agreement = (
        Agreement.objects.filter(partnership=partnership).prefetch_related("signatories").first()
    )
    context = {
        "library": library,
        "partnership": partnership,
        "stages": _stage_line(partnership, today),
        "partners_by_sector": _partners_by_sector(partnership.partners.all()),
        "sector_mix": sector_mix(p.sector for p in partnership.partners.all() if not p.left_on),
        "agreement": agreement,
        "can_edit": can_edit(request.user, partnership),
        "today": today,
    }
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


def _stage_line(partnership, today):
    reached = {m.stage: m for m in partnership.milestones.all()}
    return [
        {
            "stage": stage,
            "deadline": deadline,
            "milestone": reached.get(stage.value),
            "overdue": stage.value not in reached and deadline < today,
        }
        for stage, deadline in partnership.round.deadlines.items()
    ]


def _partners_by_sector(partners):
    """[(sector label, partners)] in the order of the sector list (local government first)."""
    groups = {}
    for partner in partners:
        groups.setdefault(partner.sector, []).append(partner)
    return [(sector.label, groups[sector.value]) for sector in Sector if sector.value in groups]


def _list_access(user):
    """Experts and the coordinator see every library; animators their own. Others: 403."""
    if not (sees_everything(user) or has_role(user, Role.ANIMATOR)):
        raise PermissionDenied


def _filtered_partnerships(request):
    """The round shown, and the FilterSet of `/libraries/` bound to the request's filters."""
    round_, as_of = RoundForm(request.GET).selection()
    queryset = (
        Partnership.objects.visible_to(request.user)
        .filter(round=round_)
        .with_progress(as_of)
        .with_activity(as_of)
        .select_related("library__voivodeship")
        .annotate(library_sort=polish("library__name"), gmina_sort=polish("library__gmina"))
        .order_by("library_sort", "pk")
    )
    filterset = PartnershipFilterSet(request.GET, queryset=queryset, user=request.user)
    return round_, filterset


@login_required
def library_list(request):
    """Every partnership of the round, filtered, sorted and paginated."""
    if has_role(request.user, Role.LIBRARIAN) and not (
        sees_everything(request.user) or has_role(request.user, Role.ANIMATOR)
    ):
        return redirect("home")
    _list_access(request.user)
    round_, filterset = _filtered_partnerships(request)
    partnerships = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(partnerships, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "libraries/library_list.html",
        {
            "round": round_,
            "rounds": Round.objects.all(),
            "filterset": filterset,
            "page": page,
            "query": query.urlencode(),
        },
    )


@login_required
def library_export(request, fmt):
    """What `/libraries/` shows with the same filters and order, all pages, as CSV or XLSX."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    _list_access(request.user)
    round_, filterset = _filtered_partnerships(request)
    if not filterset.is_valid():
        return redirect(f"{reverse('libraries:library_list')}?{request.GET.urlencode()}")
    dataset = PartnershipListResource().export(queryset=filterset.qs)
    dataset.title = _("Partnerships")
    return file_response(dataset, fmt, f"partnerstwa-{timezone.localdate():%Y-%m-%d}")
