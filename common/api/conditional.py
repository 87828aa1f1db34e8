"""Conditional requests: a record's version for If-Match, and when anything curated last changed."""

import datetime
import hashlib

from django.apps import apps
from django.db import connection
from django.utils.dateparse import parse_datetime
from django.utils.http import parse_etags


def record_version(record) -> str:
    """One version of one record, as the start of its ETag: its model, id and `modified` to the microsecond (every
    save changes it), hashed."""
    key = f"{record._meta.label}|{record.pk}|{record.modified.isoformat()}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def if_match_passes(record, header: str) -> bool:
    """Whether an If-Match header names the record's current version: `*`, or an ETag that starts with it. Strong
    comparison, as HTTP asks: a weak tag (W/"…") never matches."""
    tags = parse_etags(header)
    prefix = f'"{record_version(record)}.'
    return tags == ["*"] or any(tag.startswith(prefix) for tag in tags)


def latest_history_change() -> datetime.datetime | None:
    """When anything curated was last created, changed or deleted, from the audit history: one query of indexed
    MAX()es over every history table."""
    tables = sorted(
        model._meta.db_table
        for model in apps.get_models()
        if getattr(model, "history_type", None) is not None and hasattr(model, "instance_type")
    )
    if not tables:
        return None
    quote = connection.ops.quote_name
    # Table names come from the models, never from a request.
    latest = " UNION ALL ".join(f"SELECT MAX({quote('history_date')}) AS latest FROM {quote(t)}" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(latest) FROM ({latest}) AS changes")  # noqa: S608
        (value,) = cursor.fetchone()
    if isinstance(value, str):  # SQLite hands back the stored text
        value = parse_datetime(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value
