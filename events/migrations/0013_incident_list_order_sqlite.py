from django.db import migrations

from common.dbops import RunSQLiteSQL


class Migration(migrations.Migration):
    dependencies = [("events", "0012_incident_acled_event_id")]

    operations = [
        # The incident lists' default order whole (newest first, undated last, then title and id), on SQLite: with
        # the index on date_from alone, its planner sorted the whole table for a page of fewer than ten rows (170 ms
        # at 100k incidents for ?page_size=1). A DESC column of SQLite's puts nulls last, as the order wants; on
        # PostgreSQL events_incident_date_desc serves the order and its planner keeps to it at any page size.
        RunSQLiteSQL(
            "CREATE INDEX events_incident_list_order ON events_incident (date_from DESC, title, id)",
            "DROP INDEX IF EXISTS events_incident_list_order",
        ),
    ]
