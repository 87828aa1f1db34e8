"""Record addresses reversed once per URL pattern rather than once per record: a list or an export of a million
records asks for millions of them, and Django's reverse() costs ~15 µs each."""

import functools
import re

from django.urls import get_script_prefix, get_urlconf, reverse

# A stand-in value that no record has, reversed once per pattern and then replaced by each record's own.
PLACEHOLDER = "9" * 19

# Values that reverse() writes into a path as they are (it percent-encodes anything else).
_AS_IS = re.compile(r"[A-Za-z0-9_-]+")


@functools.lru_cache(maxsize=128)
def _path_template(viewname: str, kwarg: str | None, urlconf, script_prefix: str) -> str:
    if kwarg is None:
        return reverse(viewname, args=[PLACEHOLDER], urlconf=urlconf)
    return reverse(viewname, kwargs={kwarg: PLACEHOLDER}, urlconf=urlconf)


def record_path(viewname: str, value, kwarg: str | None = None) -> str:
    """reverse(viewname, args=[value]) (or kwargs={kwarg: value}) for a record's slug or id."""
    value = str(value)
    if not _AS_IS.fullmatch(value):
        return reverse(viewname, kwargs={kwarg: value}) if kwarg else reverse(viewname, args=[value])
    return _path_template(viewname, kwarg, get_urlconf(), get_script_prefix()).replace(PLACEHOLDER, value, 1)
