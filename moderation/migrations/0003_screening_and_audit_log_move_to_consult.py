"""Screening and the audit log now belong to consult (tables unchanged); deciding on a
submission is a permission of the decision it makes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('consult', '0006_screening_and_audit_log'),
        ('moderation', '0002_create_role_groups'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='screening',
                    name='submission',
                ),
                migrations.DeleteModel(
                    name='AuditLog',
                ),
                migrations.DeleteModel(
                    name='Screening',
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelOptions(
            name='decision',
            options={'ordering': ['created_at', 'pk'], 'permissions': [('decide_submission', 'Can approve, remove or redact submissions')]},
        ),
    ]
