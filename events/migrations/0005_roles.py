from django.db import migrations

from common.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("articles", "0004_history"),
        ("actors", "0004_history"),
        ("events", "0004_history"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
