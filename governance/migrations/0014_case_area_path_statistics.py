"""Finer planner statistics for cases' area paths (PostgreSQL): one grid's cases estimated as
the hundreds they are, not the ten thousand a default histogram of 100 buckets gives a prefix
among 20,000 grids.

With the default, at a million cases an officer's queue intersected the open-case index (22,573
rows, 17 ms) with their grid's few cases, and the API list started two parallel workers for 157
rows (60 ms, almost all of it starting the workers): BENCHMARKS.md, "Serving". With 1,000
buckets both read the grid's rows alone (0.6 ms and 1.9 ms) and planning stays short (10,000
buckets tripled it). Takes effect at the next ANALYZE (autovacuum's, or the one this runs).
"""

from django.db import migrations

STATISTICS = 1000


def finer_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE governance_case ALTER COLUMN area_path SET STATISTICS %s" % STATISTICS
        )
        cursor.execute("ANALYZE governance_case (area_path)")


def default_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE governance_case ALTER COLUMN area_path SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("governance", "0013_contact_messages")]

    operations = [migrations.RunPython(finer_statistics, default_statistics, elidable=False)]
