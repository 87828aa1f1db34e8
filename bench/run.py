"""Benchmark the app against Datasette on the same data, at scale. See bench/README.md.

    python3 -m venv var/bench/venv && var/bench/venv/bin/pip install -r bench/requirements.txt
    var/bench/venv/bin/python bench/run.py --sizes 5000 --databases sqlite postgresql

For each size and database: builds (or reuses) a scale database (migrate, load_corpus, synthesize), serves it with
gunicorn under production settings and, for SQLite, serves a copy of the same file with Datasette (tuned: suggested
facets off, an FTS5 index on the incidents' text, immutable mode); warms both up, then alternates requests between
them scenario by scenario and prints one markdown table of p50/p95, the app/Datasette ratio, and the app/SQL ratio
(the time the app's own queries take, measured in-process by bench/app_probe.py). Exports are timed as rows/s with
the server's RSS growth during the stream. Every request has a timeout; a timeout is reported as "> N s".
"""

import argparse
import contextlib
import datetime
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlite_utils

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
APP_BIN = ROOT / ".venv" / "bin"
BENCH_BIN = Path(sys.executable).parent
DOC = ROOT / "docs" / "performance.md"
DOC_BEGIN, DOC_END = "<!-- bench:begin -->", "<!-- bench:end -->"
BENCH_USER = "bench"
SEARCH_WORD = "Kidal"
FTS_COLUMNS = ["title", "description", "location_as_written"]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def size_label(size: int) -> str:
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


@dataclass
class Target:
    """One database at one size: where it lives and how the app reaches it."""

    vendor: str  # "sqlite" or "postgresql"
    size: int
    postgres: str  # base URL of the PostgreSQL server

    @property
    def label(self) -> str:
        return f"{'SQLite' if self.vendor == 'sqlite' else 'PostgreSQL'} {size_label(self.size)}"

    @property
    def sqlite_path(self) -> Path:
        return VAR / f"minusma-{size_label(self.size)}.sqlite3"

    @property
    def postgres_name(self) -> str:
        return f"minusma_bench_{size_label(self.size)}"

    @property
    def database_url(self) -> str:
        if self.vendor == "sqlite":
            return f"sqlite:///{self.sqlite_path}"
        return f"{self.postgres}/{self.postgres_name}"

    @property
    def marker(self) -> Path:
        return VAR / f"built-{self.vendor}-{size_label(self.size)}.json"

    @property
    def datasette_path(self) -> Path:
        return VAR / f"datasette-{size_label(self.size)}" / "minusma.db"


# -- Running the app's commands ----------------------------------------------------------------------------------------


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    """Production settings, served over plain HTTP on this machine, with rate limits out of the benchmark's way."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "minusma.settings.production",
        "DJANGO_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_HSTS_SECONDS": "0",
        "DJANGO_API_THROTTLE_ANON": "1000000/minute",
        "DJANGO_API_THROTTLE_USER": "1000000/minute",
        "DJANGO_WEB_THROTTLE_PAGES": "1000000/minute",
        "DJANGO_WEB_THROTTLE_EXPORTS": "1000000/hour",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        **extra,
    }
    env.pop("DJANGO_DEBUG", None)
    return env


def manage(database_url: str, *args: str, timeout: float | None = None) -> dict:
    """Run `manage.py ARGS` in the app's environment; wall seconds, peak RSS (MB) and whether it finished in time."""
    log(f"manage.py {' '.join(args)}")
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [str(APP_BIN / "python"), "manage.py", *args, "--verbosity", "0"],
        cwd=ROOT,
        env=app_env(database_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    stderr_lines: list[bytes] = []
    reader = threading.Thread(target=lambda: stderr_lines.extend(process.stderr), daemon=True)
    reader.start()
    deadline = None if timeout is None else started + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            os.wait4(process.pid, 0)
            return {"seconds": None, "timeout": timeout, "peak_mb": None}
        time.sleep(0.05)
    reader.join(timeout=5)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{b''.join(stderr_lines).decode(errors='replace')}")
    return {"seconds": seconds, "timeout": None, "peak_mb": usage.ru_maxrss / 1024}


def probe(database_url: str, *args: str, stdin: str | None = None) -> dict:
    """bench/app_probe.py in the app's environment; its JSON answer."""
    completed = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [str(APP_BIN / "python"), str(ROOT / "bench" / "app_probe.py"), *args],
        cwd=ROOT,
        env=app_env(database_url),
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"app_probe.py {' '.join(args)} failed:\n{completed.stderr}")
    return json.loads(completed.stdout)


