from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SensingConfig(AppConfig):
    name = "sensing"
    verbose_name = _("Sensing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The rules judge every stored batch (the observers seam); their no-signal sweep and
        # the daily carbon job run in the embedded scheduler as beat runs their tasks.
        from governance import scheduler
        from sensing import observers, rules, tasks  # noqa: F401

        observers.register(rules.evaluate)

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

        scheduler.register("sensing: no-signal alarms", sweep_silent)
        scheduler.register("sensing: daily carbon", carbon_days)
