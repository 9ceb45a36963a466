from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from prb_partnerships.roles import Role, roles_of, sees_everything


class AnimatorQuerySet(models.QuerySet):
    def with_load(self, round_):
        """Annotate `load`: how many partnerships of `round_` are actively assigned to each."""
        return self.annotate(
            load=models.Count(
                "assignments",
                filter=Q(
                    assignments__ended_at__isnull=True, assignments__partnership__round=round_
                ),
            )
        )

    def visible_to(self, user):
        """Experts and the coordinator see every animator; an animator sees themself."""
        user_roles = roles_of(user)
        if sees_everything(user):
            return self.all()
        if Role.ANIMATOR in user_roles:
            return self.filter(user=user)
        return self.none()


class Animator(models.Model):
    """A trainer who animates the partnerships of about four libraries."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="animator",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    voivodeships = models.ManyToManyField(
        "libraries.Voivodeship",
        verbose_name=_("voivodeships"),
        related_name="animators",
        blank=True,
        help_text=_("Where the animator works; preferred when assigning libraries."),
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervising expert"),
        on_delete=models.PROTECT,
        related_name="supervised_animators",
        limit_choices_to=Q(groups__name=Role.EXPERT),
        null=True,
        blank=True,
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=5, help_text=_("How many libraries the animator can support.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = AnimatorQuerySet.as_manager()

    # Every create, change and delete, with who and when (partnerships/history.py).
    history = HistoricalRecords(m2m_fields=["voivodeships"])

    class Meta:
        ordering = ["user__last_name", "user__first_name", "pk"]
        verbose_name = _("animator")
        verbose_name_plural = _("animators")
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=50), name="animator_capacity_range"
            ),
        ]

    def __str__(self):
        return self.user.get_full_name() or self.user.email


class AccountEventKind(models.TextChoices):
    INVITED = "invited", _("invitation sent")
    DEACTIVATED = "deactivated", _("deactivated")
    REACTIVATED = "reactivated", _("reactivated")
    ANONYMISED = "anonymised", _("personal data removed")


class AccountEvent(models.Model):
    """Who invited, deactivated, reactivated or anonymised an account, and when (the account's
    record)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="account_events",
    )
    kind = models.CharField(_("what"), max_length=20, choices=AccountEventKind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("account event")
        verbose_name_plural = _("account events")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.user} ({self.at:%Y-%m-%d %H:%M})"
