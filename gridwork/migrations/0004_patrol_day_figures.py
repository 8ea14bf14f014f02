from django.db import migrations, models
from django.utils import timezone


def figures_on_the_first_day(apps, schema_editor):
    """Patrols stored before the figures per day: all of their figures on the day they started
    (as the duty sheet counted them until then)."""
    Patrol = apps.get_model("gridwork", "Patrol")
    changed = []
    for patrol in Patrol.objects.filter(day_figures={}).only(
        "started_at", "seconds_in_grid", "distance_m"
    ).iterator(chunk_size=2000):
        if not (patrol.seconds_in_grid or patrol.distance_m):
            continue
        day = timezone.localdate(patrol.started_at).isoformat()
        patrol.day_figures = {day: {"s": patrol.seconds_in_grid, "m": round(patrol.distance_m, 1)}}
        changed.append(patrol)
    Patrol.objects.bulk_update(changed, ["day_figures"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("gridwork", "0003_visits_duty"),
    ]

    operations = [
        migrations.AddField(
            model_name="patrol",
            name="day_figures",
            field=models.JSONField(blank=True, default=dict, verbose_name="figures per day"),
        ),
        migrations.RunPython(figures_on_the_first_day, migrations.RunPython.noop),
    ]
