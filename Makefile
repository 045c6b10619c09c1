# OneTrip: `make demo` and `make test` do everything on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: demo test test-pg test-browser install lint typecheck bench messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	PORT=$(PORT) $(BIN)/python manage.py demo --serve

# The whole suite, each test once: checks, the suite on SQLite without the browser tests (two
# processes; --dist loadgroup keeps tests that share a live server on one worker), then the
# browser tests in one process. Any pytest exit code but 0 fails the target, including 5
# ("no tests collected").
test: $(STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/mypy onetrip
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q -m "not browser"
	$(BIN)/python -m pytest -q -m browser

# The suite on PostgreSQL; the browser tests do not depend on the database and run in `make test`.
test-pg: $(STAMP)
	DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest -n 2 --dist loadgroup -q -m "not browser"

test-browser: $(STAMP)
	$(BIN)/python -m pytest -q -m browser

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy onetrip

bench: $(STAMP)
	$(BIN)/python bench/catalog_bench.py

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=tests --ignore=bench --ignore=var --no-obsolete
	$(BIN)/python manage.py compilemessages

clean:
	rm -rf $(VENV) var
