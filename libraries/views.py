import tablib
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from libraries.models import Library
from partnerships.filters import PartnershipFilterSet, RoundForm
from partnerships.models import Meeting, Partnership, Round, Status
from prb_partnerships.roles import Role, has_role, sees_everything

PAGE_SIZE = 50


def _last_meeting_date():
    return Subquery(
        Meeting.objects.filter(partnership=OuterRef("pk")).order_by("-date").values("date")[:1]
    )


def get_library_for_user(user, pk):
    """The library `pk` if `user` may see it, else 404."""
    return get_object_or_404(
        Library.objects.visible_to(user).select_related("voivodeship"), pk=pk
    )


@login_required
def library_mine(request):
    """The animator's home: the libraries assigned to them, with each partnership's stage."""
    if not has_role(request.user, Role.ANIMATOR):
        raise PermissionDenied
    today = timezone.localdate()
    partnerships = (
        Partnership.objects.visible_to(request.user)
        .filter(assignments__animator__user=request.user, assignments__ended_at__isnull=True)
        .with_progress(today)
        .annotate(last_meeting_on=_last_meeting_date())
        .select_related("library", "round")
        .order_by("library__name", "pk")
    )
    rows = [(p, *_next_deadline(p)) for p in partnerships]
    return render(request, "libraries/library_mine.html", {"rows": rows, "today": today})


def _next_deadline(partnership):
    """The first stage not yet reached and its deadline, or (None, None) when done."""
    for stage, deadline in partnership.round.deadlines.items():
        if stage.rank > partnership.stage_rank:
            return stage, deadline
    return None, None


@login_required
def library_detail(request, pk):
    """The partnership card of one library in the current round."""
    library = get_library_for_user(request.user, pk)
    today = timezone.localdate()
    current_round = Round.objects.current(today)
    partnership = (
        Partnership.objects.visible_to(request.user)
        .filter(library=library, round=current_round)
        .with_progress(today)
        .with_active_assignment()
        .select_related("round")
        .prefetch_related("milestones")
        .first()
    )
    if partnership is None and not sees_everything(request.user):
        raise Http404
    history = None
    if partnership is not None and sees_everything(request.user):
        history = partnership.assignments.select_related(
            "animator__user", "assigned_by"
        ).order_by("-assigned_at", "-pk")
    stages = []
    if partnership is not None:
        reached = {m.stage: m for m in partnership.milestones.all()}
        for stage, deadline in partnership.round.deadlines.items():
            milestone = reached.get(stage.value)
            stages.append(
                {
                    "stage": stage,
                    "deadline": deadline,
                    "milestone": milestone,
                    "overdue": milestone is None and deadline < today,
                }
            )
    return render(
        request,
        "libraries/library_detail.html",
        {
            "library": library,
            "partnership": partnership,
            "stages": stages,
            "history": history,
            "today": today,
        },
    )


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
        .order_by("library__name", "pk")
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


EXPORT_COLUMNS = [
    (gettext_lazy("Library"), lambda p: p.library.name),
    (gettext_lazy("TERC code"), lambda p: p.library.terc),
    (gettext_lazy("Voivodeship"), lambda p: p.library.voivodeship.name),
    (gettext_lazy("Powiat"), lambda p: p.library.powiat),
    (gettext_lazy("Gmina"), lambda p: p.library.gmina),
    (gettext_lazy("Gmina type"), lambda p: p.library.get_gmina_type_display()),
    (gettext_lazy("Town"), lambda p: p.library.town),
    (gettext_lazy("Animator"), lambda p: p.animator_name or ""),
    (gettext_lazy("CAL expert"), lambda p: p.expert_name or ""),
    (gettext_lazy("Stage (number)"), lambda p: p.stage_rank),
    (gettext_lazy("Stage"), lambda p: str(p.stage.label if p.stage else _("not started yet"))),
    (gettext_lazy("Status"), lambda p: str(Status(p.status).label)),
    (gettext_lazy("Last meeting"), lambda p: p.last_meeting_on or ""),
    (gettext_lazy("Next meeting"), lambda p: p.next_meeting_on or ""),
    (gettext_lazy("Meetings"), lambda p: p.meetings_count),
    (gettext_lazy("Partners"), lambda p: p.partners_count),
]
EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
def library_export(request, fmt):
    """What `/libraries/` shows with the same filters and order, all pages, as CSV or XLSX."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    _list_access(request.user)
    round_, filterset = _filtered_partnerships(request)
    if not filterset.is_valid():
        return redirect(f"{reverse('libraries:library_list')}?{request.GET.urlencode()}")
    dataset = tablib.Dataset(headers=[str(header) for header, _value in EXPORT_COLUMNS])
    dataset.title = _("Partnerships")
    for partnership in filterset.qs:
        dataset.append([value(partnership) for _header, value in EXPORT_COLUMNS])
    content = dataset.export(fmt)
    if fmt == "csv":
        content = "\ufeff" + content  # a BOM, so that spreadsheets read Polish letters right
    response = HttpResponse(content, content_type=EXPORT_FORMATS[fmt])
    filename = f"partnerstwa-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
