# Two entry points: `make run` (set up and serve the embedded demo) and `make test`.
PYTHON ?= python3
# Two workers by default (the machine this was built for has two cores); files stay whole.
PYTEST_ARGS ?= -n 2 --dist loadfile
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: run test setup install lint

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

setup: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py compile_catalogs
	$(BIN)/python manage.py seed_demo --once

run: setup
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py compile_catalogs
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
