"""People of the programme: the coordinator and the experts invite and deactivate accounts;
the coordinator removes the personal data of a person who has left; everyone signed in has an
account page with the download of their own data.

Who may change whom is decided by animators/access.py; a refused change answers 403 with the
reason, and the people list shows only the buttons its user may use."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from animators import services
from animators.access import RANKING, Action, PeopleRules
from animators.filters import PersonFilterSet
from animators.forms import PersonForm
from animators.models import AccountEvent
from animators.personal_data import personal_data
from libraries.models import Library
from partnerships.models import Partner
from prb_partnerships.roles import Role, roles_of, staff_required

User = get_user_model()


def get_person(pk):
    """A person with what the rules read (their groups); the people pages are for the staff,
    who see every account."""
    return get_object_or_404(
        User.objects.select_related("animator").prefetch_related("groups"), pk=pk
    )


def refused(request, reason):
    """The answer to a change the user may not make: 403, with the reason."""
    return render(request, "animators/person_refused.html", {"reason": reason}, status=403)


@staff_required
def person_list(request):
    people = (
        User.objects.select_related("animator")
        .prefetch_related(
            "groups",
            Prefetch("libraries", queryset=Library.objects.only("name")),
            Prefetch(
                "account_events",
                queryset=AccountEvent.objects.select_related("by")[:1],
                to_attr="last_events",
            ),
        )
        .order_by("last_name", "first_name", "pk")
    )
    filterset = PersonFilterSet(request.GET, queryset=people)
    rows = filterset.qs if filterset.is_valid() else people.none()
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    rules = PeopleRules(request.user)
    for person in page.object_list:
        person.actions = rules.allowed_actions(person)
    return render(request, "animators/person_list.html", {"filterset": filterset, "page": page})


@staff_required
def person_create(request):
    rules = PeopleRules(request.user)
    role = request.POST.get("role")
    if request.method == "POST" and role in RANKING and (refusal := rules.creation_refusal(role)):
        return refused(request, refusal)  # any other role is the form's to refuse
    form = PersonForm(request.POST or None, roles=rules.managed_roles, user=request.user)
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
                _("The account of %(name)s is created and the invitation is sent.")
                % {"name": person.get_full_name()},
            )
            return redirect("animators:person_list")
    return render(
        request,
        "animators/person_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@staff_required
@require_POST
def person_invite(request, pk):
    """Send a new invitation (a new link) to a person who has not set a password yet."""
    person = get_person(pk)
    try:
        services.invitation_send(user=person, by=request.user)
    except PermissionDenied as refusal:
        return refused(request, str(refusal))
    messages.success(request, _("A new invitation is sent to %(email)s.") % {"email": person.email})
    return redirect("animators:person_list")


@staff_required
def person_deactivate(request, pk):
    person = get_person(pk)
    if refusal := PeopleRules(request.user).refusal(Action.DEACTIVATE, person):
        return refused(request, refusal)
    if request.method == "POST":
        try:
            assignments = services.person_deactivate(user=person, by=request.user)
        except PermissionDenied as refusal:  # changed meanwhile
            return refused(request, str(refusal))
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


@staff_required
@require_POST
def person_reactivate(request, pk):
    person = get_person(pk)
    try:
        services.person_reactivate(user=person, by=request.user)
    except PermissionDenied as refusal:
        return refused(request, str(refusal))
    messages.success(request, _("%(email)s can sign in again.") % {"email": person.email})
    return redirect("animators:person_list")


@staff_required
def person_anonymise(request, pk):
    """The coordinator removes the personal data of a person who has left, after a
    confirmation; what they logged stays."""
    person = get_person(pk)
    if refusal := PeopleRules(request.user).refusal(Action.ANONYMISE, person):
        return refused(request, refusal)
    if request.method == "POST":
        name = person.get_full_name() or person.email
        try:
            assignments = services.person_anonymise(user=person, by=request.user)
        except PermissionDenied as refusal:  # changed meanwhile
            return refused(request, str(refusal))
        messages.success(
            request,
            _("The personal data of %(name)s are removed; everything they logged is kept.")
            % {"name": name},
        )
        return render(
            request,
            "animators/person_anonymised.html",
            {"person": person, "assignments": assignments},
        )
    return render(request, "animators/person_confirm_anonymise.html", {"person": person})


@staff_required
def partner_contact_anonymise(request, pk):
    """The coordinator removes the personal data of a partner's contact person, after a
    confirmation; the partner stays."""
    if refusal := PeopleRules(request.user).contact_refusal():
        return refused(request, refusal)
    partner = get_object_or_404(Partner.objects.select_related("partnership__library"), pk=pk)
    if request.method == "POST":
        services.partner_contact_anonymise(partner=partner, by=request.user)
        messages.success(
            request,
            _("The contact details of %(partner)s are removed.") % {"partner": partner.name},
        )
        return redirect("partnerships:partner_update", pk=partner.pk)
    return render(request, "animators/partner_contact_confirm_anonymise.html", {"partner": partner})


ROLE_LABELS = {
    Role.COORDINATOR: gettext_lazy("coordinator"),
    Role.EXPERT: gettext_lazy("CAL expert"),
    Role.ANIMATOR: gettext_lazy("animator"),
    Role.LIBRARIAN: gettext_lazy("librarian"),
}


@never_cache
@login_required
@require_GET
def account(request):
    """My account: who I am, my settings and the download of my data."""
    roles = [label for role, label in ROLE_LABELS.items() if role in roles_of(request.user)]
    return render(request, "animators/account.html", {"roles": roles})


@never_cache
@login_required
@require_GET
def account_data(request):
    """Everything the programme holds about the signed-in person, as a JSON file."""
    response = JsonResponse(
        personal_data(request.user),
        encoder=DjangoJSONEncoder,
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="moje-dane-{day}.json"'
    return response
