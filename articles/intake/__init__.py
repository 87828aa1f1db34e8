"""The curators' intake engine: from an article body to suggested records, each anchored at its offsets.

`suggest(article)` runs every extractor (quotes, known actors and places, unknown names, dates, numbers, incident
drafts) over the body and marks what some record already holds. Nothing here writes to the database; accepting a
suggestion is articles.intake.services' job.
"""

from .engine import Report, suggest
from .lexicon import Lexicon
from .suggestion import Kind, Suggestion

__all__ = ["Kind", "Lexicon", "Report", "Suggestion", "suggest"]
