# Two commands: `make run` serves the seeded site, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test install lint format migrate seed curator bench load clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "RMP Browser needs Python 3.11 or newer.")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py load_seed_data

run: seed
	@echo
	@echo "  RMP Browser on http://$(HOST)/  (curation: http://$(HOST)/admin/)"
	@echo "  Create a curator (and a reviewer, who publishes) in another terminal with:"
	@echo "      $(BIN)/python manage.py create_curator YOUR-NAME"
	@echo "      $(BIN)/python manage.py create_curator ANOTHER-NAME --reviewer"
	@echo
	$(BIN)/python manage.py runserver $(HOST)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	@mkdir -p var
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=rmpsite.settings.test
	$(BIN)/pytest $(PYTEST_ARGS)

# The benchmark of docs/performance.md (bench/run.py, locust against gunicorn): each page's
# latency, rendered and cached, and the CSV export, on SQLite, and PostgreSQL when BENCH_PG_URL
# is set; then the report.
SCALE ?= 1
bench: install
	$(BIN)/python bench/run.py latency --database sqlite --scale $(SCALE)
	@if [ -n "$$BENCH_PG_URL" ]; then $(BIN)/python bench/run.py latency --database postgres --scale $(SCALE); fi
	$(BIN)/python bench/report.py

# The load test of docs/performance.md: locust, 50 readers for 60 s against gunicorn (SQLite;
# LOAD_DB=postgres with BENCH_PG_URL set), then the report. Stops if any request failed.
LOAD_DB ?= sqlite
USERS ?= 50
DURATION ?= 60
load: install
	$(BIN)/python bench/run.py load --database $(LOAD_DB) --scale $(SCALE) --users $(USERS) --duration $(DURATION)
	$(BIN)/python bench/report.py

curator: migrate
	$(BIN)/python manage.py create_curator $(NAME)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
