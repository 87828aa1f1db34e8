import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from articles.intake.evaluation import TARGETS, Corpus, evaluate
from common.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Score the intake suggestions against the corpus: run them over each seed article's body as if nothing were "
        "recorded (only actors, places and aliases known) and report, per kind, recall (fixture records the "
        "suggestions would have produced) and precision (suggestions a fixture record bears out). Reads the "
        "fixture files; touches no database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fixtures", type=Path, default=Path(settings.BASE_DIR) / "fixtures")
        parser.add_argument("--json", action="store_true", help="Print the scores, misses and errors as JSON.")
        parser.add_argument("--misses", action="store_true", help="List what was missed and what was wrong.")

    def handle(self, *args, fixtures, json: bool, misses: bool, verbosity, **options):
        corpus = Corpus(fixtures)
        bar = progress_bar(
            stdout=self.stdout, verbosity=verbosity, description="evaluate", unit="article", total=len(corpus.articles)
        )
        with bar:
            result = evaluate(corpus, progress=lambda slug: bar.update(1))
        if json:
            self.stdout.write(_dumps(result.as_dict()))
            return
        self.stdout.write(result.table())
        self.stdout.write("")
        self.stdout.write("Targets: " + ", ".join(f"{kind} {target:.0%}" for kind, target in TARGETS.items()))
        self.stdout.write("Seconds per article: " + ", ".join(f"{s}: {t:.2f}" for s, t in result.seconds.items()))
        if misses:
            for score in result.scores.values():
                for line in score.misses:
                    self.stdout.write(f"[{score.kind} missed] {line}")
                for line in score.wrong:
                    self.stdout.write(f"[{score.kind} wrong] {line}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
