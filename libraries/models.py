import re

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from prb_partnerships.roles import Role, roles_of, sees_everything

# A gmina's TERC code: 7 digits, voivodeship (2), powiat (2), gmina (2), gmina type (1). The one
# pattern of the validator, the constraint library_terc_seven_digits and the imports; ASCII digits,
# since Python's \d also takes the digits of other scripts.
TERC_PATTERN = r"^[0-9]{7}$"
TERC = re.compile(TERC_PATTERN)
terc_validator = RegexValidator(
    TERC_PATTERN, _("A TERC code has exactly 7 digits, e.g. 1206022."), code="terc_format"
)


class Voivodeship(models.Model):
    """One of the 16 voivodeships, loaded from the TERYT register by a data migration."""

    code = models.CharField(_("TERYT code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=64)
    capital = models.CharField(_("capital"), max_length=64, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("voivodeship")
        verbose_name_plural = _("voivodeships")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{2}$"), name="voivodeship_code_two_digits"
            ),
        ]

    def __str__(self):
        return self.name


class GminaType(models.TextChoices):
    """The 7th digit of a TERC code."""

    URBAN = "1", _("urban")
    RURAL = "2", _("rural")
    URBAN_RURAL = "3", _("urban-rural")


class LibraryKind(models.TextChoices):
    LEAD = "lead", _("lead library")
    PARTNER = "partner", _("partner library")


class LibraryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Libraries `user` may see: all for the coordinator and experts; for an animator those
        with a partnership actively assigned to them; for a librarian their own library."""
        user_roles = roles_of(user)
        if sees_everything(user):
            return self.all()
        scope = Q(pk__in=[])
        if Role.ANIMATOR in user_roles:
            from partnerships.models import Assignment

            scope |= Q(
                Exists(
                    Assignment.objects.filter(
                        partnership__library=OuterRef("pk"),
                        animator__user=user,
                        ended_at__isnull=True,
                    )
                )
            )
        if Role.LIBRARIAN in user_roles:
            scope |= Q(Exists(Library.librarians.through.objects.filter(
                library=OuterRef("pk"), user=user
            )))
        return self.filter(scope)


class Library(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=10, choices=LibraryKind.choices, default=LibraryKind.LEAD
    )
    voivodeship = models.ForeignKey(
        Voivodeship,
        verbose_name=_("voivodeship"),
        on_delete=models.PROTECT,
        to_field="code",
        related_name="libraries",
    )
    terc = models.CharField(
        _("TERC code of the gmina"),
        max_length=7,
        unique=True,
        validators=[terc_validator],
        help_text=_("7 digits: voivodeship (2), powiat (2), gmina (2), gmina type (1)."),
    )
    gmina = models.CharField(_("gmina"), max_length=100)
    gmina_type = models.CharField(_("gmina type"), max_length=1, choices=GminaType.choices)
    powiat = models.CharField(_("powiat"), max_length=100)
    town = models.CharField(_("town"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    website = models.URLField(_("website"), blank=True)
    librarians = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("librarians"),
        related_name="libraries",
        blank=True,
    )

    objects = LibraryQuerySet.as_manager()

    # Every create, change and delete, with who and when (partnerships/history.py).
    history = HistoricalRecords(m2m_fields=["librarians"])

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("library")
        verbose_name_plural = _("libraries")
        constraints = [
            models.CheckConstraint(
                condition=Q(terc__regex=TERC_PATTERN), name="library_terc_seven_digits"
            ),
            models.CheckConstraint(
                condition=Q(terc__startswith=models.F("voivodeship_id")),
                name="library_terc_matches_voivodeship",
            ),
            models.CheckConstraint(
                condition=Q(terc__endswith=models.F("gmina_type")),
                name="library_terc_matches_gmina_type",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.town})"

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.terc and len(self.terc) == 7 and self.terc.isdigit():
            if self.voivodeship_id and not self.terc.startswith(self.voivodeship_id):
                errors["terc"] = _(
                    "The first two digits of the TERC code (%(prefix)s) must be the "
                    "voivodeship's TERYT code (%(code)s)."
                ) % {"prefix": self.terc[:2], "code": self.voivodeship_id}
            elif self.terc[6] not in GminaType.values:
                errors["terc"] = _(
                    "The last digit of the TERC code is the gmina type: 1, 2 or 3."
                )
            elif self.gmina_type and self.gmina_type != self.terc[6]:
                errors["gmina_type"] = _(
                    "The gmina type must match the last digit of the TERC code (%(digit)s)."
                ) % {"digit": self.terc[6]}
        if errors:
            raise ValidationError(errors)
