"""People of the programme: the coordinator and the experts invite and deactivate accounts."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from animators import services
from animators.filters import PersonFilterSet
from animators.forms import PersonForm
from libraries.models import Library
from prb_partnerships.roles import sees_everything

User = get_user_model()


def _require_staff_role(user):
    if not sees_everything(user):
        raise PermissionDenied


def get_person(user, pk):
    _require_staff_role(user)
    return get_object_or_404(User.objects.select_related("animator"), pk=pk)


@login_required
def person_list(request):
    _require_staff_role(request.user)
    people = (
        User.objects.select_related("animator")
        .prefetch_related("groups", Prefetch("libraries", queryset=Library.objects.only("name")))
        .order_by("last_name", "first_name", "pk")
    )
    filterset = PersonFilterSet(request.GET, queryset=people)
    rows = filterset.qs if filterset.is_valid() else people.none()
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "animators/person_list.html", {"filterset": filterset, "page": page})


@login_required
def person_create(request):
    _require_staff_role(request.user)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_create(
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
                by=request.user,
                library=data["library"],
                phone=data["phone"],
                voivodeships=data["voivodeships"],
                expert=data["expert"],
                capacity=data["capacity"] or 5,
            )
        except services.PersonError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                _("The account of %(email)s is created and the invitation is sent.")
                % {"email": person.email},
            )
            return redirect("animators:person_list")
    return render(
        request,
        "animators/person_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def person_invite(request, pk):
    """Send a new invitation (a new link) to a person who has not set a password yet."""
    person = get_person(request.user, pk)
    if not person.is_active:
        messages.error(request, _("This account is deactivated; reactivate it first."))
    else:
        services.invitation_send(user=person, by=request.user)
        messages.success(
            request, _("A new invitation is sent to %(email)s.") % {"email": person.email}
        )
    return redirect("animators:person_list")


@login_required
def person_deactivate(request, pk):
    person = get_person(request.user, pk)
    if person == request.user:
        messages.error(request, _("You cannot deactivate your own account."))
        return redirect("animators:person_list")
    if request.method == "POST":
        assignments = services.person_deactivate(user=person, by=request.user)
        messages.success(
            request,
            _("%(name)s can no longer sign in; everything they logged is kept.")
            % {"name": person.get_full_name() or person.email},
        )
        return render(
            request,
            "animators/person_deactivated.html",
            {"person": person, "assignments": assignments},
        )
    return render(request, "animators/person_confirm_deactivate.html", {"person": person})


@login_required
@require_POST
def person_reactivate(request, pk):
    person = get_person(request.user, pk)
    services.person_reactivate(user=person, by=request.user)
    messages.success(request, _("%(email)s can sign in again.") % {"email": person.email})
    return redirect("animators:person_list")
