#!/usr/bin/env bash
# `make serve`: the Rasa server with the channels of credentials.yml (REST at
# http://localhost:5005/webhooks/rest/webhook, WhatsApp at /webhooks/whatsapp/webhook, and
# Facebook when FACEBOOK_VERIFY_TOKEN is set), the action server, and the officers' web
# workspace (http://127.0.0.1:${WEB_PORT:-8000}/, in its own process).
set -u
cd "$(dirname "$0")/.."
source scripts/action-server.sh
.venv/bin/nagarik web --port "${WEB_PORT:-8000}" > "$RUN_DIR/web.log" 2>&1 &
WEB_PID=$!
# Both background servers stop with this script, however it exits.
trap 'kill "$ACTION_PID" "$WEB_PID" 2>/dev/null; wait "$ACTION_PID" "$WEB_PID" 2>/dev/null' EXIT
echo "officers' web workspace on http://127.0.0.1:${WEB_PORT:-8000}/ (log: $RUN_DIR/web.log)"
# The HTTP API (trackers hold phone numbers and messages) is only opened with a token.
api=()
if [ -n "${RASA_API_TOKEN:-}" ]; then
    api=(--enable-api --auth-token "$RASA_API_TOKEN")
else
    echo "RASA_API_TOKEN is not set: serving the channels only, without Rasa's HTTP API"
fi
credentials=credentials.yml
if [ -n "${FACEBOOK_VERIFY_TOKEN:-}" ]; then
    mkdir -p .rasa
    credentials=.rasa/credentials.serve.yml
    cat credentials.yml credentials.facebook.yml > "$credentials"
fi
.venv/bin/rasa run --model models/nagarik.tar.gz --endpoints endpoints.yml \
    --credentials "$credentials" --port "${RASA_PORT:-5005}" "${api[@]}"
