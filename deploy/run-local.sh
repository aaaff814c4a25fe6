#!/usr/bin/env bash
# Starts one Celery worker and the web server on this machine (embedded defaults) until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin
PORT="${PORT:-8000}"
HOST="${HOST:-127.0.0.1}"
CONCURRENCY="${GRADER_WORKER_CONCURRENCY:-2}"

$PY/celery -A grader worker --loglevel=INFO --concurrency="$CONCURRENCY" -Q interactive,bulk &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null' EXIT INT TERM

echo
echo "Gradebox is starting on http://$HOST:$PORT/  (Ctrl-C stops it)"
$PY/python manage.py seed_demo | sed 's/^/  /'
echo
$PY/gunicorn grader.wsgi:application --bind "$HOST:$PORT" --workers 2 --threads 4 --access-logfile - --timeout 60
