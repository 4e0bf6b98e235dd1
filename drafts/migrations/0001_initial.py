"""Draft versions and their clauses move here from the page app; their tables stay."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cms', '0003_reportpage_townhallpage'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The table stays where it is: only Django's picture of which app owns it changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DraftVersion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveIntegerField()),
                        ('note', models.CharField(blank=True, max_length=255)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('page', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='cms.consultationpage')),
                    ],
                    options={
                        'db_table': 'cms_draftversion',
                        'ordering': ['page', 'number'],
                    },
                ),
                migrations.CreateModel(
                    name='ClauseVersion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.SlugField(max_length=64)),
                        ('position', models.PositiveIntegerField()),
                        ('identifier', models.CharField(max_length=32)),
                        ('heading', models.CharField(blank=True, max_length=255)),
                        ('heading_ur', models.CharField(blank=True, max_length=255)),
                        ('text', models.TextField()),
                        ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='clauses', to='drafts.draftversion')),
                    ],
                    options={
                        'db_table': 'cms_clauseversion',
                        'ordering': ['version', 'position'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='draftversion',
                    constraint=models.UniqueConstraint(fields=('page', 'number'), name='unique_version_number'),
                ),
                migrations.AddConstraint(
                    model_name='clauseversion',
                    constraint=models.UniqueConstraint(fields=('version', 'key'), name='unique_clause_key_per_version'),
                ),
            ],
            database_operations=[],
        ),
    ]
