"""The demo city has months of settled history: every figure and grade is non-trivial."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from evaluation.indicators import Scope, evaluate, parse_period, rank_children
from evaluation.models import Obligation, Outcome
from governance.models import Area, Level


@pytest.mark.django_db
def test_the_seeded_city_has_graded_months_with_every_shape():
    call_command("seed_demo", verbosity=0)
    # Facts came from the replayed history (muted: through `history_replayed`).
    assert Obligation.objects.filter(reworked=True).exists()
    assert Obligation.objects.filter(outcome=Outcome.REDISPATCHED).exists()
    assert Obligation.objects.filter(rating__isnull=False).exists()
    live = sorted(Obligation.objects.values_list("start_event_id", "kind", "outcome"))
    call_command("rebuild_evaluation_facts", verbosity=0)
    assert sorted(Obligation.objects.values_list("start_event_id", "kind", "outcome")) == live

    district = Area.objects.get(level=Level.DISTRICT)
    month = timezone.localdate().replace(day=1) - timedelta(days=90)
    period = parse_period(f"{month:%Y-%m}")
    result = evaluate(Scope.for_area(district), period)
    assert result.grade is not None, result.figures.sample
    for name in ("on_time_closing_rate", "closing_rate", "rework_rate", "satisfaction_rate"):
        assert result.rates[name] is not None, name
    assert 0 < result.rates["rework_rate"] < 1
    assert result.previous is not None and result.previous.score is not None  # 环比
    streets = rank_children(district, period)
    scores = {r.figures.score for r in streets if r.figures.score is not None}
    assert len(scores) >= 3  # the streets differ
    grades = {r.figures.grade for r in streets}
    assert len(grades - {None}) >= 2
