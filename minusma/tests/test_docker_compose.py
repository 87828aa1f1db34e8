"""docker-compose.yml: the default stack stays one database, Redis and one web process; the `scale` profile adds a
proxy over several web replicas, a PostgreSQL primary and a streaming replica the app reads from."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCALE = "scale"


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]


def _in_profile(services: dict, profile: str | None) -> dict:
    return {name: service for name, service in services.items() if (profile in service.get("profiles", [None]))}


def _host(url: str) -> str:
    """The host of a database URL whose credentials are ${…} variables."""
    return re.fullmatch(r"postgres://[^@]+@([^:/]+):5432/.+", url).group(1)


def _the_one(services: dict, predicate) -> tuple[str, dict]:
    matching = [(name, service) for name, service in services.items() if predicate(service)]
    assert len(matching) == 1, [name for name, _ in matching]
    return matching[0]


def test_the_default_stack_is_one_database_redis_and_one_web_process(services):
    """`docker compose up` starts db, redis and web as before: web on port 8000, on `db`, without replicas."""
    default = _in_profile(services, None)
    assert sorted(default) == ["db", "redis", "web"]
    web = default["web"]
    assert web["ports"] == ["${MINUSMA_PORT:-8000}:8000"]
    assert _host(web["environment"]["DATABASE_URL"]) == "db"
    assert "DATABASE_REPLICA_URLS" not in web["environment"]
    assert "migrate" in web["command"] and "gunicorn" in web["command"]
    assert "deploy" not in web


def test_the_default_stack_needs_no_variable_of_the_scale_profile():
    """Compose reads every service's variables, profile or not: the only required ones (${VAR:?…}) are those the
    default stack needs already, so `docker compose up` is not refused for want of a scale setting."""
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert set(re.findall(r"\$\{(\w+):\?", text)) == {"POSTGRES_PASSWORD", "DJANGO_SECRET_KEY"}


def test_the_scale_profile_proxies_web_replicas_that_write_to_a_primary_and_read_from_its_replica(services):
    """--profile scale: nginx over >= 2 web replicas (config in deploy/nginx.conf), a PostgreSQL primary that lets a
    replicator stream, a replica made from it by pg_basebackup, DATABASE_REPLICA_URLS pointing at that replica, and
    Redis shared by the replicas."""
    scale = _in_profile(services, SCALE)
    web_name, web = _the_one(scale, lambda service: service.get("deploy", {}).get("replicas", 1) >= 2)
    assert "gunicorn" in web["command"] and "ports" not in web, "reached through the proxy only"

    _, proxy = _the_one(scale, lambda service: service.get("image", "").startswith("nginx"))
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert proxy["ports"] == ["${MINUSMA_PORT:-8000}:80"], "where the single web process answers by default"
    assert web_name in proxy["depends_on"]
    nginx = (ROOT / "deploy/nginx.conf").read_text(encoding="utf-8")
    assert re.search(rf"upstream (\w+) \{{\s*server {web_name}:8000;", nginx)
    assert "proxy_pass http://minusma_web;" in nginx
    assert web["environment"]["DJANGO_NUM_PROXIES"] == 1

    primary_name = _host(web["environment"]["DATABASE_URL"])
    primary = scale[primary_name]
    assert primary["image"].startswith("postgres:")
    init = "./deploy/postgres/primary-init.sh:/docker-entrypoint-initdb.d/primary-init.sh:ro"
    assert init in primary["volumes"]
    primary_init = (ROOT / "deploy/postgres/primary-init.sh").read_text(encoding="utf-8")
    assert "WITH REPLICATION LOGIN" in primary_init and "host replication replicator" in primary_init

    replica_name = _host(web["environment"]["DATABASE_REPLICA_URLS"])
    replica = scale[replica_name]
    assert replica["image"] == primary["image"], "a streaming replica runs the primary's major version"
    assert primary_name in replica["depends_on"] and replica_name in web["depends_on"]
    replica_script = (ROOT / "deploy/postgres/replica.sh").read_text(encoding="utf-8")
    assert f"pg_basebackup --host={primary_name}" in replica_script and "--write-recovery-conf" in replica_script
    assert replica["volumes"][0] != primary["volumes"][0], "the replica has its own data directory"

    assert web["environment"]["REDIS_URL"] == "${REDIS_URL:-redis://redis:6379/0}"
    assert "redis" in web["depends_on"] and "profiles" not in services["redis"]


def test_the_scale_profile_migrates_once_before_the_web_replicas_start(services):
    """Two replicas migrating at once would race: one service migrates, and the replicas wait for it to finish."""
    scale = _in_profile(services, SCALE)
    migrating = [name for name, service in scale.items() if "migrate" in str(service.get("command", ""))]
    assert len(migrating) == 1
    web = next(service for service in scale.values() if service.get("deploy", {}).get("replicas", 1) >= 2)
    assert web["depends_on"][migrating[0]] == {"condition": "service_completed_successfully"}
