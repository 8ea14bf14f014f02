"""Where the emergency app's subscribers to other apps' signals are connected."""

from __future__ import annotations

from governance.seed_cases import stories_told


def _seed_emergencies(sender, *, now, **kwargs) -> None:
    """The demo city's plans, resources, past drill and open incident (once)."""
    from emergency.seeding import seed_emergency

    seed_emergency(now=now)


stories_told.connect(_seed_emergencies, dispatch_uid="emergency-demo")
