from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "emergency"
    verbose_name = _("Emergency management")

    def ready(self) -> None:
        # Registers its outbox kind, and its Celery tasks (named in beat's schedule), in every
        # process, not only where Celery's autodiscovery ran.
        from emergency import realtime, subscriptions, tasks  # noqa: F401
        from governance import scheduler

        def resend_unanswered() -> object:
            from emergency import resending

            return resending.resend_unanswered()

        def sweep_late_tasks() -> object:
            from emergency import plans

            return plans.sweep_late_tasks()

        scheduler.register("emergency: resend unanswered notices", resend_unanswered)
        scheduler.register("emergency: late plan steps", sweep_late_tasks)
