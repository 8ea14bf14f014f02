"""CaseEvent.public (a boolean read as "the reporter sees it" on pages but "the world sees it"
in Open311) becomes an explicit audience: shown to the reporter → reporter, not → internal.
A submission's own entry (no text; its files are the case's own photos) is public, as the
case's description is; a private-location case is capped at reporter whatever it says.
The old column is dropped by the next migration (PostgreSQL refuses to alter a table in the
transaction that updated its rows).
"""

from django.db import migrations, models


def forwards(apps, schema_editor):
    CaseEvent = apps.get_model("governance", "CaseEvent")
    CaseEvent.objects.filter(public=False).update(audience="internal")
    CaseEvent.objects.filter(public=True).update(audience="reporter")
    CaseEvent.objects.filter(public=True, kind="submitted", note="").update(audience="public")


def backwards(apps, schema_editor):
    CaseEvent = apps.get_model("governance", "CaseEvent")
    CaseEvent.objects.filter(audience="internal").update(public=False)
    CaseEvent.objects.exclude(audience="internal").update(public=True)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0004_case_newest_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="audience",
            field=models.CharField(
                choices=[
                    ("internal", "staff only"),
                    ("reporter", "staff and the reporter"),
                    ("public", "everyone (public)"),
                ],
                default="reporter",
                max_length=8,
                verbose_name="audience",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