def postgres_sql(target_url: str, statement: str) -> None:
    """Run one statement on the PostgreSQL server (outside a transaction), with the app's psycopg."""
    code = (
        "import sys, psycopg\n"
        "with psycopg.connect(sys.argv[1], autocommit=True) as connection:\n"
        "    connection.execute(sys.argv[2])\n"
    )
    subprocess.run([str(APP_BIN / "python"), "-c", code, target_url, statement], check=True)  # noqa: S603


def build(target: Target, *, rebuild: bool, seed: int) -> dict:
    """The scale database: reused when built before (unless `rebuild`), else migrate + load_corpus + synthesize."""
    if target.marker.exists() and not rebuild:
        log(f"{target.label}: reusing the database built before ({target.marker.name})")
        built = json.loads(target.marker.read_text())
        if built.get("migrations") != migrations_fingerprint():
            migrate_reused(target, built)
        return built
    log(f"{target.label}: building")
    if target.vendor == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target.sqlite_path}{suffix}").unlink(missing_ok=True)
    else:
        postgres_sql(f"{target.postgres}/postgres", f"DROP DATABASE IF EXISTS {target.postgres_name}")
        postgres_sql(f"{target.postgres}/postgres", f"CREATE DATABASE {target.postgres_name}")
    url = target.database_url
    timings = {
        "migrate": manage(url, "migrate"),
        "createcachetable": manage(url, "createcachetable"),
        "load_corpus": manage(url, "load_corpus"),
        "synthesize": manage(url, "synthesize", "--incidents", str(target.size), "--seed", str(seed)),
    }
    built = {
        "built": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "seed": seed,
        "migrations": migrations_fingerprint(),
        **timings,
    }
    target.marker.write_text(json.dumps(built, indent=2))
    shutil.rmtree(target.datasette_path.parent, ignore_errors=True)
    return built


def migrations_fingerprint() -> str:
    """Which migrations the app has: a database built before them is migrated before it is measured."""
    names = sorted(path.relative_to(ROOT).as_posix() for path in ROOT.glob("*/migrations/0*.py"))
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:16]


def migrate_reused(target: Target, built: dict) -> None:
    """Bring a database built before the app's latest migrations (a new index, say) up to them, with its planner
    statistics, and mark it so that Datasette's copy is made again with the same indexes."""
    log(f"{target.label}: migrating the database built before")
    manage(target.database_url, "migrate")
    if target.vendor == "sqlite":
        with sqlite3.connect(target.sqlite_path) as connection:
            connection.execute("ANALYZE")
    else:
        postgres_sql(target.database_url, "ANALYZE")
    built["migrations"] = migrations_fingerprint()
    target.marker.write_text(json.dumps(built, indent=2))


def prepare_datasette_copy(target: Target) -> Path:
    """A copy of the SQLite file as a tuned Datasette deployment would serve it: rollback journal (immutable mode),
    and an FTS5 table over the incidents' text, which Datasette's `_search` uses. The app's indexes are in the copy."""
    copy = target.datasette_path
    if copy.exists() and copy.stat().st_mtime >= target.marker.stat().st_mtime:
        return copy
    log(f"{target.label}: copying the SQLite file for Datasette and indexing it for full-text search")
    copy.parent.mkdir(parents=True, exist_ok=True)
    partial = copy.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(target.sqlite_path) as source, sqlite3.connect(partial) as destination:
        source.backup(destination)
    with sqlite3.connect(partial) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
    database = sqlite_utils.Database(partial)
    database["events_incident"].enable_fts(FTS_COLUMNS, fts_version="FTS5", create_triggers=False)
    database.execute("ANALYZE")
    database.close()
    partial.rename(copy)
    return copy


