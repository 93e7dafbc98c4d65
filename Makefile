# Common Ground. Two commands do everything on a fresh machine:
#   make chat   talk to the assistant in this terminal (installs and trains on first use)
#   make test   the whole test suite (installs and trains on first use)
# Also: make serve (REST on :5005 + actions on :5055), make train, make bench-lessons, make clean.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
MODEL := models/common-ground.tar.gz
TRAINING_DATA := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONWARNINGS := ignore
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: install train chat serve test validate bench-lessons clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	@python=$$(scripts/find-python.sh) || exit 1; \
	  echo "Creating $(VENV) with $$python (first run: about 2 minutes, 2.8 GB)"; \
	  [ -x $(BIN)/python ] || $$python -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==24.0"
	$(BIN)/python -m pip install --quiet --prefer-binary -r requirements.lock
	@touch $@

train: $(MODEL)

$(MODEL): $(VENV)/.installed $(TRAINING_DATA)
	@echo "Training the assistant (about 3 minutes on 2 cores; skipped when nothing changed)"
	$(BIN)/rasa train --fixed-model-name common-ground --out models --quiet
	@touch $@

validate: $(VENV)/.installed
	$(BIN)/rasa data validate --fail-on-warnings --quiet

chat: $(MODEL)
	@scripts/run.sh chat $(CHAT_USER)

serve: $(MODEL)
	@scripts/run.sh serve

test: $(MODEL) validate
	$(BIN)/python -m pytest tests

bench-lessons: $(VENV)/.installed
	$(BIN)/python scripts/bench_lessons.py

clean:
	rm -rf models .rasa results .pytest_cache var/*.log
