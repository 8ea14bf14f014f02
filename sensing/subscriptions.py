"""Where sensing's subscribers to other apps' signals are connected."""

from __future__ import annotations

from governance.seed_cases import stories_told


def _seed_sensors(sender, *, now, **kwargs) -> None:
    """The demo city's things, readings, rules, alarms and carbon rows (once)."""
    from sensing.seeding import seed_sensing

    seed_sensing(now=now)


stories_told.connect(_seed_sensors, dispatch_uid="sensing-demo")
