"""CaseEvent.public is replaced by CaseEvent.audience (0005)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0005_event_audience"),
    ]

    operations = [
        migrations.RemoveField(model_name="caseevent", name="public"),
    ]
