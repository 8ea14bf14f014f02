# The notification centre's models move here from `citizens`: the state only. The tables
# (`citizens_notification`, `citizens_notificationpreference`) stay as they are, with their
# rows, indexes and constraints; `citizens.0006` forgets the models on its side.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

KINDS = [
    ('case_created', 'a new case in my area'),
    ('status_changed', 'my request changed'),
    ('dispatched', 'a case dispatched to my department'),
    ('escalated', 'a case escalated to me'),
    ('due_soon', 'a case nearing its time limit'),
    ('overdue', 'a case past its time limit'),
    ('followed', 'a request I follow changed'),
    ('area_alert', 'a request in my alert area'),
]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('citizens', '0005_subscriptions'),
        ('governance', '0013_contact_messages'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=KINDS, max_length=20, verbose_name='kind')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('params', models.JSONField(blank=True, default=dict, help_text='What the title is made of: tracking id, category, status.', verbose_name='parameters')),
                        ('body', models.TextField(blank=True, verbose_name='text')),
                        ('created_at', models.DateTimeField(db_index=True, verbose_name='at')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read at')),
                        ('in_app', models.BooleanField(default=True, verbose_name='shown in the notification centre')),
                        ('email_wanted', models.BooleanField(default=False)),
                        ('emailed_at', models.DateTimeField(blank=True, null=True)),
                        ('sms_wanted', models.BooleanField(default=False)),
                        ('texted_at', models.DateTimeField(blank=True, null=True)),
                        ('case', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='governance.case', verbose_name='case')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='person')),
                    ],
                    options={
                        'verbose_name': 'notification',
                        'verbose_name_plural': 'notifications',
                        'db_table': 'citizens_notification',
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [
                            models.Index(fields=['user', 'read_at'], name='notification_user_unread'),
                            models.Index(condition=models.Q(models.Q(('email_wanted', True), ('emailed_at__isnull', True)), models.Q(('sms_wanted', True), ('texted_at__isnull', True)), _connector='OR'), fields=['created_at'], name='notification_pending'),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name='NotificationPreference',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=KINDS, max_length=20, verbose_name='kind')),
                        ('in_app', models.BooleanField(default=True, verbose_name='in the notification centre')),
                        ('email', models.BooleanField(default=True, verbose_name='by e-mail')),
                        ('sms', models.BooleanField(default=False, verbose_name='by SMS')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notification_preferences', to=settings.AUTH_USER_MODEL, verbose_name='person')),
                    ],
                    options={
                        'verbose_name': 'notification preference',
                        'verbose_name_plural': 'notification preferences',
                        'db_table': 'citizens_notificationpreference',
                        'constraints': [models.UniqueConstraint(fields=('user', 'kind'), name='notification_preference_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
