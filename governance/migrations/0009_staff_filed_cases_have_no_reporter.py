"""Cases staff filed from a call or on patrol had the officer as their reporter (so the officer
was offered "Withdraw my request" and the timeline called them the reporter). They have no
reporter account: the caller's contact is the contact; the submission's entry names the officer."""

from django.db import migrations

STAFF_CHANNELS = ("hotline", "patrol")


def forwards(apps, schema_editor):
    Case = apps.get_model("governance", "Case")
    Case.objects.filter(channel__in=STAFF_CHANNELS, reporter__isnull=False).update(reporter=None)


class Migration(migrations.Migration):
    dependencies = [("governance", "0008_outbox_message")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