# -- Servers -----------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    base: str

    def worker_pids(self) -> list[int]:
        """The processes that answer requests: gunicorn's workers (the master's children), or Datasette itself."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        with contextlib.suppress(OSError):
            pids = [int(pid) for pid in children.read_text().split()]
            if pids:
                return pids
        return [self.process.pid]

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited with {self.process.returncode}; see its log in {VAR}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base + path, timeout=5).status_code < 500:
                    return
            time.sleep(0.3)
        raise SystemExit(f"{self.name} did not answer {path} within {timeout} s")

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start(name: str, command: list[str], env: dict | None, log_name: str) -> subprocess.Popen:
    log(f"starting {name}: {' '.join(command)}")
    output = (VAR / log_name).open("ab")
    return subprocess.Popen(  # noqa: S603 - our own programs and arguments
        command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
    )


def start_app(target: Target, workers: int | None) -> Server:
    port = free_port()
    command = [str(APP_BIN / "gunicorn"), "minusma.wsgi", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
    if workers:
        command += ["--workers", str(workers)]
    server = Server("gunicorn", start("gunicorn", command, app_env(target.database_url), "gunicorn.log"),
                    f"http://127.0.0.1:{port}")  # fmt: skip
    server.wait_ready("/healthz")
    return server


def start_datasette(copy: Path, facet_time_limit_ms: int) -> Server:
    port = free_port()
    command = [str(BENCH_BIN / "datasette"), "serve", "-i", str(copy), "--host", "127.0.0.1", "--port", str(port)]
    for setting, value in {
        "suggest_facets": "off",
        "facet_time_limit_ms": str(facet_time_limit_ms),
        "sql_time_limit_ms": "60000",  # answer every page rather than fail fast: we time answers
        "default_page_size": "50",
        "max_returned_rows": "1000",
    }.items():
        command += ["--setting", setting, value]
    server = Server("datasette", start("datasette", command, None, "datasette.log"), f"http://127.0.0.1:{port}")
    server.wait_ready("/-/versions.json")
    return server


# -- Scenarios ---------------------------------------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    app: str
    datasette: str | None = None
    kind: str = "page"  # "page" or "export"
    admin: bool = False


NEXT_OF = "next-of:"  # a scenario address to be read from the `next` link of the page after it


def resolve_next_links(client: httpx.Client, base: str, chosen: list[Scenario]) -> None:
    for scenario in chosen:
        if scenario.app.startswith(NEXT_OF):
            page = client.get(base + scenario.app.removeprefix(NEXT_OF), timeout=120).json()
            scenario.app = httpx.URL(page["next"]).raw_path.decode() if page.get("next") else "/api/v1/incidents/"


def scenarios(facts: dict) -> list[Scenario]:
    table = "/minusma/events_incident"
    deep, keyset = facts["deep_page"], facts["keyset"]
    filtered = "date_from=2016-01-01&date_to=2016-12-31&incident_type=ied&ordering=-date_from"
    ds_filtered = "date_to__gte=2016-01-01&date_from__lte=2016-12-31&incident_type=ied&_sort_desc=date_from&_size=50"
    facets = "_facet=incident_type&_facet=acled_event_type&_facet=in_mali"
    return [
        Scenario("API default page", "/api/v1/incidents/", f"{table}.json?_sort_desc=date_from&_size=50"),
        Scenario("API filtered (date + type), sorted", f"/api/v1/incidents/?{filtered}", f"{table}.json?{ds_filtered}"),
        Scenario(
            "API filtered, sorted, expand=actors,place",
            f"/api/v1/incidents/?{filtered}&expand=actors,place",
            f"{table}.json?{ds_filtered}&_labels=on",
        ),
        Scenario(
            f"API page={deep}",
            f"/api/v1/incidents/?page={deep}",
            f"{table}.json?_sort_desc=date_from&_size=50&_next={keyset['date_from']},{keyset['id']}"
            if keyset["id"]
            else f"{table}.json?_sort_desc=date_from&_size=50",
        ),
        Scenario(
            f"API next page after page={deep} (keyset cursor)",
            # Cursors are signed by the server: the page's own `next` link, read once the app is up.
            f"{NEXT_OF}/api/v1/incidents/?page={deep}",
            f"{table}.json?_sort_desc=date_from&_size=50&_next={keyset['date_from']},{keyset['id']}"
            if keyset["id"]
            else f"{table}.json?_sort_desc=date_from&_size=50",
        ),
        Scenario("/incidents/ with facets", "/incidents/", f"{table}?{facets}&_sort_desc=date_from&_size=50"),
        Scenario(f"/search/?q={SEARCH_WORD}", f"/search/?q={SEARCH_WORD}", f"{table}?_search={SEARCH_WORD}&_size=50"),
        Scenario(
            f"API search q={SEARCH_WORD}",
            f"/api/v1/search/?q={SEARCH_WORD}",
            f"{table}.json?_search={SEARCH_WORD}&_size=50",
        ),
        Scenario("home /", "/"),
        Scenario("/timeline/", "/timeline/"),
        Scenario("admin changelist", "/admin/events/incident/", admin=True),
        Scenario("admin filter (type)", "/admin/events/incident/?incident_type__exact=ied", admin=True),
        Scenario(f"admin search q={SEARCH_WORD}", f"/admin/events/incident/?q={SEARCH_WORD}", admin=True),
        Scenario("export CSV", "/api/v1/incidents/?format=csv", f"{table}.csv?_stream=on&_size=max", kind="export"),
        Scenario("export JSON Lines", "/api/v1/incidents/?format=jsonl", kind="export"),
        Scenario("export GeoJSON", "/api/v1/incidents/?format=geojson", kind="export"),
    ]


# -- Measuring ---------------------------------------------------------------------------------------------------------


@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)
    timeouts: int = 0
    errors: list[str] = field(default_factory=list)

    def p(self, quantile: float) -> float | None:
        if not self.seconds:
            return None
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(quantile * (len(ordered) - 1)))]


def timed_get(client: httpx.Client, url: str, timeout: float, timing: Timing) -> None:
    started = time.perf_counter()
    try:
        response = client.get(url, timeout=timeout)
    except httpx.TimeoutException:
        timing.timeouts += 1
        return
    except httpx.HTTPError as error:
        timing.errors.append(type(error).__name__)
        return
    elapsed = time.perf_counter() - started
    if response.status_code >= 400:
        timing.errors.append(str(response.status_code))
    else:
        timing.seconds.append(elapsed)


def rss_mb(pid: int) -> float | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return None


def stream_export(client: httpx.Client, url: str, server: Server, rows: int, timeout: float) -> dict:
    """Stream one whole export; rows/s, bytes, and the largest RSS growth of any of the server's workers."""
    baseline = {pid: rss_mb(pid) or 0 for pid in server.worker_pids()}
    peaks = dict(baseline)
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            for pid in server.worker_pids():
                if pid in baseline and (value := rss_mb(pid)) is not None:
                    peaks[pid] = max(peaks[pid], value)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started, size, lines, outcome = time.perf_counter(), 0, 0, "ok"
    try:
        with client.stream("GET", url, timeout=httpx.Timeout(timeout)) as response:
            if response.status_code >= 400:
                outcome = f"status {response.status_code}"
            for chunk in response.iter_bytes():
                size += len(chunk)
                lines += chunk.count(b"\n")
                if time.perf_counter() - started > timeout:
                    outcome = "timeout"
                    break
    except httpx.TimeoutException:
        outcome = "timeout"
    except httpx.HTTPError as error:
        outcome = f"broken off ({type(error).__name__})"
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    growth = max((peaks[pid] - baseline[pid] for pid in baseline), default=0)
    return {
        "outcome": outcome,
        "seconds": seconds,
        "rows_per_second": rows / seconds if outcome == "ok" and seconds else None,
        "bytes": size,
        "lines": lines,
        "rss_growth_mb": growth,
    }


