# Nagarik: every command a trainer, tester or operator needs.
# `make run` sets everything up on a fresh machine and opens a chat; `make test` runs every test.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MODEL := models/nagarik.tar.gz
# Rasa's default configuration trained on the same data: what eval and bench compare against.
BASELINE := models/rasa_default.tar.gz
# Everything that changes what `rasa train` produces.
TRAINING_INPUTS := config.yml domain.yml $(shell find data components -type f \( -name '*.yml' -o -name '*.py' \) 2>/dev/null) nagarik/text.py nagarik/numbers.py nagarik/references.py nagarik/vocabulary.py \
	nagarik/language.py nagarik/textclass.py nagarik/transliterate.py nagarik/category.py
# Passed through to scripts/find-python.sh: `make PYTHON=/path/to/python3.10 run`.
export PYTHON
# No usage telemetry from a municipal deployment (and no network to send it on CI).
export RASA_TELEMETRY_ENABLED := false

.PHONY: help venv install train train-baseline validate run serve actions test pytest rasa-test heldout eval bench lock clean db-upgrade web web-test web-bench browser

help:
	@echo "make run       set up (venv, packages, model) and chat in the terminal"
	@echo "make test      run every test (pytest, data validation, test stories, held-out NLU)"
	@echo "make train     train the model if data, domain or config changed"
	@echo "make validate  rasa data validate --fail-on-warnings"
	@echo "make serve     rasa server with the channels of credentials.yml + action server"
	@echo "make eval      quality report: NLU per language group, reply language, test stories; Nagarik vs Rasa's default config"
	@echo "make bench     the whole stack under load (WhatsApp, PostgreSQL, action server); Nagarik vs Rasa's default config"
	@echo "make db-upgrade  create or migrate the complaint database (DATABASE_URL, default nagarik.db)"
	@echo "make web       the officers' web workspace on http://127.0.0.1:8000 (WEB_PORT; docs/web.md)"
	@echo "make web-test  the web workspace's tests, with the browser tests in chromium (screenshots in results/web/)"
	@echo "make web-bench the queue's paging measured at 100,000 complaints (PostgreSQL)"

venv install: $(INSTALLED)

# The venv is rebuilt from the lock file whenever the lock or the package metadata changes.
$(INSTALLED): requirements.lock pyproject.toml scripts/find-python.sh
	@python=$$(scripts/find-python.sh) || exit 1; \
	if [ ! -x $(BIN)/python ] || ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
		rm -rf $(VENV); echo "creating $(VENV) with $$python"; "$$python" -m venv $(VENV) || exit 1; \
	fi
	@echo "installing the pinned packages into $(VENV) (a few minutes the first time)"
	@if command -v uv >/dev/null 2>&1; then \
		uv pip install --python $(BIN)/python -r requirements.lock && \
		uv pip install --python $(BIN)/python --no-deps -e .; \
	else \
		$(BIN)/python -m pip install -qq --disable-pip-version-check -r requirements.lock && \
		$(BIN)/python -m pip install -qq --disable-pip-version-check --no-deps -e .; \
	fi
	@touch $@

train: $(MODEL)

# rasa keeps the old file when its fingerprint says nothing changed, so touch it to stop make retraining;
# with the time training started, so that a file edited during training still triggers the next one.
# The venv is an order-only prerequisite: reinstalling packages does not force a retrain.
# Validation is `make validate` (the first step of `make test`); skipping it here saves ~30 s.
$(MODEL): $(TRAINING_INPUTS) | $(INSTALLED)
	@mkdir -p models
	@start=$$(date +%s); \
	$(BIN)/rasa train --fixed-model-name nagarik --out models --num-threads 2 --skip-validation || exit 1; \
	echo "training took $$(( $$(date +%s) - start )) s"; \
	touch -d "@$$start" $@

train-baseline: $(BASELINE)

