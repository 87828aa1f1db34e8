"""A time budget for one query: past it the database stops the query, the caller is told, nothing else breaks."""

import pytest
from django.db import connection

from common.timelimit import TimeLimitExceeded, time_limited

pytestmark = pytest.mark.django_db

# Long enough to outlast any budget below on either database; cheap to stop.
SLOW = {
    "postgresql": "SELECT pg_sleep(5)",
    "sqlite": (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) SELECT COUNT(*) FROM n"
    ),
}


def run(sql: str):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def test_a_query_past_its_budget_is_stopped_and_reported():
    """A query that would take seconds is stopped after the budget, as TimeLimitExceeded, not an OperationalError."""
    with pytest.raises(TimeLimitExceeded), time_limited(50):
        run(SLOW[connection.vendor])


def test_the_connection_and_its_transaction_go_on_after_a_stop():
    """After a stopped query the same transaction answers the next query, without the budget."""
    with pytest.raises(TimeLimitExceeded), time_limited(50):
        run(SLOW[connection.vendor])
    assert run("SELECT 1") == 1
    if connection.vendor == "postgresql":
        assert run("SHOW statement_timeout") == "0"


def test_a_quick_query_within_its_budget_answers():
    """A query that fits in its budget returns its rows, and the budget does not outlive the block."""
    with time_limited(5000):
        assert run("SELECT 2") == 2
    if connection.vendor == "postgresql":
        assert run("SHOW statement_timeout") == "0"
