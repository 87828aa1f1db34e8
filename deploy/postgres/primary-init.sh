#!/bin/sh
# The scale profile's primary (docker-compose.yml), on its first start (docker-entrypoint-initdb.d): a role the
# streaming replica connects as, allowed to stream the WAL with its password (the image's pg_hba.conf allows
# replication from the container itself only), and a replication slot that keeps the WAL the replica has not received
# yet. A replica gone for good must have its slot dropped (SELECT pg_drop_replication_slot('replica_1')), or the WAL
# grows without bound.
set -eu
psql -v ON_ERROR_STOP=1 -v password="$POSTGRES_REPLICATION_PASSWORD" \
    --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SELECT pg_create_physical_replication_slot('replica_1');
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
