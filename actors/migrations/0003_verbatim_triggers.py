from django.db import migrations

from common.verbatim import VerbatimTrigger


class Migration(migrations.Migration):
    dependencies = [("actors", "0002_initial"), ("articles", "0002_verbatim_triggers")]

    operations = [
        VerbatimTrigger(table, "source_id", "excerpt", "excerpt_start", "excerpt_end")
        for table in (
            "actors_actorrelation",
            "actors_position",
            "actors_contingentsource",
            "actors_strengthobservation",
        )
    ]
