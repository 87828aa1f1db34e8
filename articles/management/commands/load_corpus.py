from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from minusma import corpus


class Command(BaseCommand):
    help = (
        "Load the corpus fixtures (every *.json in fixtures/) in dependency order, validating every record. "
        "All or nothing: a bad record refuses the whole load and the error names it. Loading twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="Fixture files or folders (default: fixtures/).")
        parser.add_argument("--database", default="default")

    def handle(self, *args, paths, database, **options):
        files = []
        for path in paths or [Path(settings.BASE_DIR) / "fixtures"]:
            if path.is_dir():
                files.extend(corpus.fixture_paths(path))
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"{path}: no such file or folder.")
        if not files:
            raise CommandError("No fixture files found.")
        try:
            report = corpus.load(files, using=database)
        except corpus.CorpusError as error:
            raise CommandError(f"Nothing was loaded. {error}") from None
        for label, _ in sorted(corpus.MODEL_RANK.items(), key=lambda item: item[1]):
            created, updated = report.created.get(label, 0), report.updated.get(label, 0)
            if created or updated:
                self.stdout.write(f"{label:30} {created:5} new {updated:5} already present")
        self.stdout.write(self.style.SUCCESS(f"Loaded {report.total} records from {len(files)} files."))