def sign_in(client: httpx.Client, base: str, password: str) -> None:
    """Sign the harness's superuser in through the admin's login form (CSRF token from the form and its cookie)."""
    page = client.get(f"{base}/admin/login/")
    marker = 'name="csrfmiddlewaretoken" value="'
    token = page.text.split(marker, 1)[1].split('"', 1)[0]
    answer = client.post(
        f"{base}/admin/login/?next=/admin/",
        data={"csrfmiddlewaretoken": token, "username": BENCH_USER, "password": password, "next": "/admin/"},
        headers={"Referer": f"{base}/admin/login/"},
    )
    if answer.status_code != 302:
        raise SystemExit(f"could not sign in to the admin (status {answer.status_code})")


def measure(target: Target, args: argparse.Namespace) -> list[dict]:
    """Every scenario on one target: app and Datasette alternated, then the in-process SQL probe."""
    url = target.database_url
    password = secrets.token_urlsafe(16)
    probe(url, "superuser", "--username", BENCH_USER, "--password", password)
    facts = probe(url, "facts", "--deep-page", str(args.deep_page))
    chosen = [s for s in scenarios(facts) if not args.only or any(word in s.name for word in args.only)]
    datasette = None
    app = start_app(target, args.workers)
    try:
        if target.vendor == "sqlite" and not args.no_datasette:
            datasette = start_datasette(prepare_datasette_copy(target), args.facet_time_limit_ms)
        app_client, admin_client, ds_client = httpx.Client(), httpx.Client(), httpx.Client()
        sign_in(admin_client, app.base, password)
        resolve_next_links(app_client, app.base, chosen)
        results = []
        for scenario in chosen:
            log(f"{target.label}: {scenario.name}")
            client = admin_client if scenario.admin else app_client
            ds_url = datasette.base + scenario.datasette if datasette and scenario.datasette else None
            if scenario.kind == "export":
                row = {"scenario": scenario.name, "kind": "export", "app": [], "datasette": []}
                for _ in range(args.export_runs):
                    row["app"].append(stream_export(client, app.base + scenario.app, app, facts["incidents"],
                                                    args.export_timeout))  # fmt: skip
                    if ds_url:
                        row["datasette"].append(
                            stream_export(ds_client, ds_url, datasette, facts["incidents"], args.export_timeout)
                        )
                results.append(row)
                continue
            app_timing, ds_timing = Timing(), Timing()
            app_warmup, ds_warmup = Timing(), Timing()
            for _ in range(args.warmup):
                timed_get(client, app.base + scenario.app, args.timeout, app_warmup)
                if ds_url:
                    timed_get(ds_client, ds_url, args.timeout, ds_warmup)
            for _ in range(args.requests):
                # A page that timed out twice (warm-up included) is not waited for again: "> N s" says it all.
                if app_warmup.timeouts + app_timing.timeouts < 2:
                    timed_get(client, app.base + scenario.app, args.timeout, app_timing)
                if ds_url and ds_warmup.timeouts + ds_timing.timeouts < 2:
                    timed_get(ds_client, ds_url, args.timeout, ds_timing)
            app_timing.timeouts += app_warmup.timeouts if not app_timing.seconds else 0
            ds_timing.timeouts += ds_warmup.timeouts if not ds_timing.seconds else 0
            results.append({"scenario": scenario.name, "kind": "page", "app": app_timing,
                            "datasette": ds_timing if ds_url else None})  # fmt: skip
    finally:
        app.stop()
        if datasette:
            datasette.stop()
    log(f"{target.label}: timing the app's own SQL in-process")
    payload = json.dumps([{"name": s.name, "path": s.app, "kind": s.kind, "admin": s.admin} for s in chosen])
    sql = probe(url, "sql", "--runs", str(args.sql_runs), "--username", BENCH_USER, "--timeout", str(args.timeout),
                stdin=payload)  # fmt: skip
    for row in results:
        row["sql"] = sql.get(row["scenario"])
        row["target"] = target.label
    return results


