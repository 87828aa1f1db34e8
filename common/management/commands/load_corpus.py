from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from common import corpus, datacache
from common.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Load the corpus fixtures (every *.json in fixtures/) in dependency order, validating every record. "
        "Adds the records that are not in the database yet and leaves every existing row as it is, so curators' "
        "edits survive. All or nothing: a bad record refuses the whole load and the error names it. "
        "Loading twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="Fixture files or folders (default: fixtures/).")
        parser.add_argument("--database", default="default")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--update",
            action="store_true",
            help="Also change existing rows whose fields differ from the fixtures (overwriting curators' edits); "
            "each changed row gets one history entry naming the fixture file.",
        )
        mode.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only into a database that holds no corpus records yet (what start-up scripts run), so "
            "records curators deleted are not added back.",
        )

    def handle(self, *args, paths, database, update, if_empty, verbosity, **options):
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
        if if_empty and corpus.holds_corpus_records(using=database):
            self.stdout.write("The database already holds corpus records; nothing loaded (--if-empty).")
            return
        try:  # before anything is written: the load renews the data version in the cache once it commits
            datacache.check_reachable(using=database)
        except datacache.CacheUnreachable as error:
            raise CommandError(
                f"Nothing was loaded: the shared cache cannot be used ({error}). Without REDIS_URL the cache is a "
                "table in the database: run `manage.py createcachetable` first. With REDIS_URL, check that Redis "
                "is running there."
            ) from None
        bar = progress_bar(stdout=self.stdout, verbosity=verbosity, description="load_corpus", unit="record")
        try:
            with bar:
                report = corpus.load(files, using=database, update=update, progress=bar)
        except corpus.CorpusError as error:
            raise CommandError(f"Nothing was loaded. {error}") from None
        for label, _ in sorted(corpus.MODEL_RANK.items(), key=lambda item: item[1]):
            created, updated, present = (
                report.created.get(label, 0),
                report.updated.get(label, 0),
                report.present.get(label, 0),
            )
            if created or updated or present:
                self.stdout.write(f"{label:30} {created:5} new {updated:5} updated {present:5} already present")
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {report.total} records from {len(files)} files: {sum(report.created.values())} new, "
                f"{sum(report.updated.values())} updated, {sum(report.present.values())} already present."
            )
        )
