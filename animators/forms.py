from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from libraries.models import Library, Voivodeship
from prb_partnerships.roles import Role, roles_of

User = get_user_model()
ROLE_CHOICES = [
    (Role.ANIMATOR.value, _("animator")),
    (Role.LIBRARIAN.value, _("librarian of a lead library")),
    (Role.EXPERT.value, _("CAL expert")),
    (Role.COORDINATOR.value, _("coordinator")),
]
# The fields that belong to one role only: required for it (but the phone and the capacity),
# ignored for the others.
ROLE_FIELDS = {
    "library": Role.LIBRARIAN,
    "phone": Role.ANIMATOR,
    "voivodeships": Role.ANIMATOR,
    "expert": Role.ANIMATOR,
    "capacity": Role.ANIMATOR,
}
# What the fields of the other roles become (their values are not used).
UNUSED = {"library": None, "phone": "", "voivodeships": [], "expert": None, "capacity": 5}
REQUIRED_FOR_ANIMATOR = _("Required for an animator.")


class ExpertChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or _("an account without a name")


class PersonForm(forms.Form):
    """A new account; the person gets an e-mail with a link to set their password.

    Each role's own fields are marked with the role they are for ("Required for an
    animator."), shown only for the chosen role by static/js/person_form.js (all of them
    without JavaScript), and checked here for the role sent: the fields of other roles are
    ignored."""

    role = forms.ChoiceField(
        label=_("Role"),
        choices=ROLE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the role of the person.")},
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    library = forms.ModelChoiceField(
        label=_("Library"),
        queryset=Library.objects.select_related("voivodeship").order_by("name"),
        help_text=_("Required for a librarian: the lead library they work in."),
        error_messages={"required": _("A librarian's account is tied to their library.")},
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        help_text=_("For an animator: shown to their librarians on the card."),
    )
    voivodeships = forms.ModelMultipleChoiceField(
        label=_("Voivodeships where the animator works"),
        queryset=Voivodeship.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=REQUIRED_FOR_ANIMATOR,
        error_messages={"required": _("Choose at least one voivodeship.")},
    )
    expert = ExpertChoiceField(
        label=_("Supervising CAL expert"),
        queryset=User.objects.filter(groups__name=Role.EXPERT, is_active=True).order_by(
            "last_name", "first_name"
        ),
        help_text=REQUIRED_FOR_ANIMATOR,
        error_messages={"required": _("Choose the CAL expert who supervises the animator.")},
    )
    capacity = forms.IntegerField(
        label=_("Capacity: libraries the animator can support"),
        min_value=1,
        max_value=50,
        initial=5,
        required=False,
        help_text=_("For an animator; 5 when left empty."),
    )

    def __init__(self, *args, roles, user=None, **kwargs):
        """`roles`: the roles the user may create (animators/access.py); only those are offered.
        `user`: who invites; an expert is proposed as the new animator's expert."""
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (value, label) for value, label in ROLE_CHOICES if value in roles
        ]
        if user is not None and Role.EXPERT in roles_of(user):
            self.fields["expert"].initial = user.pk
        chosen = self.data.get(self.add_prefix("role")) if self.is_bound else None
        for name, role in ROLE_FIELDS.items():
            field = self.fields[name]
            field.widget.attrs["data-role"] = role.value  # static/js/person_form.js
            if self.is_bound and chosen != role:
                field.required = False

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this e-mail already exists; send it a new invitation instead.")
            )
        return email

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        for name, field_role in ROLE_FIELDS.items():
            if role != field_role:  # another role's field, or no role chosen: not used
                cleaned[name] = UNUSED[name]
                self.errors.pop(name, None)
        if cleaned.get("capacity") is None:
            cleaned["capacity"] = UNUSED["capacity"]
        return cleaned
