"""Animators in and out of spreadsheets (admin), matched on their e-mail.

A new animator gets an account without a password and without an invitation (invitations are
sent from the people page). The columns are listed in the README ("Import and export").
"""

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from import_export.fields import Field

from animators.models import Animator
from animators.services import animator_save_imported
from libraries.models import Voivodeship
from prb_partnerships.importexport import (
    EmailWidget,
    ListWidget,
    ParsedField,
    SpreadsheetResource,
    TextWidget,
    accounts_note,
    add_error,
    cell_text,
    header_key,
    split_list,
)
from prb_partnerships.roles import Role

User = get_user_model()
MIN_CAPACITY, MAX_CAPACITY = 1, 50  # the constraint animator_capacity_range


class VoivodeshipsWidget(ListWidget):
    """Voivodeships by TERYT code (12) or name (małopolskie, Małopolskie, woj. małopolskie),
    separated by commas or semicolons."""

    def clean(self, value, row=None, **kwargs):
        known = {}
        for voivodeship in Voivodeship.objects.all():
            known[voivodeship.code] = voivodeship
            known[header_key(voivodeship.name)] = voivodeship
        chosen, unknown = [], []
        for item in split_list(value):
            key = header_key(re.sub(r"^(województwo|woj\.)\s*", "", item, flags=re.IGNORECASE))
            key = key.zfill(2) if key.isdigit() else key
            voivodeship = known.get(key)
            if voivodeship is None:
                unknown.append(item)
            elif voivodeship not in chosen:
                chosen.append(voivodeship)
        if unknown:
            raise ValueError(
                ngettext(
                    "Unknown voivodeship: %(names)s. Give the TERYT code (e.g. 12) or the name "
                    "(e.g. %(example)s).",
                    "Unknown voivodeships: %(names)s. Give the TERYT code (e.g. 12) or the name "
                    "(e.g. %(example)s).",
                    len(unknown),
                )
                % {"names": ", ".join(unknown), "example": "małopolskie"}
            )
        return chosen

    def label(self, voivodeship):
        return voivodeship.name


class ExpertWidget(TextWidget):
    """The supervising CAL expert by e-mail."""

    def clean(self, value, row=None, **kwargs):
        email = cell_text(value).lower()
        if not email:
            return None
        expert = User.objects.filter(email__iexact=email, groups__name=Role.EXPERT).first()
        if expert is None:
            raise ValueError(_("No CAL expert has the e-mail %(email)s.") % {"email": email})
        return expert

    def render(self, value, obj=None, **kwargs):
        return value.email if value else ""


class CapacityWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            number = None
        if number is None or not number.is_integer() or not (
            MIN_CAPACITY <= number <= MAX_CAPACITY
        ):
            raise ValueError(
                _("Give a whole number from %(min)d to %(max)d.")
                % {"min": MIN_CAPACITY, "max": MAX_CAPACITY}
            )
        return int(number)


class AnimatorResource(SpreadsheetResource):
    first_name = Field(attribute="user__first_name", column_name="Imię", widget=TextWidget())
    last_name = Field(attribute="user__last_name", column_name="Nazwisko", widget=TextWidget())
    email = Field(attribute="user__email", column_name="E-mail", widget=EmailWidget())
    phone = Field(attribute="phone", column_name="Telefon", widget=TextWidget())
    voivodeships = ParsedField(
        attribute="voivodeships", column_name="Województwa", widget=VoivodeshipsWidget()
    )
    expert = Field(attribute="expert", column_name="Ekspertka (e-mail)", widget=ExpertWidget())
    capacity = Field(
        attribute="capacity", column_name="Limit bibliotek", widget=CapacityWidget(), default=5
    )

    required_columns = ("Imię", "Nazwisko", "E-mail")
    aliases = {
        "Imię": ("First name",),
        "Nazwisko": ("Last name",),
        "E-mail": ("Adres e-mail", "E-mail animatora", "E-mail animatorki"),
        "Telefon": ("Tel.", "Nr telefonu", "Phone"),
        "Województwa": ("Województwo", "Voivodeship"),
        "Ekspertka (e-mail)": (
            "Ekspertka",
            "Ekspert (e-mail)",
            "Ekspert",
            "E-mail ekspertki",
            "Expert",
        ),
        "Limit bibliotek": ("Limit", "Liczba bibliotek", "Capacity"),
    }
    error_columns = {"user": "E-mail"}
    unvalidated_fields = ("user",)
    column_help = [
        ("Imię", True, "", "Katarzyna"),
        ("Nazwisko", True, "", "Gąsienica-Łukaszczyk"),
        ("E-mail", True, gettext_lazy("the animator's login"), "katarzyna@example.org"),
        ("Telefon", False, "", "+48 600 123 456"),
        (
            "Województwa",
            False,
            gettext_lazy("TERYT codes or names, separated by commas or semicolons"),
            "12, podlaskie",
        ),
        (
            "Ekspertka (e-mail)",
            False,
            gettext_lazy("the e-mail of the supervising CAL expert"),
            "ekspert1@example.org",
        ),
        (
            "Limit bibliotek",
            False,
            gettext_lazy("how many libraries the animator can support: 1 to 50; 5 when empty"),
            "4",
        ),
    ]
    match_help = gettext_lazy(
        "An animator is matched on their e-mail: a known e-mail updates the animator, a new "
        "one adds an animator with an account without a password, invited later from the "
        "People page."
    )

    class Meta:
        model = Animator
        fields = (
            "first_name", "last_name", "email", "phone", "voivodeships", "expert", "capacity",
        )
        import_order = export_order = fields
        import_id_fields = ["email"]

    export_select_related = ("user", "expert")
    export_prefetch_related = ("voivodeships",)

    def prepare(self, dataset, **kwargs):
        self.accounts_created = 0

    def get_instance(self, instance_loader, row):
        email = cell_text(row.get("E-mail")).lower()
        if not email:
            return None
        return (
            Animator.objects.select_related("user", "expert")
            .filter(user__email__iexact=email)
            .first()
        )

    def init_instance(self, row=None):
        animator = Animator()
        animator.user = User()
        return animator

    def check_row(self, instance, row, errors, *, number):
        user = instance.user
        for name in ("first_name", "last_name", "email"):
            key = f"user__{name}"
            if not getattr(user, name) and key not in errors:
                add_error(errors, key, _("This field is required."))
        try:
            user.clean_fields(exclude=["password", "username", "last_login", "date_joined"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if f"user__{name}" not in errors:
                    for message in messages:
                        add_error(errors, f"user__{name}", message)
        if user.email and "user__email" not in errors:
            self.check_unique_in_file(errors, "user__email", user.email, number=number)
            if instance.pk is None and User.objects.filter(email__iexact=user.email).exists():
                add_error(
                    errors,
                    "user__email",
                    _("%(email)s is the e-mail of an account that is not an animator's.")
                    % {"email": user.email},
                )

    def save_row(self, instance, is_create, row, **kwargs):
        animator = animator_save_imported(
            animator=instance,
            voivodeships=self.pending(instance, "voivodeships"),
            by=kwargs.get("user"),
        )
        if is_create:
            instance.pk, instance.user = animator.pk, animator.user
            instance._state.adding = False
            self.accounts_created += 1

    def after_import(self, dataset, result, **kwargs):
        if getattr(self, "accounts_created", 0):
            self.notes.append(accounts_note(self.accounts_created))
        super().after_import(dataset, result, **kwargs)