def corpus_commands(target: Target, args: argparse.Namespace) -> list[dict]:
    """load_corpus into an empty database, and export_corpus of the scale database: wall time and peak RSS."""
    rows = []
    if target.vendor == "sqlite":
        empty = VAR / "empty.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{empty}{suffix}").unlink(missing_ok=True)
        empty_url = f"sqlite:///{empty}"
    else:
        name = "minusma_bench_empty"
        postgres_sql(f"{target.postgres}/postgres", f"DROP DATABASE IF EXISTS {name}")
        postgres_sql(f"{target.postgres}/postgres", f"CREATE DATABASE {name}")
        empty_url = f"{target.postgres}/{name}"
    manage(empty_url, "migrate")
    manage(empty_url, "createcachetable")  # the shared cache the production settings use without Redis
    rows.append({"scenario": "load_corpus (empty database)", "kind": "command", "target": target.label,
                 "app": manage(empty_url, "load_corpus", timeout=args.command_timeout)})  # fmt: skip
    output = VAR / f"export_corpus-{target.vendor}-{size_label(target.size)}"
    shutil.rmtree(output, ignore_errors=True)
    exported = manage(target.database_url, "export_corpus", "--output", str(output), timeout=args.command_timeout)
    rows.append({"scenario": f"export_corpus ({size_label(target.size)} incidents)", "kind": "command",
                 "target": target.label, "app": exported})  # fmt: skip
    return rows


# -- Reporting ---------------------------------------------------------------------------------------------------------


