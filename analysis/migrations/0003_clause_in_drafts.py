"""A response's changed clause is now drafts.ClauseVersion (same table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('analysis', '0002_initial'),
        ('drafts', '0001_initial'),
    ]

    # The table stays where it is: only Django's picture of which app owns it changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='themeresponse',
                    name='changed_clause',
                    field=models.ForeignKey(blank=True, help_text='The clause as changed in the next draft version.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='drafts.clauseversion', verbose_name='changed clause'),
                ),
            ],
            database_operations=[],
        ),
    ]
