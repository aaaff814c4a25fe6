#!/usr/bin/env bash
# Starts PostgreSQL and Redis on loopback for the tests that need real servers; writes var/test-services.env.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
PG_PORT="${GRADER_TEST_PG_PORT:-5432}"
REDIS_PORT="${GRADER_TEST_REDIS_PORT:-6379}"

if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  pg_createcluster "$version" main >/dev/null
  cluster="$version main"
fi
pg_ctlcluster $cluster start 2>/dev/null || true
for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 0.2; done
su postgres -c "psql -q -p $PG_PORT -tc \"SELECT 1 FROM pg_roles WHERE rolname='gradebox'\"" | grep -q 1 ||
  su postgres -c "psql -q -p $PG_PORT -c \"CREATE ROLE gradebox LOGIN CREATEDB PASSWORD 'gradebox'\""
su postgres -c "psql -q -p $PG_PORT -tc \"SELECT 1 FROM pg_database WHERE datname='gradebox'\"" | grep -q 1 ||
  su postgres -c "createdb -p $PG_PORT -O gradebox gradebox"

cat > var/test-services.env <<ENV
export GRADER_TEST_DATABASE_URL=postgres://gradebox:gradebox@127.0.0.1:$PG_PORT/gradebox
export GRADER_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/15
ENV
echo "test services: PostgreSQL on 127.0.0.1:$PG_PORT, Redis on 127.0.0.1:$REDIS_PORT"
