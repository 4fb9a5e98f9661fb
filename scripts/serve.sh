#!/usr/bin/env bash
# `make serve`: the Rasa server with the channels of credentials.yml (REST at
# http://localhost:5005/webhooks/rest/webhook) and the action server.
set -u
cd "$(dirname "$0")/.."
source scripts/action-server.sh
# The HTTP API (trackers hold phone numbers and messages) is only opened with a token.
api=()
if [ -n "${RASA_API_TOKEN:-}" ]; then
    api=(--enable-api --auth-token "$RASA_API_TOKEN")
else
    echo "RASA_API_TOKEN is not set: serving the channels only, without Rasa's HTTP API"
fi
.venv/bin/rasa run --model models/nagarik.tar.gz --endpoints endpoints.yml \
    --credentials credentials.yml --port "${RASA_PORT:-5005}" "${api[@]}"
