from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partnerships"
    verbose_name = _("partnerships")

    def ready(self):
        from prb_partnerships import freshness

        freshness.connect()
