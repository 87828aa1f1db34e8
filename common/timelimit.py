"""A time budget for one optional query (a facet's counts), as Datasette gives its facets (facet_time_limit_ms): past
the budget the database stops the query and the caller shows the page without that part, never an error.

- PostgreSQL: `statement_timeout` set for the block alone (`set_config(..., true)` in its own transaction or
  savepoint, which is then rolled back: the block only reads, and the setting goes with it).
- SQLite: a progress handler that interrupts the statement once the deadline has passed (Datasette's way).
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction

PROGRESS_STEPS = 1000  # SQLite virtual machine instructions between two looks at the clock (about 0.1 ms)


class TimeLimitExceeded(Exception):
    """The block's query ran past its budget and was stopped."""


def _interrupted(error: OperationalError) -> bool:
    cause = error.__cause__
    name = type(cause).__name__ if cause is not None else ""
    return name == "QueryCanceled" or "interrupted" in str(error).lower() or "statement timeout" in str(error)


@contextmanager
def time_limited(milliseconds: int, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Run the block's queries with a budget of `milliseconds` each; TimeLimitExceeded when one runs past it. The
    block must only read: on PostgreSQL its transaction (or savepoint) is rolled back."""
    connection = connections[using]
    try:
        if connection.vendor == "postgresql":
            with transaction.atomic(using=using):
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(int(milliseconds))])
                yield
                transaction.set_rollback(True, using=using)
        elif connection.vendor == "sqlite":
            connection.ensure_connection()
            deadline = time.monotonic() + milliseconds / 1000
            raw = connection.connection
            raw.set_progress_handler(lambda: time.monotonic() > deadline, PROGRESS_STEPS)
            try:
                yield
            finally:
                raw.set_progress_handler(None, PROGRESS_STEPS)
        else:
            yield
    except OperationalError as error:
        if _interrupted(error):
            raise TimeLimitExceeded(f"stopped after {milliseconds} ms") from error
        raise


def queries_per_limit(using: str = DEFAULT_DB_ALIAS) -> int:
    """The statements one time-limited block adds inside a transaction (as in the tests), for query counts: on
    PostgreSQL the savepoint, the setting, the rollback to the savepoint and its release; none on SQLite."""
    return 4 if connections[using].vendor == "postgresql" else 0
