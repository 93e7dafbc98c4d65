# Common Ground. Two commands do everything on a fresh machine:
#   make chat   talk to the assistant in this terminal (installs and trains on first use)
#   make test   the whole test suite (installs and trains on first use)
# Also: make test-fast (the unit tier and the import contracts: no trained model, no servers, under a
# minute), make serve (REST and the web page on :5005 + actions on :5055), make serve-cluster (HAProxy on
# :5005 in front of two Rasa and two action servers, PostgreSQL, Redis), make soak, make train, make bench-lessons,
# make bench-reports, make eval-dialogue (the scripted conversations of tests/dialogues over REST against
# the real servers: how well people's own words are understood), make clean.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
MODEL := models/common-ground.tar.gz
TRAINING_DATA := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null)
# The web page's chat widget, from the npm registry (checked against its known digest, then
# without its Google Fonts import: the page loads nothing from third parties); and Debian's
# chromium for the browser tests.
WEBCHAT_VERSION := 1.0.1
WEBCHAT := var/web/rasa-webchat-$(WEBCHAT_VERSION).js
WEBCHAT_SHA256 := bfedd788e4bd7df12f64b5bf2963e634f84bac1cb176b6cede60c507d3553f1e
CHROMIUM := /usr/bin/chromium
HAPROXY := /usr/sbin/haproxy
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONWARNINGS := ignore
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: install train chat serve serve-cluster soak test test-fast lint validate bench-lessons bench-reports bench-load eval-dialogue clean web chromium haproxy

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	@python=$$(scripts/find-python.sh) || exit 1; \
	  echo "Creating $(VENV) with $$python (first run: about 2 minutes, 2.8 GB)"; \
	  [ -x $(BIN)/python ] || $$python -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==24.0"
	$(BIN)/python -m pip install --quiet --prefer-binary -r requirements.lock
	@touch $@

web: $(WEBCHAT)

$(WEBCHAT):
	@echo "Fetching the chat widget rasa-webchat $(WEBCHAT_VERSION) from the npm registry"
	@mkdir -p $(dir $@); tmp=$$(mktemp -d); \
	  (cd $$tmp && npm pack --silent rasa-webchat@$(WEBCHAT_VERSION) >/dev/null && \
	   tar -xzf rasa-webchat-$(WEBCHAT_VERSION).tgz package/lib/index.js) && \
	  echo "$(WEBCHAT_SHA256)  $$tmp/package/lib/index.js" | sha256sum --check --quiet && \
	  sed -e 's#@import url(https://fonts.googleapis.com[^)]*);##g' $$tmp/package/lib/index.js > $@; \
	  status=$$?; rm -rf $$tmp; exit $$status

chromium: $(CHROMIUM)

$(CHROMIUM):
	@echo "Installing Debian's chromium for the browser tests (apt-get)"
	$(SUDO) apt-get install -y --no-install-recommends chromium || \
	  ($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium)

haproxy: $(HAPROXY)

# Debian's HAProxy, for make serve-cluster, make soak and the failover test.
$(HAPROXY):
	@echo "Installing Debian's haproxy for the cluster (apt-get)"
	$(SUDO) apt-get install -y --no-install-recommends haproxy || \
	  ($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends haproxy)

train: $(MODEL)

$(MODEL): $(VENV)/.installed $(TRAINING_DATA)
	@echo "Training the assistant (about 3 minutes on 2 cores; skipped when nothing changed)"
	$(BIN)/rasa train --fixed-model-name common-ground --out models --quiet
	@touch $@

validate: $(VENV)/.installed
	$(BIN)/rasa data validate --fail-on-warnings --quiet

chat: $(MODEL)
	@scripts/run.sh chat $(CHAT_USER)

serve: $(MODEL) $(WEBCHAT)
	@scripts/run.sh serve

# HAProxy on :5005 in front of two Rasa servers, and on :5055 in front of two action servers; PostgreSQL
# (COMMON_GROUND_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test) and Redis locks
# (COMMON_GROUND_REDIS_URL, default redis://127.0.0.1:6379/1). Ctrl-C stops everything.
serve-cluster: $(MODEL) $(WEBCHAT) $(HAPROXY)
	@$(BIN)/python scripts/cluster.py

# SOAK_USERS users talking without pause for SOAK_MINUTES minutes against a cluster of its own (a fresh
# PostgreSQL database, dropped afterwards): turn times and errors per minute, each server's memory.
SOAK_USERS ?= 50
SOAK_MINUTES ?= 10
soak: $(MODEL) $(HAPROXY)
	$(BIN)/python scripts/soak.py --users $(SOAK_USERS) --minutes $(SOAK_MINUTES)

# Every tier: tests/unit (SQLite, no servers), tests/integration (PostgreSQL, Redis, the command line),
# tests/e2e (the real Rasa and action servers over REST, Slack, Teams, the web page, the test stories).
# tests/cluster: HAProxy, two Rasa and two action servers on PostgreSQL and Redis; servers killed mid-assessment.
test: $(MODEL) $(WEBCHAT) $(CHROMIUM) $(HAPROXY) validate lint
	$(BIN)/python -m pytest tests

test-fast: $(VENV)/.installed lint
	COMMON_GROUND_TEST_DATABASES=sqlite $(BIN)/python -m pytest tests/unit -q

# The layers (.importlinter) and no high-severity finding from bandit's security checks.
lint: $(VENV)/.installed
	$(BIN)/lint-imports --no-cache
	$(BIN)/bandit -r bot actions -lll --quiet

bench-lessons: $(VENV)/.installed
	$(BIN)/python scripts/bench_lessons.py

bench-reports: $(VENV)/.installed
	$(BIN)/python scripts/bench_reports.py

# Common Ground and Rasa's own sample assistant (rasa init, same virtualenv) under the same load over
# REST, side by side: msg/s, p50/p95/p99, errors, ratings stored, memory, the ratios; then a turn in a
# long conversation. make bench-load USERS=1,5 ANSWERS=10 EVENTS=0 for a quick look.
USERS ?= 1,5,20,50
ANSWERS ?= 20
EVENTS ?= 5000
bench-load: $(MODEL)
	$(BIN)/python scripts/bench_load.py --users $(USERS) --answers $(ANSWERS) --events $(EVENTS)

# Starts both servers on a fresh SQLite file, runs every conversation in tests/dialogues and prints the
# failing turns and a summary (exit 1 unless all pass). EVAL_ARGS="--report-only", "-k ratings",
# "--url http://127.0.0.1:5005 --database-url ..." for servers already running.
eval-dialogue: $(MODEL)
	$(BIN)/python scripts/eval_dialogue.py $(EVAL_ARGS)

clean:
	rm -rf models .rasa results .pytest_cache var/*.log
