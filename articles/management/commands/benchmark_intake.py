import statistics
import time

from django.core.management.base import BaseCommand, CommandError

from articles.intake import Lexicon, suggest
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Time the intake suggestions for a long article: the seed articles' bodies joined until they reach --words "
        "words (5,000 by default), run --repeat times against this database's actors, places and aliases (load the "
        "corpus first, or synthesize a larger registry). Prints the median and the slowest run, with the lexicon "
        "built from the database on every run, as the admin page does. A measurement, not a test: nothing is "
        "asserted or written."
    )

    def add_arguments(self, parser):
        parser.add_argument("--words", type=int, default=5000)
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args, words: int, repeat: int, **options):
        if words < 1 or repeat < 1:
            raise CommandError("--words and --repeat must be positive.")
        bodies = list(Article.objects.order_by("seed_file", "pk").values_list("body", flat=True)[:20])
        if not bodies:
            raise CommandError("No article to take text from: run load_corpus first.")
        paragraphs: list[str] = []
        count = 0
        while count < words:
            for body in bodies:
                for paragraph in body.split("\n\n"):
                    paragraphs.append(paragraph)
                    count += len(paragraph.split())
                    if count >= words:
                        break
                if count >= words:
                    break
        article = Article(title="Benchmark", slug="benchmark", body="\n\n".join(paragraphs))
        article.date_from = article.date_to = (
            Article.objects.order_by("-date_from").values_list("date_from", flat=True).first()
        )
        lexicon_size = len(Lexicon.from_database().entries)
        runs, steps = [], {}
        for _ in range(repeat):
            started = time.perf_counter()
            report = suggest(article, mark=False)
            runs.append(time.perf_counter() - started)
            for step, seconds in report.timings.items():
                steps.setdefault(step, []).append(seconds)
        self.stdout.write(
            f"{article.count_words()} words, {len(article.body)} characters, {lexicon_size} known names, "
            f"{len(report.suggestions)} suggestions; {repeat} runs: median {statistics.median(runs):.3f} s, "
            f"slowest {max(runs):.3f} s (target < 2 s)."
        )
        self.stdout.write(
            "Median per step: " + ", ".join(f"{step} {statistics.median(times):.3f} s" for step, times in steps.items())
        )
