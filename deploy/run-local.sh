#!/usr/bin/env bash
# Starts the Celery workers and the web server on this machine (embedded defaults) until Ctrl-C.
#
# Two workers, so neither training nor a regrade batch delays a student's function feedback: one takes only
# the function phase of fresh uploads (queue interactive); the other takes their model checks (queue
# training), regrades, dry runs, previews and validations (queue bulk), and function phases whenever it is
# free. GRADER_WORKER_CONCURRENCY (default 2) is shared out: 1 process stays on interactive, the rest serve
# training,bulk,interactive. The bulk worker process runs niced; its sandbox runs keep the default CPU
# weight, since a starved run would hit its wall-time limit and cost the student points. Each worker also
# runs the sweeper on its own timer (GRADER_SWEEP_IN_WORKER); with Redis, run `celery -A grader beat` instead.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin
PORT="${PORT:-8000}"
HOST="${HOST:-127.0.0.1}"
CONCURRENCY="${GRADER_WORKER_CONCURRENCY:-2}"
BULK=$(( CONCURRENCY > 1 ? CONCURRENCY - 1 : 1 ))

# Prometheus's per-process metric files of the last run: gone before any process starts.
rm -rf "${GRADER_METRICS_DIR:-${GRADER_DATA_DIR:-var}/metrics}"
$PY/celery -A grader worker --loglevel=INFO --concurrency=1 -n interactive@%h -Q interactive &
interactive=$!
nice -n 10 $PY/celery -A grader worker --loglevel=INFO --concurrency="$BULK" -n bulk@%h -Q training,bulk,interactive &
bulk=$!
trap 'kill "$interactive" "$bulk" 2>/dev/null; wait "$interactive" "$bulk" 2>/dev/null' EXIT INT TERM

echo
echo "Gradebox is starting on http://$HOST:$PORT/  (Ctrl-C stops it)"
$PY/python manage.py seed_demo | sed 's/^/  /'
echo
$PY/gunicorn grader.wsgi:application --bind "$HOST:$PORT" --workers 2 --threads 4 --access-logfile - --timeout 60
