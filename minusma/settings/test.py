"""The test suite: fast hashing, a fixed key, the database from DATABASE_URL (SQLite in memory by default)."""

import os

import dj_database_url

from .base import *  # noqa: F403
from .base import for_concurrent_use

SECRET_KEY = "tests-only-not-secret"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES = {"default": for_concurrent_use(dj_database_url.parse(os.environ.get("DATABASE_URL", "sqlite://:memory:")))}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # nothing is collected outside production
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# One process: an in-memory cache keeps the query counts that the tests assert those of the code under test.
# minusma/tests/test_throttling.py checks the shared caches (database, Redis) themselves.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# A replica that is the test database itself (Django's test mirror), so the router's tests can route reads to it
# (common/tests/test_db_router.py turns the router on with override_settings). The suite runs without the router:
# its query-count assertions count the queries on `default`, where everything then goes.
DATABASES["replica_1"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS: list[str] = []  # whatever DATABASE_REPLICA_URLS says in the environment
