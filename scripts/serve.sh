#!/usr/bin/env bash
# `make serve`: the Rasa server with the channels of credentials.yml (REST at
# http://localhost:5005/webhooks/rest/webhook, WhatsApp at /webhooks/whatsapp/webhook, and
# Facebook when FACEBOOK_VERIFY_TOKEN is set) and the action server.
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
credentials=credentials.yml
if [ -n "${FACEBOOK_VERIFY_TOKEN:-}" ]; then
    mkdir -p .rasa
    credentials=.rasa/credentials.serve.yml
    cat credentials.yml credentials.facebook.yml > "$credentials"
fi
.venv/bin/rasa run --model models/nagarik.tar.gz --endpoints endpoints.yml \
    --credentials "$credentials" --port "${RASA_PORT:-5005}" "${api[@]}"
