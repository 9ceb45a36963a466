# PRB Partnerships — `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_PASSWORD ?= prb-demo-2026
# Development defaults; every one can be overridden from the environment.
export DEBUG ?= 1
export SECRET_KEY ?= dev-only-secret-key-change-me

.PHONY: run test lint check messages compilemessages clean bench bench-import load

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

compilemessages: $(STAMP)
	$(BIN)/python manage.py compilemessages --ignore=.venv --verbosity 0

run: $(STAMP) compilemessages
	$(BIN)/python manage.py migrate --no-input --verbosity 0
	$(BIN)/python manage.py seed_demo --once --password "$(DEMO_PASSWORD)"
	@echo
	@echo "Demo logins (password: $(DEMO_PASSWORD)):"
	@echo "  koordynator@example.org          — coordinator"
	@echo "  ekspert1@example.org … ekspert4   — CAL experts"
	@echo "  animator01@example.org … animator32@example.org — animators"
	@echo "  biblioteka001@example.org … biblioteka128@example.org — librarians"
	@echo "Open http://127.0.0.1:8000/"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(STAMP) compilemessages
	DEBUG=0 SECRET_KEY=test-only-secret $(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

# CI checks beside the tests: migrations match models, lint, every string translated.
check: $(STAMP) lint
	$(BIN)/python manage.py makemigrations --check --dry-run --verbosity 0
	bash scripts/check_translations.sh

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l pl --ignore=.venv --ignore=staticfiles --ignore=node_modules --no-obsolete

# Page cost at demo --scale 1 and 10, as ratios to a baseline request (see scripts/benchmark.py),
# then through HTTP: gunicorn + PostgreSQL on 127.0.0.1 in a scratch database created and dropped
# again (scripts/bench_http.py; BENCH_DATABASE_URL, BENCH_PORT, BENCH_SECONDS).
bench: $(STAMP) compilemessages
	rm -f /tmp/prb-bench.sqlite3
	DATABASE_URL=$${DATABASE_URL:-sqlite:////tmp/prb-bench.sqlite3} $(BIN)/python scripts/benchmark.py
	$(BIN)/python scripts/bench_http.py

# The admin's import of 10,000 new libraries: seconds of the preview and of the confirmed import
# (scripts/bench_import.py), on the database of DATABASE_URL (a scratch SQLite one by default).
bench-import: $(STAMP) compilemessages
	rm -f /tmp/prb-bench.sqlite3
	DATABASE_URL=$${DATABASE_URL:-sqlite:////tmp/prb-bench.sqlite3} $(BIN)/python scripts/bench_import.py

# 30 animators and 2 experts for 60 s against gunicorn + PostgreSQL on 127.0.0.1, in a scratch
# database created and dropped again (scripts/load.py; LOAD_DATABASE_URL, LOAD_SECONDS).
load: $(STAMP) compilemessages
	$(BIN)/python scripts/load.py

clean:
	rm -rf $(VENV) staticfiles
