import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.intake import suggest
from articles.models import Article
from common.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Print the intake suggestions for an article (by slug or id) as one JSON document: quotes with their likely "
        "speakers, mentions of known actors and places, unknown names, dates, numbers and incident drafts, each with "
        "its kind, verbatim text, character offsets, proposed values and whether a record already holds it. "
        "Reads only; creates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("article", help="The article's slug or id.")
        parser.add_argument("--output", type=Path, help="Write the JSON to this file instead of standard output.")

    def handle(self, *args, article, output, verbosity, **options):
        found = Article.objects.filter(slug=article).first()
        if found is None and article.isascii() and article.isdigit():
            found = Article.objects.filter(pk=int(article)).first()
        if found is None:
            raise CommandError(f"No article with the slug or id “{article}”.")
        bar = progress_bar(stdout=self.stdout, verbosity=verbosity, description="suggest", unit="step", total=7)

        def advance(step: str) -> None:
            bar.set_postfix_str(step)
            bar.update(1)

        with bar:
            report = suggest(found, progress=advance)
        counts: dict[str, int] = {}
        for suggestion in report.suggestions:
            counts[str(suggestion.kind)] = counts.get(str(suggestion.kind), 0) + 1
        document = {
            "article": {"id": found.pk, "slug": found.slug, "title": found.title, "characters": len(found.body)},
            "counts": counts,
            "seconds": round(sum(report.timings.values()), 3),
            "suggestions": [suggestion.as_dict() for suggestion in report.suggestions],
        }
        text = json.dumps(document, ensure_ascii=False, indent=2)
        if output is None:
            self.stdout.write(text)
            return
        try:
            output.write_text(text + "\n", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
        if verbosity > 0:
            self.stderr.write(f"{len(report.suggestions)} suggestions written to {output}.")
