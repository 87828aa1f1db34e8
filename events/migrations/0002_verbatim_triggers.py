from django.db import migrations

from common.verbatim import VerbatimTrigger


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial"), ("articles", "0002_verbatim_triggers")]

    operations = [
        VerbatimTrigger(table, "source_id", "excerpt", "excerpt_start", "excerpt_end")
        for table in ("events_incidentsource", "events_casualty", "events_figure")
    ]
