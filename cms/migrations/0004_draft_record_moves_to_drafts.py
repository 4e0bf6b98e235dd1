"""Draft versions and their clauses now belong to the drafts app; their tables stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('analysis', '0003_clause_in_drafts'),
        ('cms', '0003_reportpage_townhallpage'),
        ('consult', '0005_clause_in_drafts'),
        ('drafts', '0001_initial'),
        ('voice', '0002_clause_in_drafts'),
    ]

    # Django's picture changes; the tables are the drafts app's now (Meta.db_table).
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='clauseversion',
                    name='version',
                ),
                migrations.RemoveField(
                    model_name='draftversion',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='draftversion',
                    name='page',
                ),
                migrations.DeleteModel(
                    name='ClauseVersion',
                ),
                migrations.DeleteModel(
                    name='DraftVersion',
                ),
            ],
            database_operations=[],
        ),
    ]
