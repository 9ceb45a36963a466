from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from libraries.models import Library, Voivodeship
from prb_partnerships.roles import Role

User = get_user_model()
ROLE_CHOICES = [
    (Role.ANIMATOR.value, _("animator")),
    (Role.LIBRARIAN.value, _("librarian of a lead library")),
    (Role.EXPERT.value, _("CAL expert")),
    (Role.COORDINATOR.value, _("coordinator")),
]


class PersonForm(forms.Form):
    """A new account; the person gets an e-mail with a link to set their password."""

    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, widget=forms.RadioSelect)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    library = forms.ModelChoiceField(
        label=_("Library (for a librarian)"),
        queryset=Library.objects.select_related("voivodeship").order_by("name"),
        required=False,
    )
    phone = forms.CharField(label=_("Phone (for an animator)"), max_length=32, required=False)
    voivodeships = forms.ModelMultipleChoiceField(
        label=_("Voivodeships where the animator works"),
        queryset=Voivodeship.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expert = forms.ModelChoiceField(
        label=_("Supervising expert (for an animator)"),
        queryset=User.objects.filter(groups__name=Role.EXPERT, is_active=True).order_by(
            "last_name"
        ),
        required=False,
    )
    capacity = forms.IntegerField(
        label=_("Capacity: libraries the animator can support"),
        min_value=1,
        max_value=50,
        initial=5,
        required=False,
    )

    def __init__(self, *args, roles, **kwargs):
        """`roles`: the roles the user may create (animators/access.py); only those are offered."""
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (value, label) for value, label in ROLE_CHOICES if value in roles
        ]

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
        if role == Role.LIBRARIAN and not cleaned.get("library"):
            self.add_error("library", _("A librarian's account is tied to their library."))
        if role == Role.ANIMATOR:
            if not cleaned.get("voivodeships"):
                self.add_error("voivodeships", _("Choose at least one voivodeship."))
            if not cleaned.get("capacity"):
                cleaned["capacity"] = 5
        return cleaned
