"""The screening record and the one audit log join the submission they describe (their
tables keep their names); an audit entry can name a record other than a submission."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('consult', '0005_clause_in_drafts'),
        ('moderation', '0002_create_role_groups'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='submission',
            options={'permissions': [('enter_submission', 'Can enter submissions for participants and run town halls')], 'verbose_name': 'submission'},
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('action', models.CharField(max_length=32)),
                        ('reason', models.CharField(blank=True, max_length=24)),
                        ('explanation', models.TextField(blank=True)),
                        ('before_text', models.TextField(blank=True)),
                        ('after_text', models.TextField(blank=True)),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('submission', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='consult.submission')),
                    ],
                    options={
                        'db_table': 'moderation_auditlog',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Screening',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('pii_kinds', models.JSONField(blank=True, default=list)),
                        ('flags', models.JSONField(blank=True, default=list)),
                        ('spam_score', models.FloatField(default=0.0)),
                        ('abuse_score', models.FloatField(default=0.0)),
                        ('hold_reasons', models.JSONField(blank=True, default=list)),
                        ('held', models.BooleanField(default=False)),
                        ('pre_moderated', models.BooleanField(default=False)),
                        ('submission', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='screening', to='consult.submission')),
                    ],
                    options={
                        'db_table': 'moderation_screening',
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name='auditlog',
            name='target_type',
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.AddField(
            model_name='auditlog',
            name='target_id',
            field=models.CharField(blank=True, max_length=64),
        ),
    ]
