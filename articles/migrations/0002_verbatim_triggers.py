from django.db import migrations

from common.verbatim import VerbatimTrigger


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [VerbatimTrigger("articles_quote", "article_id", "text", "text_start", "text_end")]
