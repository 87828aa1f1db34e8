"""Shared test fixtures. Per-app factories live in <app>/tests/factories.py."""

import os

import pytest
from django.db import connection


@pytest.fixture(autouse=True, scope="session")
def _expected_database_vendor(django_db_setup, django_db_blocker):
    """CI sets MINUSMA_EXPECT_DATABASE so a run meant for PostgreSQL cannot silently use SQLite."""
    expected = os.environ.get("MINUSMA_EXPECT_DATABASE")
    if expected:
        with django_db_blocker.unblock():
            assert connection.vendor == expected, f"tests ran on {connection.vendor}, expected {expected}"
