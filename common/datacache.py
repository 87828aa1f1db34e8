"""Aggregates kept in the shared cache under a data version that every write to the curated data renews.

Counting a million incidents by year takes seconds; the answer changes only when the data does. So a counting function
(`@cached_by_data_version`) or a block of counts (`cached()`) is stored in the cache every worker shares (Redis, or the
database table: settings.CACHES) under a key made of the current data version and what was asked (the SQL of the
queryset counted, the arguments). A write makes a new version, so the next request counts again: stale counts are
never shown, and nothing has to know which keys a write affects.

Who renews the version:
- every save, delete and many-to-many change of the models of the apps that call `track()` (the admin, the API,
  imports, load_corpus, merges), once the transaction commits: a reader that counted the old rows meanwhile stored
  them under the old version, which no one asks for again; until then, the writing transaction itself counts without
  the cache (it sees its own changes, and may still roll them back);
- writes that send no signals (synthesize's bulk COPY, raw SQL, QuerySet.update) call `data_changed(model, using)`
  or `bump_data_version()` themselves, or register it with `transaction.on_commit`.
"""

import datetime
import functools
import hashlib
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.apps import AppConfig
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections, router, transaction
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save

from common import db_router

VERSION_KEY = "minusma:data-version"
TIMEOUT = 24 * 60 * 60  # seconds an aggregate is kept; entries of versions left behind expire with it
_MISSING = object()
Result = TypeVar("Result")


def _new_version() -> str:
    """A version that says when it was made (microseconds since the epoch, for Last-Modified) and is unique."""
    return f"{time.time_ns() // 1000}.{uuid.uuid4().hex}"


def data_version() -> str:
    """The current data version (made on first use, and again if the cache lost it: then everything is recounted)."""
    version = cache.get(VERSION_KEY)
    if version is not None and not _says_when_made(version):
        version = None  # one kept by an earlier release of the app (a bare uuid): renewed, as if the cache lost it
        cache.delete(VERSION_KEY)
    if version is None:
        version = _new_version()
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    # What is read under a version is cached and tagged with it: not from a replica that may not have its change yet.
    if db_router.reads_from_replicas():
        db_router.note_data_version_made(time.time() - version_made_at(version).timestamp())
    return version


class CacheUnreachable(Exception):
    """The shared cache cannot be used: a write would commit and then fail to renew the data version."""


def check_reachable(using: str = "default") -> None:
    """Read the data version (made the first time): CacheUnreachable, saying why, if the cache cannot be used. In a
    savepoint, as the database's cache table may be missing and a failed query would end the caller's transaction."""
    try:
        with transaction.atomic(using=using):
            data_version()
    except Exception as error:  # each backend fails its own way: a missing table, a refused connection
        first_line = next(iter(str(error).splitlines()), "")
        raise CacheUnreachable(f"{type(error).__name__}: {first_line}".strip()) from error


def _says_when_made(version: str) -> bool:
    microseconds, dot, _ = str(version).partition(".")
    return bool(dot) and microseconds.isascii() and microseconds.isdigit()


def version_made_at(version: str) -> datetime.datetime:
    """When a data version was made: just after the commit that renewed it (or later, if the cache lost it), never
    before the change, so it can serve as the Last-Modified of anything read at that version."""
    microseconds, _, _ = version.partition(".")
    return datetime.datetime.fromtimestamp(int(microseconds) / 1_000_000, tz=datetime.UTC)


def bump_data_version() -> None:
    """Renew the data version: every aggregate cached so far is counted again when next asked for."""
    cache.set(VERSION_KEY, _new_version(), timeout=None)


def uncommitted_changes() -> bool:
    """Whether this thread is inside a transaction that changed tracked data and has not committed yet."""
    return any(
        connection.in_atomic_block and any(func is bump_data_version for _, func, _ in connection.run_on_commit)
        for connection in connections.all(initialized_only=True)
    )


def cached(
    name: str, parts: Any, compute: Callable[[], Result], *, timeout: int | Callable[[Result], int] = TIMEOUT
) -> Result:
    """`compute()`'s value for `parts` (anything with a stable repr) at the current data version, from the cache when
    it holds it, kept `timeout` seconds (or as many as `timeout(value)` says). Inside a transaction that changed data
    and has not committed, it is computed and not stored: such a transaction sees its own changes, which others do
    not see yet and which may still be rolled back."""
    return cached_all(name, [(parts, compute)], timeout=timeout)[0]


def cached_all(
    name: str, jobs: list[tuple[Any, Callable[[], Result]]], *, timeout: int | Callable[[Result], int] = TIMEOUT
) -> list[Result]:
    """cached() for several values at once, in one round trip to the cache (and one for those computed): a list
    page's facets. `jobs` are (parts, compute) pairs; the values come back in their order."""
    if uncommitted_changes():
        return [compute() for _, compute in jobs]
    version = data_version()
    keys = [f"minusma:{name}:{version}:{hashlib.sha256(repr(parts).encode()).hexdigest()[:32]}" for parts, _ in jobs]
    found = cache.get_many(keys)
    values, computed = [], {}
    for key, (_, compute) in zip(keys, jobs, strict=True):
        if key not in found:
            found[key] = computed[key] = compute()
        values.append(found[key])
    if computed and callable(timeout):
        for key, value in computed.items():
            cache.set(key, value, timeout(value))
    elif computed:
        cache.set_many(computed, timeout)
    return values


def cached_by_data_version(name: str) -> Callable:
    """Decorate a function of a queryset (and keyword arguments) that returns something counted from it: its value is
    cached per SQL of the queryset, arguments and data version. The undecorated function stays at `.uncached`."""

    def decorate(function: Callable[..., Result]) -> Callable[..., Result]:
        @functools.wraps(function)
        def wrapper(queryset: QuerySet, **kwargs) -> Result:
            try:
                sql, params = queryset.query.sql_with_params()
            except EmptyResultSet:  # .none(): nothing to count, nothing worth caching
                return function(queryset, **kwargs)
            parts = (queryset.db, sql, params, sorted(kwargs.items()))
            return cached(name, parts, lambda: function(queryset, **kwargs))

        wrapper.uncached = function
        return wrapper

    return decorate


def data_changed(sender, using=None, **kwargs) -> None:
    """A tracked model's row changed: renew the version when its transaction commits (once per transaction). The
    signals call it; so does a bulk write that sends none (QuerySet.update), with its model and database."""
    using = using or router.db_for_write(sender)
    connection = connections[using]
    if not connection.in_atomic_block:
        bump_data_version()
        return
    # One renewal per transaction is enough. One registered in a savepoint that was rolled back is gone (Django drops
    # it); one registered in a savepoint since released, or in one still open around this change, runs at the commit
    # unless a savepoint around this change is rolled back too, taking the change with it. (Registering one per
    # record cost a corpus load a thousand cache writes after its commit.)
    if any(func is bump_data_version for _, func, _ in connection.run_on_commit):
        return
    transaction.on_commit(bump_data_version, using=using)


def track(app_config: AppConfig) -> None:
    """Renew the data version on every write to the app's models (call from AppConfig.ready())."""
    for model in app_config.get_models(include_auto_created=True):
        uid = f"datacache:{model._meta.label}"
        post_save.connect(data_changed, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(data_changed, sender=model, weak=False, dispatch_uid=uid)
        m2m_changed.connect(data_changed, sender=model, weak=False, dispatch_uid=uid)
