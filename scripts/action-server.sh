#!/usr/bin/env bash
# Sourced by run-shell.sh and serve.sh: starts the action server in the background
# and stops it when the calling script exits, however it exits.
ACTION_PORT=5055  # endpoints.yml points here
# Third-party deprecation warnings (TensorFlow, SQLAlchemy 2.0 notices) would bury the chat.
export PYTHONWARNINGS=ignore SQLALCHEMY_SILENCE_UBER_WARNING=1
RUN_DIR=.nagarik-run
mkdir -p "$RUN_DIR"

action_server_up() {
    .venv/bin/python - "$ACTION_PORT" <<'PY' 2>/dev/null
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health", timeout=1)
PY
}

if action_server_up; then
    echo "error: something already answers on port $ACTION_PORT (another action server?); stop it first." >&2
    exit 1
fi
.venv/bin/rasa run actions --port "$ACTION_PORT" > "$RUN_DIR/actions.log" 2>&1 &
ACTION_PID=$!
trap 'kill "$ACTION_PID" 2>/dev/null; wait "$ACTION_PID" 2>/dev/null' EXIT
trap 'exit 130' INT TERM

for _ in $(seq 1 120); do
    action_server_up && break
    if ! kill -0 "$ACTION_PID" 2>/dev/null; then
        echo "error: the action server did not start; see $RUN_DIR/actions.log:" >&2
        tail -n 20 "$RUN_DIR/actions.log" >&2
        exit 1
    fi
    sleep 0.5
done
action_server_up || { echo "error: the action server did not answer within 60 s; see $RUN_DIR/actions.log" >&2; exit 1; }
echo "action server running on port $ACTION_PORT (log: $RUN_DIR/actions.log)"
