from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "emergency"
    verbose_name = _("Emergency management")

    def ready(self) -> None:
        from emergency import realtime  # noqa: F401 - registers its outbox kind in every process
        from governance import scheduler

        def resend_unanswered() -> object:
            from emergency import resending

            return resending.resend_unanswered()

        scheduler.register("emergency: resend unanswered notices", resend_unanswered)
