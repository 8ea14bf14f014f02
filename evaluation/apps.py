from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        # Each part that subscribes to the domain's events registers itself on import.
        from evaluation import subscriptions  # noqa: F401