# Same data and domain, baseline/config.yml instead of config.yml (30-45 minutes on 2 cores).
$(BASELINE): baseline/config.yml domain.yml $(shell find data -type f -name '*.yml' 2>/dev/null) | $(INSTALLED)
	@mkdir -p models
	@start=$$(date +%s); \
	$(BIN)/rasa train --config baseline/config.yml --fixed-model-name rasa_default --out models --num-threads 2 || exit 1; \
	echo "training the baseline took $$(( $$(date +%s) - start )) s"; \
	touch -d "@$$start" $@

validate: $(INSTALLED)
	$(BIN)/rasa data validate --fail-on-warnings

# The action server stores feedback, so the database must exist (db-upgrade is idempotent).
run: $(MODEL) db-upgrade
	@scripts/run-shell.sh

serve: $(MODEL) db-upgrade
	@scripts/serve.sh

actions: db-upgrade
	$(BIN)/rasa run actions --port 5055

test: validate rasa-test heldout pytest

# The web workspace's browser tests run with the others, so chromium must be there.
pytest: $(MODEL) browser
	$(BIN)/pytest

# Test stories: user text through the trained NLU and dialogue model; reports in results/.
rasa-test: $(MODEL)
	$(BIN)/rasa test core --e2e --model $(MODEL) --stories tests/test_stories.yml --out results --fail-on-prediction-errors

# Fails below 0.85 intent accuracy on the held-out split, or 0.85 complaint category accuracy on the
# independent split, in any language group.
heldout: $(MODEL)
	$(BIN)/python -m evaluation.nlu --model $(MODEL) --heldout tests/nlu_heldout --independent tests/independent/messages.jsonl \
		$(if $(EXTERNAL_EVAL),--external $(EXTERNAL_EVAL)) --out results --min-accuracy 0.85 --min-category-accuracy 0.85

# The external evaluation set sits beside the repository (../shared); the report skips it when absent.
EXTERNAL_EVAL := $(wildcard ../shared/eval/external.jsonl)
eval: $(MODEL) $(BASELINE)
	$(BIN)/python -m evaluation --out results $(if $(EXTERNAL_EVAL),--external $(EXTERNAL_EVAL))

# Needs PostgreSQL (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/nagarik_bench,
# recreated) and, with SANIC_WORKERS > 1, Redis. Writes results/benchmark.json and .png.
bench: $(MODEL) $(BASELINE)
	$(BIN)/python -m benchmark

# Creates or migrates the complaint database at DATABASE_URL (default: nagarik.db, SQLite)
# and loads the city's departments and categories into it.
db-upgrade: $(INSTALLED)
	$(BIN)/alembic upgrade head
	$(BIN)/nagarik city load

# The officers' web workspace, in its own process beside Rasa (`make serve` starts it too).
WEB_PORT ?= 8000
web: db-upgrade
	$(BIN)/nagarik web --port $(WEB_PORT)

# Debian's chromium and its driver for the browser tests, and Devanagari and Bengali fonts so that
# the screenshots show the hi and bn pages' text (installed once, with apt-get).
BROWSER_PACKAGES := chromium chromium-driver fonts-lohit-deva fonts-lohit-beng-bengali
browser:
	@if ! dpkg-query -W -f='$${Status}\n' $(BROWSER_PACKAGES) 2>/dev/null | grep -qv 'install ok installed' \
		&& [ "$$(dpkg-query -W -f='$${Status}\n' $(BROWSER_PACKAGES) 2>/dev/null | wc -l)" -eq 4 ]; then :; else \
		echo "installing $(BROWSER_PACKAGES) with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null || exit 1; \
	fi

# Needs no model; the browser tests leave a screenshot of every main page in results/web/.
web-test: $(INSTALLED) browser
	$(BIN)/pytest -q tests/test_web.py tests/test_web_units.py tests/test_web_browser.py

# Recreates BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/nagarik_web_bench).
web-bench: $(INSTALLED)
	$(BIN)/python -m benchmark.web_queue

lock: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -r requirements.in
	@{ echo "# Generated from requirements.in with 'make lock' on CPython 3.10 (Linux x86_64). Do not edit by hand."; \
	   $(BIN)/python -m pip freeze --exclude-editable | grep -iv '^nagarik'; } > requirements.lock

clean:
	rm -rf $(VENV) models/*.tar.gz results .rasa .pytest_cache
