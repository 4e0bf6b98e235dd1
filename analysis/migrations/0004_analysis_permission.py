"""Viewing analysis is a permission of the analysis run it shows."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('analysis', '0003_clause_in_drafts'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='analysisrun',
            options={'ordering': ['-created_at'], 'permissions': [('view_analysis', 'Can view analysis dashboards')], 'verbose_name': 'analysis run'},
        ),
    ]
