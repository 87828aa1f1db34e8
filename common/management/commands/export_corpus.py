from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from common import corpus
from common.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Write the database's corpus back to fixtures/ as JSON with natural keys, one file per model, "
        "deterministically (the same data always gives the same bytes), so curated changes can be committed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=None, help="Folder to write (default: fixtures/).")
        parser.add_argument("--database", default="default")

    def handle(self, *args, output, database, verbosity, **options):
        directory = output or Path(settings.BASE_DIR) / "fixtures"
        with progress_bar(stdout=self.stdout, verbosity=verbosity, description="export_corpus", unit="record") as bar:
            written = corpus.export(directory, using=database, progress=bar)
        for path in written:
            self.stdout.write(f"wrote {path}")
