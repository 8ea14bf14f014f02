from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SensingConfig(AppConfig):
    name = "sensing"
    verbose_name = _("Sensing")
    default_auto_field = "django.db.models.BigAutoField"
