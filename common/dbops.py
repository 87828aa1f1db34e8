"""Migration operations for SQL that only one of the two databases understands: PostgreSQL's full-text
configurations, generated tsvector columns and trigram indexes; SQLite's FTS5 tables and their triggers (the search
engine's two halves, see common/search.py). On the other database they do nothing."""

from django.db import migrations


class RunVendorSQL(migrations.RunSQL):
    """RunSQL on one database vendor only."""

    vendor: str

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class RunPostgresSQL(RunVendorSQL):
    vendor = "postgresql"


class RunSQLiteSQL(RunVendorSQL):
    vendor = "sqlite"
