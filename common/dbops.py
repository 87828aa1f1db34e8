"""Migration operations for things only PostgreSQL has (full-text configurations, trigram and GIN indexes).

On SQLite they do nothing: the search there is a simpler, correct fallback (see minusma/search.py).
"""

from django.db import migrations


class RunPostgresSQL(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
