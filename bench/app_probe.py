"""In-process probe of the app for bench/run.py; runs in the app's own virtual environment, under the settings and
database bench/run.py gives it (DJANGO_SETTINGS_MODULE, DATABASE_URL).

    .venv/bin/python bench/app_probe.py facts
    .venv/bin/python bench/app_probe.py sql --runs 5 < scenarios.json
    .venv/bin/python bench/app_probe.py superuser --username bench --password …

`facts` prints what the harness needs to build its requests (counts, a deep page's keyset values); `sql` answers each
scenario's request through Django's test client with every query timed, and prints, per scenario, the median time
spent in the database and the number of queries (the "app vs raw SQL" columns); `superuser` makes the account the
admin scenarios sign in with. Output is one JSON document on stdout.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minusma.settings.production")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import OperationalError, connection  # noqa: E402
from django.test import Client  # noqa: E402

PAGE_SIZE = 50


class QueryTimer:
    """An execute wrapper that adds up the time of every query the request runs."""

    def __init__(self):
        self.seconds, self.count = 0.0, 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def facts(deep_page: int) -> dict:
    """Counts and the keyset values of the row before the deep page, in the app's and in Datasette's orders."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM events_incident")
        (incidents,) = cursor.fetchone()
        page = max(1, min(deep_page, -(-incidents // PAGE_SIZE)))
        offset = (page - 1) * PAGE_SIZE - 1
        keyset = {"date_from": None, "id": None}
        cursor_id = None
        if offset >= 0:
            # Datasette orders `_sort_desc=date_from` by date_from desc, then its primary key.
            cursor.execute(
                "SELECT date_from, id FROM events_incident ORDER BY date_from DESC, id LIMIT 1 OFFSET %s", [offset]
            )
            date_from, row_id = cursor.fetchone()
            keyset = {"date_from": str(date_from), "id": row_id}
            cursor.execute("SELECT id FROM events_incident ORDER BY id LIMIT 1 OFFSET %s", [offset])
            (cursor_id,) = cursor.fetchone()
    return {"incidents": incidents, "deep_page": page, "keyset": keyset, "cursor_id": cursor_id}


def time_raw_scan() -> dict:
    """Read every incident row with a plain cursor: the floor under any export of the table."""
    started = time.perf_counter()
    rows = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM events_incident")
        while batch := cursor.fetchmany(5000):
            rows += len(batch)
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "rows_per_second": rows / seconds if seconds else None}


def sql(scenarios: list[dict], runs: int, username: str, timeout: float) -> dict:
    """Per scenario: median SQL seconds and query count over `runs` in-process requests (one for exports). On
    PostgreSQL a query running longer than `timeout` seconds is cancelled, and the scenario reported as timed out."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(timeout * 1000)}")
    client, admin = Client(raise_request_exception=True), Client(raise_request_exception=True)
    user = get_user_model().objects.filter(username=username).first()
    if user is not None:
        admin.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    results = {}
    for scenario in scenarios:
        if scenario["kind"] == "export":
            results[scenario["name"]] = time_raw_scan()
            continue
        timings, counts, statuses = [], [], []
        for _ in range(runs):
            timer = QueryTimer()
            try:
                with connection.execute_wrapper(timer):
                    response = (admin if scenario.get("admin") else client).get(scenario["path"])
                    if getattr(response, "streaming", False):
                        for _chunk in response.streaming_content:
                            pass
            except OperationalError:  # statement_timeout: PostgreSQL cancelled the query
                results[scenario["name"]] = {"timeout": timeout}
                break
            timings.append(timer.seconds)
            counts.append(timer.count)
            statuses.append(response.status_code)
        if scenario["name"] in results:
            continue
        results[scenario["name"]] = {
            "sql_seconds": statistics.median(timings),
            "queries": sorted(set(counts)),
            "statuses": sorted(set(statuses)),
        }
    return results


def superuser(username: str, password: str) -> dict:
    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"email": f"{username}@example.org"})
    user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    return {"username": username}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["facts", "sql", "superuser"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--deep-page", type=int, default=2000)
    parser.add_argument("--username", default="bench")
    parser.add_argument("--password", default="")
    parser.add_argument("--timeout", type=float, default=30, help="seconds a query may run (PostgreSQL)")
    args = parser.parse_args()
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    if args.action == "facts":
        answer = facts(args.deep_page)
    elif args.action == "sql":
        answer = sql(json.load(sys.stdin), args.runs, args.username, args.timeout)
    else:
        answer = superuser(args.username, args.password)
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
