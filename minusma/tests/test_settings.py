"""Settings come from the environment; production refuses to run insecurely."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from minusma.settings.base import env_bool, env_list

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "DATABASE_REPLICA"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def _last_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_settings_refuse_to_start_without_a_secret_key():
    """Without DJANGO_SECRET_KEY the production settings raise instead of using a default."""
    result = _manage("check", DJANGO_SETTINGS_MODULE="minusma.settings.production")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_deploy_check_is_clean_under_production_settings():
    """manage.py check --deploy reports nothing with production settings and a real key."""
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="minusma.settings.production",
        DJANGO_SECRET_KEY="a-long-random-production-key-" + "x7Q2" * 12,
        DJANGO_ALLOWED_HOSTS="minusma.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_is_off_unless_asked_for():
    """DEBUG defaults to off; only an explicit DJANGO_DEBUG turns it on."""
    code = "from django.conf import settings; print(settings.DEBUG)"
    assert _last_line(_manage("shell", "-c", code)) == "False"
    assert _last_line(_manage("shell", "-c", code, DJANGO_DEBUG="true")) == "True"


def test_database_url_selects_the_database():
    """DATABASE_URL chooses the database; without it the local run uses an SQLite file in the project."""
    code = "from django.conf import settings; d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'])"
    default = _last_line(_manage("shell", "-c", code))
    assert default == f"django.db.backends.sqlite3 {ROOT / 'db.sqlite3'}"
    postgres = _last_line(_manage("shell", "-c", code, DATABASE_URL="postgres://u@db.example:5432/minusma"))
    assert postgres == "django.db.backends.postgresql minusma"


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("off", False), ("", False)])
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    """Booleans accept the usual spellings."""
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG") is expected


def test_env_bool_refuses_nonsense(monkeypatch):
    """A typo in a boolean setting stops the start rather than guessing."""
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_FLAG")


def test_env_list_splits_on_commas(monkeypatch):
    """Host lists are comma-separated with spaces ignored."""
    monkeypatch.setenv("X_HOSTS", "a.example, b.example ,")
    assert env_list("X_HOSTS") == ["a.example", "b.example"]


# SQLite under a web server's concurrent workers

CONCURRENT_WRITERS = """
import json, threading
from django.contrib.sessions.models import Session
from django.db import OperationalError, connection, transaction
from django.utils import timezone

with connection.schema_editor() as editor:
    editor.create_model(Session)
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal_mode = cursor.fetchone()[0]
errors, start = [], threading.Barrier(8)

def write(worker):
    try:
        start.wait()
        for step in range(25):
            # Read, then write, in one transaction: as a login does (the user, then the session and last_login).
            with transaction.atomic():
                Session.objects.filter(session_key__startswith=f"{worker}-").count()
                Session.objects.create(session_key=f"{worker}-{step}", session_data="x", expire_date=timezone.now())
    except OperationalError as error:
        errors.append(str(error))
    finally:
        connection.close()

threads = [threading.Thread(target=write, args=(worker,)) for worker in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"journal_mode": journal_mode, "errors": errors, "rows": Session.objects.count()}))
"""


@pytest.mark.parametrize("settings_module", ["local", "production", "test"])
def test_sqlite_file_database_takes_concurrent_writers(tmp_path, settings_module):
    """Eight threads, each with its own connection, write 25 read-then-write transactions at once to an SQLite file:
    none is told "database is locked", every row lands, and the database is in WAL mode (every settings module)."""
    result = _manage(
        "shell",
        "-c",
        CONCURRENT_WRITERS,
        DJANGO_SETTINGS_MODULE=f"minusma.settings.{settings_module}",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_SECRET_KEY="a-long-random-production-key-" + "x7Q2" * 12,
    )
    outcome = json.loads(_last_line(result))
    assert outcome["errors"] == []
    assert outcome["rows"] == 8 * 25
    assert outcome["journal_mode"] == "wal"


def test_sqlite_options_are_for_sqlite_only():
    """PostgreSQL gets none of SQLite's connection options, only its own (JIT off)."""
    code = "from django.conf import settings; print(sorted(settings.DATABASES['default'].get('OPTIONS', {})))"
    postgresql = _last_line(_manage("shell", "-c", code, DATABASE_URL="postgres://u@db.example:5432/minusma"))
    assert postgresql == "['options']"
    sqlite = _last_line(_manage("shell", "-c", code))
    assert sqlite == "['init_command', 'timeout', 'transaction_mode']"


@pytest.mark.postgresql_only("JIT is PostgreSQL's")
@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    """Every PostgreSQL connection has JIT off: compiling the plans of large aggregates cost more than it saved."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_replica_urls_make_mirrored_replica_aliases_and_turn_the_router_on():
    """DATABASE_REPLICA_URLS become replica_1, replica_2, … (test mirrors of default) and install the router; without
    them there is one database and no router."""
    code = (
        "from django.conf import settings; d = settings.DATABASES; "
        "print([(a, d[a]['HOST'], d[a]['TEST'].get('MIRROR')) for a in d], settings.DATABASE_ROUTERS)"
    )
    replicas = "postgres://u@replica-a:5432/minusma,postgres://u@replica-b:5432/minusma"
    configured = _last_line(
        _manage("shell", "-c", code, DATABASE_URL="postgres://u@primary:5432/minusma", DATABASE_REPLICA_URLS=replicas)
    )
    assert configured == (
        "[('default', 'primary', None), ('replica_1', 'replica-a', 'default'), ('replica_2', 'replica-b', 'default')]"
        " ['common.db_router.PrimaryReplicaRouter']"
    )
    alone = _last_line(_manage("shell", "-c", code, DATABASE_URL="postgres://u@primary:5432/minusma"))
    assert alone == "[('default', 'primary', None)] []"
