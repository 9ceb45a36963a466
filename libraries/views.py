from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from libraries.models import Library
from partnerships.models import Meeting, Partnership, Round, Stage
from prb_partnerships.roles import Role, has_role, sees_everything


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
            "Stage": Stage,
            "today": today,
        },
    )
