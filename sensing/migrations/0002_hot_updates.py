"""Rollups and datastreams are updated in place thousands of times a second (a bucket's count,
a stream's latest value): leave room on each page so PostgreSQL updates them without touching
their indexes (HOT updates), and vacuum them often. PostgreSQL only; nothing on SQLite."""

from django.db import migrations

TUNED = """
ALTER TABLE sensing_rollup SET (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.01,
    autovacuum_vacuum_cost_delay = 0, autovacuum_analyze_scale_factor = 0.05);
ALTER TABLE sensing_datastream SET (fillfactor = 30, autovacuum_vacuum_scale_factor = 0.01,
    autovacuum_vacuum_cost_delay = 0);
ALTER TABLE sensing_device SET (fillfactor = 30, autovacuum_vacuum_scale_factor = 0.01,
    autovacuum_vacuum_cost_delay = 0);
"""
DEFAULTS = """
ALTER TABLE sensing_rollup RESET (fillfactor, autovacuum_vacuum_scale_factor,
    autovacuum_vacuum_cost_delay, autovacuum_analyze_scale_factor);
ALTER TABLE sensing_datastream RESET (fillfactor, autovacuum_vacuum_scale_factor,
    autovacuum_vacuum_cost_delay);
ALTER TABLE sensing_device RESET (fillfactor, autovacuum_vacuum_scale_factor,
    autovacuum_vacuum_cost_delay);
"""


def tune(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TUNED)


def untune(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DEFAULTS)


class Migration(migrations.Migration):
    dependencies = [("sensing", "0001_sensing")]

    operations = [migrations.RunPython(tune, untune)]
