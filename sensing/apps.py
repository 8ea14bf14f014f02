from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SensingConfig(AppConfig):
    name = "sensing"
    verbose_name = _("Sensing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The outbox handler of the live pushes, the Celery tasks (named in beat's schedule),
        # the signals that keep each process's directory current; the rules judge every stored
        # batch (the observers seam). The periodic jobs run in the embedded scheduler as beat
        # runs their tasks.
        from governance import scheduler
        from sensing import (  # noqa: F401
            admin_rules,
            live,
            observers,
            rules,
            signals,
            subscriptions,
            tasks,
        )

        observers.register(rules.evaluate)

        def maintain_partitions() -> object:
            from sensing.partitions import maintain

            return maintain()

        def sweep_silent() -> object:
            return rules.sweep_silent()

        carbon_ran: list[float] = []

        def carbon_days() -> object:
            # Every quarter of an hour, as beat runs it (the scheduler ticks every minute).
            import time

            from sensing import carbon

            if carbon_ran and time.monotonic() - carbon_ran[-1] < 900:
                return 0
            carbon_ran[:] = [time.monotonic()]
            return carbon.roll_up_recent()

        scheduler.register("sensing: observation partitions", maintain_partitions)
        scheduler.register("sensing: no-signal alarms", sweep_silent)
        scheduler.register("sensing: daily carbon", carbon_days)
