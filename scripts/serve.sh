#!/usr/bin/env bash
# `make serve`: the Rasa server with the channels of credentials.yml (REST at
# http://localhost:5005/webhooks/rest/webhook) and the action server.
set -u
cd "$(dirname "$0")/.."
source scripts/action-server.sh
.venv/bin/rasa run --model models/nagarik.tar.gz --endpoints endpoints.yml \
    --credentials credentials.yml --port "${RASA_PORT:-5005}" --enable-api
