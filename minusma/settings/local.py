"""A developer's machine: zero configuration. DEBUG stays off unless DJANGO_DEBUG asks for it;
without DJANGO_SECRET_KEY a random key is made once and kept outside the repository."""

import secrets

from .base import *  # noqa: F403
from .base import BASE_DIR, secret_key_from_env


def _local_secret_key() -> str:
    key_file = BASE_DIR / "var" / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = secret_key_from_env() or _local_secret_key()

# Static files come straight from the apps, so a local run needs no collectstatic.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # nothing is collected outside production
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
