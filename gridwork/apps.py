from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridworkConfig(AppConfig):
    name = "gridwork"
    verbose_name = _("Grid work")
    default_auto_field = "django.db.models.BigAutoField"