def seconds_text(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"


def page_cell(timing: Timing | None, quantile: float, timeout: float) -> str:
    if timing is None:
        return "—"
    if not timing.seconds:
        if timing.timeouts:
            return f"> {timeout:g} s"
        return f"error {','.join(sorted(set(timing.errors)))}" if timing.errors else "—"
    text = seconds_text(timing.p(quantile))
    if timing.timeouts and quantile >= 0.5:
        text += f" ({timing.timeouts} > {timeout:g} s)"
    if timing.errors:
        text += f" (errors: {','.join(sorted(set(timing.errors)))})"
    return text


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a and b else "—"


def export_cell(runs: list[dict], timeout: float) -> tuple[str, float | None]:
    if not runs:
        return "—", None
    rates = [run["rows_per_second"] for run in runs if run["rows_per_second"]]
    if not rates:
        run = runs[0]
        what = f"> {timeout:g} s" if run["outcome"] == "timeout" else run["outcome"]
        received = f"{run['lines']:,} lines" if run["lines"] > 1 else f"{run['bytes'] / 1e6:.1f} MB"
        return f"{what} after {run['seconds']:.0f} s ({received}), RSS +{run['rss_growth_mb']:.0f} MB", None
    rate = statistics.median(rates)
    growth = max(run["rss_growth_mb"] for run in runs)
    return f"{rate:,.0f} rows/s, RSS +{growth:.0f} MB", rate


def table(rows: list[dict], args: argparse.Namespace) -> str:
    header = (
        "| scenario | database | app p50 | app p95 | Datasette p50 | Datasette p95 | app / Datasette "
        "| app's SQL p50 [queries] | app / SQL |"
    )
    lines = [header, "|" + " --- |" * 9]
    for row in rows:
        name, target = row["scenario"], row["target"]
        if row["kind"] == "page":
            app, ds, sql = row["app"], row["datasette"], row.get("sql") or {}
            queries = ",".join(str(count) for count in sql.get("queries", [])) or "—"
            sql_seconds = sql.get("sql_seconds")
            sql_text = f"> {sql['timeout']:g} s" if sql.get("timeout") else f"{seconds_text(sql_seconds)} [{queries}]"
            lines.append(
                f"| {name} | {target} | {page_cell(app, 0.5, args.timeout)} | {page_cell(app, 0.95, args.timeout)} "
                f"| {page_cell(ds, 0.5, args.timeout)} | {page_cell(ds, 0.95, args.timeout)} "
                f"| {ratio(app.p(0.5), ds.p(0.5) if ds else None)} | {sql_text} "
                f"| {ratio(app.p(0.5), sql_seconds)} |"
            )
        elif row["kind"] == "export":
            app_text, app_rate = export_cell(row["app"], args.export_timeout)
            ds_text, ds_rate = export_cell(row["datasette"], args.export_timeout)
            raw = (row.get("sql") or {}).get("rows_per_second")
            raw_text = f"raw scan {raw:,.0f} rows/s" if raw else "—"
            lines.append(
                f"| {name} | {target} | {app_text} | | {ds_text} | | {ratio(app_rate, ds_rate)} "
                f"| {raw_text} | {ratio(app_rate, raw)} |"
            )
        else:
            run = row["app"]
            took = f"> {run['timeout']:g} s" if run["timeout"] else f"{run['seconds']:.1f} s"
            peak = f", peak RSS {run['peak_mb']:.0f} MB" if run["peak_mb"] else ""
            lines.append(f"| {name} | {target} | {took}{peak} | | | | | | |")
    lines.append("")
    lines.append(LEGEND.format(timeout=args.timeout))
    return "\n".join(lines)


LEGEND = (
    "Pages: p50/p95 of the requests' wall time, client side; ratios of p50s (app ÷ Datasette, app ÷ its own SQL: "
    "below 1.0 the app is faster; the SQL column is the time of the queries the app's view runs, measured "
    "in-process, with their count in brackets). Exports: the whole incident table streamed once; rows/s and the "
    "largest RSS growth of a server process during the stream; ratios of rows/s (app ÷ Datasette, app ÷ a plain "
    "`SELECT *` read: above 1.0 the app is faster). “> {timeout:g} s”: no answer within the timeout; “broken off”: "
    "the server closed the stream (a worker timeout)."
)


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()  # noqa: S603, S607


def write_doc(text: str, command: str, builds: dict) -> None:
    commit = git("rev-parse", "--short", "HEAD")
    dirty = " (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else ""
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    built = "; ".join(
        f"{label}: synthesize {info['synthesize']['seconds']:.0f} s" for label, info in builds.items()
        if info.get("synthesize", {}).get("seconds")
    )  # fmt: skip
    block = (
        f"{DOC_BEGIN}\nMeasured at commit `{commit}`{dirty}, {when}, with\n`{command}`"
        f"{f' (databases built: {built})' if built else ''}.\n\n{text}\n{DOC_END}"
    )
    current = DOC.read_text() if DOC.exists() else "# Performance\n"
    if DOC_BEGIN in current and DOC_END in current:
        before, rest = current.split(DOC_BEGIN, 1)
        current = before + block + rest.split(DOC_END, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(current)
    log(f"wrote the table into {DOC}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000], help="synthetic incidents (default 5000)")
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"])
    parser.add_argument(
        "--targets",
        nargs="+",
        metavar="DATABASE:SIZE",
        help="databases and sizes paired, instead of every size on every database: issue 11's goals are "
        "sqlite:100000 postgresql:1000000",
    )
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--rebuild", action="store_true", help="build the scale databases again")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=7, help="timed requests per scenario and server")
    parser.add_argument("--warmup", type=int, default=1, help="untimed requests per scenario and server first")
    parser.add_argument("--sql-runs", type=int, default=3, help="in-process runs per scenario for the SQL column")
    parser.add_argument("--timeout", type=float, default=30, help="seconds before a page request counts as timed out")
    parser.add_argument("--export-timeout", type=float, default=600, help="seconds before an export is given up")
    parser.add_argument("--export-runs", type=int, default=1)
    parser.add_argument("--command-timeout", type=float, default=900, help="seconds for load/export_corpus")
    parser.add_argument("--no-commands", action="store_true", help="skip timing load_corpus and export_corpus")
    parser.add_argument("--no-datasette", action="store_true")
    # The deepest page a number reaches (the API's NUMBERED_RECORDS, 10,000 rows, at 50 a page); past it, cursors.
    parser.add_argument("--deep-page", type=int, default=200)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--facet-time-limit-ms", type=int, default=200, help="Datasette's (default 200)")
    parser.add_argument("--only", nargs="*", help="only the scenarios whose name contains one of these words")
    parser.add_argument("--write-doc", action="store_true", help=f"write the table into {DOC.relative_to(ROOT)}")
    parser.add_argument("--build-only", action="store_true", help="build the scale databases, measure nothing")
    args = parser.parse_args()

    VAR.mkdir(parents=True, exist_ok=True)
    if args.targets:
        pairs = [target.split(":", 1) for target in args.targets]
        if any(len(pair) != 2 or pair[0] not in ("sqlite", "postgresql") or not pair[1].isdigit() for pair in pairs):
            parser.error("--targets takes DATABASE:SIZE, e.g. sqlite:100000 postgresql:1000000")
        targets = [Target(vendor, int(size), args.postgres) for vendor, size in pairs]
    else:
        targets = [Target(vendor, size, args.postgres) for size in args.sizes for vendor in args.databases]
    builds = {target.label: build(target, rebuild=args.rebuild, seed=args.seed) for target in targets}
    if args.build_only:
        print(json.dumps(builds, indent=2))
        return
    log("collecting static files for the production settings")
    manage(targets[0].database_url, "collectstatic", "--noinput")
    rows = []
    for target in targets:
        rows.extend(measure(target, args))
        if not args.no_commands:
            rows.extend(corpus_commands(target, args))
    order = {name: index for index, name in reversed(list(enumerate(row["scenario"] for row in rows)))}
    rows.sort(key=lambda row: order[row["scenario"]])  # scenario by scenario, the databases side by side
    text = table(rows, args)
    print(text)
    results = VAR / f"results-{time.strftime('%Y%m%d-%H%M%S')}.json"
    results.write_text(json.dumps(rows, default=lambda value: value.__dict__, indent=1))
    log(f"raw results in {results.relative_to(ROOT)}")
    if args.write_doc:
        command = "var/bench/venv/bin/python bench/run.py " + " ".join(sys.argv[1:])
        write_doc(text, command, builds)


if __name__ == "__main__":
    main()
