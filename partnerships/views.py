from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from animators.models import Animator
from partnerships import dashboard as dashboard_data
from partnerships import proposal, services
from partnerships.filters import RoundForm
from partnerships.models import Assignment, Partnership, Round
from prb_partnerships.roles import Role, has_role, sees_everything


def _require_expert(user):
    """Pages of the experts and the coordinator; 403 for everyone else."""
    if not sees_everything(user):
        raise PermissionDenied


@login_required
def dashboard(request):
    """Where the round stands, on any day of it."""
    _require_expert(request.user)
    form = RoundForm(request.GET or None)
    round_, as_of = form.selection()
    context = {"form": form, "round": round_, "as_of": as_of, "rounds": Round.objects.all()}
    if round_ is not None:
        show_all = request.GET.get("animators") == "all" or not has_role(
            request.user, Role.EXPERT
        )
        data = dashboard_data.build(
            round_=round_, as_of=as_of, expert=None if show_all else request.user
        )
        context.update(
            data,
            show_all_animators=show_all,
            chart=dashboard_data.burnup_chart(data["burnup"], round_, as_of),
            tiles=[
                {"row": row, "x": col * 150, "y": line * 90}
                for row in data["voivodeships"]
                for col, line in [dashboard_data.TILE_MAP[row.voivodeship.code]]
            ],
        )
    return render(request, "partnerships/dashboard.html", context)


class AssignmentForm(forms.Form):
    """Choose the animator of a partnership, with the reason (kept in the history)."""

    animator = forms.ModelChoiceField(
        label=gettext_lazy("Animator"),
        queryset=Animator.objects.filter(is_active=True).select_related("user"),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Why this animator, e.g. new library, long sick leave."),
    )
    current = forms.IntegerField(required=False, widget=forms.HiddenInput)


def get_partnership_for_expert(user, pk):
    """A partnership for the assignment pages: 403 to other roles, 404 if unknown."""
    _require_expert(user)
    return get_object_or_404(
        Partnership.objects.visible_to(user).select_related("library", "round"), pk=pk
    )


def _animators_with_load(round_):
    return (
        Animator.objects.filter(is_active=True)
        .with_load(round_)
        .select_related("user", "expert")
        .prefetch_related("voivodeships")
    )


def _unassigned(user, round_):
    return (
        Partnership.objects.visible_to(user)
        .filter(round=round_, withdrawn_on__isnull=True)
        .exclude(Exists(Assignment.objects.active().filter(partnership=OuterRef("pk"))))
        .select_related("library__voivodeship")
        .order_by("library__voivodeship__name", "library__name")
    )


@login_required
def assignment_board(request):
    """Who supports whom: the partnerships with no animator, the animators' load, and a
    proposal for the unassigned that the expert can accept in whole or in part."""
    _require_expert(request.user)
    round_, _as_of = RoundForm(request.GET or None).selection()
    if round_ is None:
        return render(request, "partnerships/assignment_board.html", {"round": None})
    unassigned = list(_unassigned(request.user, round_))
    animators = list(_animators_with_load(round_))
    proposals = None
    if request.GET.get("propose"):
        proposals = proposal.propose(
            unassigned,
            [
                proposal.Candidate(
                    animator=a,
                    voivodeships=frozenset(v.code for v in a.voivodeships.all()),
                    load=a.load,
                    capacity=a.capacity,
                )
                for a in animators
            ],
        )
    return render(
        request,
        "partnerships/assignment_board.html",
        {
            "round": round_,
            "rounds": Round.objects.all(),
            "unassigned": unassigned,
            "animators": animators,
            "proposals": proposals,
        },
    )


@login_required
@require_POST
def assignment_accept(request):
    """Accept the ticked lines of a proposal: `choice` = "<partnership id>:<animator id>"."""
    _require_expert(request.user)
    pairs = []
    for value in request.POST.getlist("choice"):
        partnership_id, _sep, animator_id = value.partition(":")
        if not (partnership_id.isdigit() and animator_id.isdigit()):
            messages.error(request, _("The proposal could not be read; nothing was saved."))
            return redirect("partnerships:assignment_board")
        pairs.append((int(partnership_id), int(animator_id)))
    if not pairs:
        messages.warning(request, _("No line of the proposal was ticked; nothing was saved."))
        return redirect(f"{reverse('partnerships:assignment_board')}?propose=1")
    partnerships = Partnership.objects.visible_to(request.user).select_related("library").in_bulk(
        [p for p, _a in pairs]
    )
    animators = Animator.objects.filter(is_active=True).select_related("user").in_bulk(
        [a for _p, a in pairs]
    )
    if any(p not in partnerships or a not in animators for p, a in pairs):
        raise Http404
    try:
        created = services.assignments_accept(
            choices=[(partnerships[p], animators[a]) for p, a in pairs],
            by=request.user,
            reason=_("Proposal accepted"),
        )
    except services.AssignmentError as error:
        messages.error(request, str(error))
        return redirect(f"{reverse('partnerships:assignment_board')}?propose=1")
    messages.success(
        request,
        ngettext(
            "%(count)d library now has an animator.",
            "%(count)d libraries now have an animator.",
            len(created),
        )
        % {"count": len(created)},
    )
    return redirect("partnerships:assignment_board")


@login_required
def assignment_create(request, partnership_pk):
    """Assign or reassign the animator of one partnership; the reason is required."""
    partnership = get_partnership_for_expert(request.user, partnership_pk)
    current = (
        Assignment.objects.active()
        .filter(partnership=partnership)
        .select_related("animator__user")
        .first()
    )
    form = AssignmentForm(
        request.POST or None, initial={"current": current.pk if current else None}
    )
    if request.method == "POST" and form.is_valid():
        animator = form.cleaned_data["animator"]
        try:
            services.assignment_create(
                partnership=partnership,
                animator=animator,
                by=request.user,
                reason=form.cleaned_data["reason"],
                expected_current=form.cleaned_data["current"],
            )
        except services.AssignmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(animator)s now supports %(library)s.")
                % {"animator": animator, "library": partnership.library.name},
            )
            load = Assignment.objects.active().filter(
                animator=animator, partnership__round=partnership.round
            ).count()
            if load > animator.capacity:
                messages.warning(
                    request,
                    _(
                        "%(animator)s now has %(load)d libraries, "
                        "above their capacity of %(capacity)d."
                    )
                    % {"animator": animator, "load": load, "capacity": animator.capacity},
                )
            return redirect("libraries:library_detail", pk=partnership.library_id)
    history = (
        Assignment.objects.filter(partnership=partnership)
        .select_related("animator__user", "assigned_by", "ended_by")
        .order_by("-assigned_at", "-pk")
    )
    return render(
        request,
        "partnerships/assignment_form.html",
        {"partnership": partnership, "current": current, "form": form, "history": history},
    )
