from django.db import migrations


def blank_wikidata_ids_to_null(apps, schema_editor):
    """Actors saved with an empty Wikidata id get NULL: the unique index allows many NULLs but one ""."""
    Actor = apps.get_model("actors", "Actor")
    Actor.objects.filter(wikidata_id__regex=r"^\s*$").update(wikidata_id=None)


class Migration(migrations.Migration):
    dependencies = [
        ("actors", "0004_history"),
    ]

    operations = [migrations.RunPython(blank_wikidata_ids_to_null, migrations.RunPython.noop)]
