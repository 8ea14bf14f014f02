# The notification centre's models now live in the `notifications` app (its `0001` takes them
# over, tables and rows unchanged): here they are only forgotten, never dropped.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('citizens', '0005_subscriptions'),
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='Notification'),
                migrations.DeleteModel(name='NotificationPreference'),
            ],
            database_operations=[],
        ),
    ]
