"""A datastream's chart, read only from rollups: a day in 5-minute buckets, a week in hours,
a month in days. One indexed range query on (datastream, bucket, start); drawn by the
project's server-side SVG charts (`evaluation.charts`), with its figures as a table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluation.charts import Chart, line_chart
from sensing.ingest import bucket_start
from sensing.models import Bucket, Datastream, Rollup


@dataclass(frozen=True)
class Span:
    label: str
    length: timedelta
    bucket: int
    fmt: str


RANGES = {
    "day": Span(gettext_lazy("Last 24 hours"), timedelta(days=1), Bucket.FIVE_MINUTES, "%H:%M"),
    "week": Span(gettext_lazy("Last 7 days"), timedelta(days=7), Bucket.HOUR, "%m-%d %H:00"),
    "month": Span(gettext_lazy("Last 30 days"), timedelta(days=30), Bucket.DAY, "%Y-%m-%d"),
}


def rollup_series(
    stream_id: int, *, bucket: int, since: datetime, until: datetime
) -> list[tuple[datetime, float | None, float | None, float | None, int]]:
    """(start, mean, min, max, count) per bucket in [since, until), gaps as None."""
    found = {
        start: (total / count if count else None, low, high, count)
        for start, total, count, low, high in Rollup.objects.filter(
            datastream_id=stream_id, bucket=bucket, start__gte=since, start__lt=until
        )
        .order_by("start")
        .values_list("start", "sum", "count", "min", "max")
    }
    series = []
    moment = since
    step = timedelta(seconds=bucket)
    while moment < until:
        mean, low, high, count = found.get(moment, (None, None, None, 0))
        series.append((moment, mean, low, high, count))
        moment += step
    return series


def datastream_chart(
    stream: Datastream, *, span: str = "day", now: datetime | None = None
) -> Chart:
    choice = RANGES[span]
    now = now or timezone.now()
    until = bucket_start(now, choice.bucket) + timedelta(seconds=choice.bucket)
    since = until - choice.length
    series = rollup_series(stream.pk, bucket=choice.bucket, since=since, until=until)
    local = timezone.get_current_timezone()
    points = [
        (start.astimezone(local).strftime(choice.fmt), None if mean is None else round(mean, 3))
        for start, mean, _low, _high, _n in series
    ]
    values = [v for _l, v in points if v is not None]
    top = max(values, default=0.0)
    unit = f" {stream.unit_symbol}" if stream.unit_symbol else ""
    return line_chart(
        f"{stream.name} · {choice.label}",
        points,
        label_header=_("Time"),
        value_header=_("Mean") + unit,
        scale_max=top * 1.1 if top > 0 else None,
    )
