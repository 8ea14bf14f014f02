from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SensingConfig(AppConfig):
    name = "sensing"
    verbose_name = _("Sensing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The outbox handler of the live pushes, the Celery task (named in beat's schedule),
        # the signals that keep each process's directory current.
        from governance import scheduler
        from sensing import live, signals, tasks  # noqa: F401

        def maintain_partitions() -> object:
            from sensing.partitions import maintain

            return maintain()

        scheduler.register("sensing: observation partitions", maintain_partitions)
