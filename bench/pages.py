"""Time a few pages in-process, the quick check beside bench/run.py: for each path, the median wall time of --runs
requests through Django's test client (signed in as a superuser, for the admin), after --warmup untimed ones, with
the time spent in SQL and the number of queries. Runs in the app's environment on the database DATABASE_URL names:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minusma_bench_1m \\
        .venv/bin/python bench/pages.py / /timeline/ /incidents/ /admin/events/incident/
    .venv/bin/python bench/pages.py --cold / /timeline/    # the first request after the data changed

`--cold` renews the cached aggregates' data version first (common/datacache.py), as any write does, and times one
request per path. Settings are minusma.settings.local (no collectstatic needed) with DEBUG off; the rate limits are
raised out of the way. It creates a superuser `bench-pages` if there is none.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minusma.settings.local")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_WEB_THROTTLE_PAGES", "1000000/minute")
os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")

import django

django.setup()

from app_probe import QueryTimer  # noqa: E402  (bench/ is the script's folder: the SQL probe's timer)
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from common import datacache  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--cold", action="store_true", help="renew the data version first; one request per path")
    args = parser.parse_args()
    if args.cold:
        datacache.bump_data_version()
        args.runs, args.warmup = 1, 0
    user = get_user_model().objects.filter(username="bench-pages").first()
    if user is None:
        user = get_user_model().objects.create_superuser("bench-pages", password=None)
    client = Client()
    client.force_login(user)
    print("| path | p50 | max | SQL p50 [queries] | status | size |")
    print("| --- | --- | --- | --- | --- | --- |")
    for path in args.paths:
        walls, sql, queries, status, size = [], [], 0, None, 0
        for run in range(args.warmup + args.runs):
            timer = QueryTimer()
            with connection.execute_wrapper(timer):
                started = time.perf_counter()
                response = client.get(path)
                body = b"".join(response.streaming_content) if response.streaming else response.content
                wall = time.perf_counter() - started
            if run >= args.warmup:
                walls.append(wall)
                sql.append(timer.seconds)
                queries, status, size = timer.count, response.status_code, len(body)
        print(
            f"| {path} | {statistics.median(walls) * 1000:.0f} ms | {max(walls) * 1000:.0f} ms "
            f"| {statistics.median(sql) * 1000:.0f} ms [{queries}] | {status} | {size // 1024} KB |",
            flush=True,
        )


if __name__ == "__main__":
    main()
