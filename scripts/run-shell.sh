#!/usr/bin/env bash
# `make run`: action server in the background, `rasa shell` in the foreground;
# the action server stops when the shell ends.
set -u
cd "$(dirname "$0")/.."
source scripts/action-server.sh
.venv/bin/rasa shell --model models/nagarik.tar.gz --endpoints endpoints.yml
