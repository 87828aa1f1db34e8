#!/bin/sh
# The scale profile's streaming replica: on its first start, copy the primary (pg_basebackup, through the slot the
# primary made) and write the standby settings (-R); then run as a hot standby that applies the primary's WAL and
# answers reads only.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until PGPASSWORD="$POSTGRES_REPLICATION_PASSWORD" pg_basebackup --host=db-primary --username=replicator \
        --pgdata="$PGDATA" --wal-method=stream --slot=replica_1 --write-recovery-conf --progress; do
        echo "waiting for the primary"
        rm -rf "${PGDATA:?}"/*
        sleep 2
    done
    chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on
