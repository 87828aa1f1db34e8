"""Progress bars for commands that can run long (load_corpus, export_corpus, synthesize).

A bar is drawn on stderr, and only for a person watching: with --verbosity 0, or when the command's output goes to a
file, a pipe or a test's buffer, it stays silent, so logs and test output stay clean.
"""

import sys

from tqdm import tqdm


def progress_bar(*, stdout, verbosity: int, description: str, unit: str, total: int | None = None) -> tqdm:
    """A tqdm bar for a management command; disabled (every call a no-op) unless a person is watching."""
    watching = verbosity > 0 and stdout.isatty() and sys.stderr.isatty()
    return tqdm(total=total, desc=description, unit=unit, unit_scale=True, disable=not watching, file=sys.stderr)


def no_progress() -> tqdm:
    """A bar that shows nothing, for callers that pass none."""
    return tqdm(disable=True)
