#!/usr/bin/env bash
# Serve the platform on its embedded defaults: SQLite, in-memory channel layer, database
# task queue with one worker. Safe to run again: migrations and the demo are idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-1}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
PY=.venv/bin/python

$PY manage.py migrate --noinput
$PY manage.py compilemessages --ignore=.venv >/dev/null 2>&1 || true
$PY manage.py load_demo

# workers/: django_tasks_db's worker with leases (a dead worker's task runs again).
$PY manage.py db_worker --queue-name '*' --no-reload &
WORKER_PID=$!
trap 'kill $WORKER_PID 2>/dev/null || true' EXIT INT TERM

echo
echo "The platform is at http://$HOST:$PORT/  (admin: http://$HOST:$PORT/admin/, credentials above)"
echo "Demo consultation: http://$HOST:$PORT/ai-rules-2026/"
echo "Press Ctrl-C to stop."
echo
# daphne on uvloop (config/serve.py); any daphne argument works here.
$PY -m config.serve -b "$HOST" -p "$PORT" config.asgi:application
