"""Counting rows without scanning a large table: the database's own estimates, and counts that stop at a cap.

Datasette's idea (and django-postgres-fuzzycount's): an exact count of a million rows costs a scan, and a reader of
a list needs to know "about a million", not the last digit. The admin's changelists (common.admin) and the API's
numbered pages (common.api.pagination) count this way.
"""

import json
from dataclasses import dataclass

from django.db import connections, models

EXACT, ESTIMATE, LOWER_BOUND = "exact", "estimate", "lower_bound"


@dataclass(frozen=True)
class RowCount:
    """How many rows match, and how that is known: `exact`; an `estimate` of the database's; or a `lower_bound`
    (at least this many: the count stopped there)."""

    value: int
    precision: str = EXACT

    @property
    def exact(self) -> bool:
        return self.precision == EXACT


def capped_count(queryset: models.QuerySet, *, up_to: int) -> RowCount:
    """The queryset's rows counted exactly when there are at most `up_to` of them (a count that reads at most
    `up_to` + 1 matching rows); beyond that the planner's estimate (PostgreSQL), the table's estimate (a list that
    is not filtered), or else the lower bound `up_to` + 1. One query, two when the cap is passed."""
    counted = queryset.order_by()[: up_to + 1].count()
    if counted <= up_to:
        return RowCount(counted)
    if not queryset.query.where and not queryset.query.distinct:
        estimate = estimated_rows(queryset.model, queryset.db)
    elif connections[queryset.db].vendor == "postgresql":
        estimate = planned_rows(queryset)
    else:
        estimate = None
    if estimate is None:
        return RowCount(counted, LOWER_BOUND)
    return RowCount(max(estimate, counted), ESTIMATE)


def estimated_rows(model: type[models.Model], using: str) -> int | None:
    """The table's row count as the database estimates it, without scanning: PostgreSQL's planner statistics
    (pg_class.reltuples, kept by autovacuum/ANALYZE), SQLite's sqlite_stat1 (ANALYZE) or else its largest rowid.
    None when there is no estimate (a PostgreSQL table never analysed)."""
    connection = connections[using]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)", [f'"{table}"'])
            row = cursor.fetchone()
            return row[0] if row and row[0] >= 0 else None
        if connection.vendor == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s LIMIT 1", [table])
                row = cursor.fetchone()
                if row and row[0]:
                    return int(row[0].split()[0])
            pk = connection.ops.quote_name(model._meta.pk.column)
            cursor.execute(f"SELECT MAX({pk}) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - model names
            row = cursor.fetchone()
            return row[0] if row and isinstance(row[0], int) else None
    return None


def planned_rows(queryset: models.QuerySet) -> int:
    """The number of rows PostgreSQL's planner expects the queryset to return (EXPLAIN, which runs nothing)."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
