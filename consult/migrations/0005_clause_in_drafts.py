"""A submission's clause is now drafts.ClauseVersion (same table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('consult', '0004_redact_personal_data_in_public_fields'),
        ('drafts', '0001_initial'),
    ]

    # The table stays where it is: only Django's picture of which app owns it changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='submission',
                    name='clause',
                    field=models.ForeignKey(blank=True, help_text='The clause (as published in one version); empty for the whole draft.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='submissions', to='drafts.clauseversion'),
                ),
            ],
            database_operations=[],
        ),
    ]
