from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridworkConfig(AppConfig):
    name = "gridwork"
    verbose_name = _("Grid work")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Its Celery task (named in beat's schedule) is known in every process, and the
        # embedded runtime's scheduler purges the stale import files as beat does.
        from governance import scheduler
        from gridwork import tasks  # noqa: F401

        def purge_import_files() -> object:
            from gridwork.import_store import purge_stale_imports

            return purge_stale_imports()

        scheduler.register("gridwork: stale import files", purge_import_files)
