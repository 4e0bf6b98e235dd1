"""A voice note's clause is now drafts.ClauseVersion (same table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('drafts', '0001_initial'),
        ('voice', '0001_initial'),
    ]

    # The table stays where it is: only Django's picture of which app owns it changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='voicenote',
                    name='clause',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='voice_notes', to='drafts.clauseversion'),
                ),
            ],
            database_operations=[],
        ),
    ]
