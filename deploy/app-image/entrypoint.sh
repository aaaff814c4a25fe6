#!/bin/sh
# The services of deploy/compose.yaml, one per container: `entrypoint.sh <service> [arguments...]`.
# Anything else runs as given, e.g. `python manage.py createsuperuser`.
set -eu
service=${1:-web}
[ $# -gt 0 ] && shift
case "$service" in
  web)  # gunicorn; nginx in front of it sends static files and, after the app's check, stored files
    exec gunicorn grader.wsgi:application --bind 0.0.0.0:8000 --workers "${GUNICORN_WORKERS:-2}" \
      --threads "${GUNICORN_THREADS:-4}" --timeout 60 --access-logfile - "$@" ;;
  worker)  # a Celery worker; GRADER_WORKER_QUEUES names its queues (interactive: students' function feedback)
    exec celery -A grader worker --loglevel=INFO --concurrency="${GRADER_WORKER_CONCURRENCY:-1}" \
      -Q "${GRADER_WORKER_QUEUES:-interactive}" -n "${GRADER_WORKER_NAME:-worker}@%h" "$@" ;;
  beat)  # the sweeper's and the reaper's schedule (Celery beat), one per stack
    exec celery -A grader beat --loglevel=INFO --schedule /tmp/celerybeat-schedule "$@" ;;
  migrate)  # the database schema, the cache table and the static files; then exits
    python manage.py migrate --noinput
    python manage.py createcachetable
    exec python manage.py collectstatic --noinput -v 0 ;;
  postgres)  # PostgreSQL on a volume, initialised once with POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB
    data=/var/lib/gradebox-postgres/data
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    if [ ! -s "$data/PG_VERSION" ]; then
      : "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
      password=$(mktemp); printf '%s\n' "$POSTGRES_PASSWORD" > "$password"
      "$bin/initdb" -D "$data" --username="${POSTGRES_USER:-gradebox}" --pwfile="$password" --auth=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 >/dev/null
      rm -f "$password"
      echo "host all all all scram-sha-256" >> "$data/pg_hba.conf"
      "$bin/pg_ctl" -D "$data" -o "-c listen_addresses='' -c unix_socket_directories=/tmp" -w start >/dev/null
      PGPASSWORD=$POSTGRES_PASSWORD "$bin/createdb" -h /tmp -U "${POSTGRES_USER:-gradebox}" "${POSTGRES_DB:-gradebox}"
      "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    fi
    exec "$bin/postgres" -D "$data" -c listen_addresses='*' -c unix_socket_directories=/tmp "$@" ;;
  redis)  # Redis, the broker, with its append-only file on a volume so a restart loses no queued task
    exec redis-server --bind 0.0.0.0 --protected-mode no --dir /var/lib/gradebox-redis --appendonly yes \
      --appendfsync everysec "$@" ;;
  nginx)  # deploy/nginx.conf, filled in: static files, the app, and stored files only through the app's check
    prefix=/tmp/nginx; mkdir -p "$prefix"
    sed -e "s|@LISTEN@|${NGINX_LISTEN:-8080}|" -e "s|@APP@|${NGINX_APP:-web:8000}|" \
        -e "s|@STATIC_ROOT@|${GRADER_DATA_DIR}/static|" -e "s|@MEDIA_ROOT@|${GRADER_DATA_DIR}/media|" \
        -e "s|@PREFIX@|$prefix|" deploy/nginx.conf > "$prefix/nginx.conf"
    exec nginx -p "$prefix" -c "$prefix/nginx.conf" -g "daemon off;" "$@" ;;
  *)
    exec "$service" "$@" ;;
esac
