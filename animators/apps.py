from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnimatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "animators"
    verbose_name = _("people and animators")
