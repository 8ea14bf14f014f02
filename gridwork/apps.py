import time

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The embedded scheduler runs its jobs every minute; these need not run that often.
EMBEDDED_EVERY = {"gridwork: visit reminders": 3600.0, "gridwork: duty days": 600.0}


def _every(name: str, job):
    last = [0.0]

    def run() -> object:
        if time.monotonic() - last[0] < EMBEDDED_EVERY[name] and last[0]:
            return None
        last[0] = time.monotonic()
        return job()

    return run


class GridworkConfig(AppConfig):
    name = "gridwork"
    verbose_name = _("Grid work")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Its Celery tasks (named in beat's schedule) are known in every process, and the
        # embedded runtime's scheduler runs the same jobs as beat does.
        from evaluation.contributed import register_person_rate
        from governance import scheduler
        from gridwork import tasks  # noqa: F401

        def purge_import_files() -> object:
            from gridwork.import_store import purge_stale_imports

            return purge_stale_imports()

        def remind_due_visits() -> object:
            from gridwork.visits import remind_due_visits

            return remind_due_visits()

        def compute_duty() -> object:
            from gridwork.duty import compute_recent_duty

            return compute_recent_duty()

        scheduler.register("gridwork: stale import files", purge_import_files)
        scheduler.register(
            "gridwork: visit reminders", _every("gridwork: visit reminders", remind_due_visits)
        )
        scheduler.register("gridwork: duty days", _every("gridwork: duty days", compute_duty))

        # "Patrol duty met" in a grid officer's evaluation score (evaluation is a lower layer:
        # it offers the registry, grid work fills it).
        from gridwork.duty import patrol_duty_met, patrol_duty_words

        register_person_rate("patrol_duty_met", rate=patrol_duty_met, how_counted=patrol_duty_words)

        # The demo city's registry, patrols and visits, seeded with it (`seed_demo`).
        from governance.seeding import demo_seeded

        demo_seeded.connect(_seed_demo_grid_work, dispatch_uid="gridwork-demo")


def _seed_demo_grid_work(sender, *, now=None, summary=None, **kwargs) -> None:
    from gridwork.demo import seed_grid_work

    tally = seed_grid_work(now=now)
    if summary is not None:
        summary.tallies["grid work"] = tally
