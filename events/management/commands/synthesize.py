from django.core.management.base import BaseCommand, CommandError

from common.progress import progress_bar
from events import synthesis


class Command(BaseCommand):
    help = (
        "Add N synthetic incidents to a migrated database, for benchmarks at scale: each with one to three actor "
        "roles, one or two sources citing a verbatim sentence of a synthetic news article, and casualties citing "
        "their clause; with the articles (about 36 per 1000 incidents) and their quotes. Run after load_corpus, it "
        "reuses the corpus's places, actors and contingents; on an empty database it creates a small gazetteer and "
        "cast of its own. Rows are written in bulk (COPY on PostgreSQL) in one transaction and get no audit-history "
        "entries. The same seed on the same starting database gives the same records."
    )

    def add_arguments(self, parser):
        parser.add_argument("--incidents", type=int, required=True, help="How many incidents to add.")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random choices (default 1).")
        parser.add_argument("--database", default="default")

    def handle(self, *args, incidents, seed, database, verbosity, **options):
        if incidents < 1:
            raise CommandError("--incidents must be at least 1.")
        bar = progress_bar(
            stdout=self.stdout, verbosity=verbosity, description="synthesize", unit="incident", total=incidents
        )
        with bar:
            added = synthesis.synthesize(incidents, seed=seed, using=database, on_batch=bar.update)
        if verbosity:
            for label, count in added.items():
                self.stdout.write(f"{label:30} {count:9} new")
            self.stdout.write(self.style.SUCCESS(f"Added {incidents} synthetic incidents (seed {seed})."))
