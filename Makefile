# The two commands: `make run` and `make test`. Both set everything up on a fresh clone.
VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt 2>/dev/null | cksum | cut -d' ' -f1)
FLASK   := $(BIN)/flask --app app

.PHONY: help run test test-sqlite test-postgresql lint audit format install hooks preview migration bench profile mutation clean

## List the targets and what each does.
help:
	@awk '/^## /{doc = doc (doc ? " " : "") substr($$0, 4); next} \
		/^[a-z-]+:/ && doc {split($$1, name, ":"); printf "  make %-16s %s\n", name[1], doc} \
		!/[?]=/{doc = ""}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml constraints.txt
	./scripts/ensure-system-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

## The virtualenv in .venv with every package the app and its tests need.
install: $(STAMP)

## Start web and worker on http://127.0.0.1:5000 with the demo data (SQLite, console transport).
run: $(STAMP)
	$(FLASK) init-db
	$(FLASK) demo
	@echo "Open http://127.0.0.1:5000 - sent messages appear in instance/outbox.jsonl"
	PATH="$(CURDIR)/$(BIN):$$PATH" HOST=127.0.0.1 PORT=5000 $(BIN)/honcho start -f Procfile

## Lint, audit the dependencies, then the whole suite on SQLite and on PostgreSQL, the
## two at once (each is one process; every test has its own files, ports and database).
test: $(STAMP) lint audit node_modules/axe-core/axe.min.js
	./scripts/ensure-system-packages --test
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgresql

# axe-core for the accessibility tests, exactly as package-lock.json pins it.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	./scripts/ensure-system-packages --test
	npm ci --no-audit --no-fund --silent
	touch $@

## The suite on SQLite only.
test-sqlite: $(STAMP)
	TYDLIGT_TEST_DATABASE=sqlite $(BIN)/pytest -q

## The suite on a PostgreSQL server the tests start on loopback.
test-postgresql: $(STAMP)
	TYDLIGT_TEST_DATABASE=postgresql $(BIN)/pytest -q

## ruff (lint and format) and mypy (types over app/), as the pre-commit hooks run them.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Install the git pre-commit hooks (.pre-commit-config.yaml: what make lint runs).
hooks: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,dev]'
	$(BIN)/pre-commit install

## Known vulnerabilities in the pinned dependencies (pip-audit over constraints.txt).
audit: $(STAMP)
	./scripts/audit-dependencies

## Fix what ruff can fix and format the code.
format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Every message kind in every language and channel.
preview: $(STAMP)
	$(FLASK) preview

## A new migration after changing app/models: make migration m="what changed"
migration: $(STAMP)
	$(BIN)/alembic revision --autogenerate -m "$(m)"

## Benchmarks on PostgreSQL, recorded with the machine in docs/benchmarks.md (about half an hour).
bench: $(STAMP)
	./scripts/ensure-system-packages --test
	$(BIN)/python -m bench --size full --database postgresql --record docs/benchmarks.md

## Where the time goes: make profile what=sweep|webhook [count=2000] -> build/profile-<what>.svg
what ?= sweep
count ?= 2000
profile: $(STAMP)
	./scripts/ensure-system-packages --test
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,profile]'
	mkdir -p build
	$(BIN)/py-spy record --rate 200 --output build/profile-$(what).svg -- \
		$(BIN)/python -m bench.profile $(what) $(count)

## Mutation testing (mutmut) of the PIN code and the access rule, module by module as
## scripts/mutation lists them; fails below 90 % killed. Not part of make test (slow):
## make mutation [module=app/casework/pins.py]
module ?=
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,mutation]'
	$(BIN)/python scripts/mutation $(module)

## Remove the virtualenv and caches.
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
