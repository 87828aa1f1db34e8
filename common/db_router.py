"""Read replicas: which database a query goes to when DATABASE_REPLICA_URLS names PostgreSQL streaming replicas.

Writes, locks and migrations go to the primary (`default`). Reads go to the primary too, unless the request being
served was let read from the replicas by common.middleware.ReplicaReadsMiddleware: a GET, HEAD or OPTIONS (not under
/admin/, nobody signed in) while the shared data version (common/datacache.py) says nothing curated changed within the
replication lag (`DATABASE_REPLICA_LAG_SECONDS`). So management commands, shells, the admin, curators, every write
request, and every request in the seconds after any write, read from the primary: a replica may not have the change
yet, and what is read then is cached and tagged (ETag, Last-Modified, the cached counts) under the data version that
includes it.

A request that writes (a lookup that creates, say) reads from the primary from then on. Sessions, API tokens, login
lockouts and the database cache (rate limits) are always read from the primary: who may do what is decided on current
rows, and counts are read and written together."""

import random
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, router
from django.http import HttpRequest

REPLICA_PREFIX = "replica_"
# App labels of tables read and written together, or that decide access: never read from a replica ("django_cache"
# is the label of DatabaseCache's table).
PRIMARY_ONLY_APPS = frozenset({"sessions", "authtoken", "axes", "django_cache"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ADMIN_PREFIX = "/admin/"

# False outside a request the middleware let read from replicas: everything else reads from the primary.
_reads_from_replicas: ContextVar[bool] = ContextVar("minusma_reads_from_replicas", default=False)


def replica_aliases() -> list[str]:
    """The replicas' database aliases, when the router is installed (settings.DATABASE_ROUTERS); else none."""
    if not any(isinstance(installed, PrimaryReplicaRouter) for installed in router.routers):
        return []
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


def reads_from_replicas() -> bool:
    """Whether reads in this context go to a replica."""
    return _reads_from_replicas.get()


@contextmanager
def replica_reads() -> Iterator[None]:
    """Inside: reads go to the replicas (unless something inside writes or learns of a recent change)."""
    token = _reads_from_replicas.set(True)
    try:
        yield
    finally:
        _reads_from_replicas.reset(token)


def read_from_primary() -> None:
    """From now on, until the request ends, this request reads from the primary."""
    _reads_from_replicas.set(False)


def note_data_version_made(seconds_ago: float) -> None:
    """The data version this request reads under was made `seconds_ago`: within the replication lag a replica may not
    have that change yet, so the request reads from the primary from now on (datacache.data_version() calls this)."""
    if reads_from_replicas() and seconds_ago < settings.DATABASE_REPLICA_LAG_SECONDS:
        read_from_primary()


class PrimaryReplicaRouter:
    """Writes and migrations on the primary; reads on a replica, chosen at random, where reads_from_replicas()."""

    def db_for_read(self, model, **hints) -> str:
        if not reads_from_replicas() or model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        replicas = replica_aliases()
        return random.choice(replicas) if replicas else DEFAULT_DB_ALIAS  # noqa: S311 - spreading load, not a secret

    def db_for_write(self, model, **hints) -> str:
        if model._meta.app_label not in PRIMARY_ONLY_APPS:
            read_from_primary()  # read what it wrote; a rate-limit count or session write changes nothing read here
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        """The primary and its replicas hold the same rows: a record read from one may point at one from another."""
        same_data = {DEFAULT_DB_ALIAS, *replica_aliases()}
        if obj1._state.db in same_data and obj2._state.db in same_data:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool:
        """Only the primary is migrated; replicas get the schema by replication."""
        return db == DEFAULT_DB_ALIAS


def may_read_from_replicas(request: HttpRequest) -> bool:
    """Whether the request is one that may read from replicas, before looking at how recent the data is: there are
    replicas, it only reads, and it is neither the admin's nor a signed-in curator's (who read back what they write)."""
    return (
        bool(replica_aliases())  # first: without replicas, nothing else is looked at (the user is not loaded)
        and request.method in SAFE_METHODS
        and not request.path.startswith(ADMIN_PREFIX)
        and not request.user.is_authenticated
    )
