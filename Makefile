# Practica — two commands: `make demo` and `make test`. Needs only Python >= 3.11 and make.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
MEMBERS ?= 7000
PYTEST_ARGS ?=

.PHONY: demo test install install-dev serve lint format messages clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Practica needs Python >= 3.11") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## demo: venv, install, migrate, load the demo community, serve with a worker at http://$(HOST):$(PORT)
demo: install
	$(BIN)/practica migrate --noinput
	$(BIN)/practica demo --members $(MEMBERS)
	$(BIN)/practica serve --host $(HOST) --port $(PORT)

## serve: serve what is already in the database
serve: install
	$(BIN)/practica migrate --noinput
	$(BIN)/practica serve --host $(HOST) --port $(PORT)

## test: the whole suite (browser tests need /usr/bin/chromium; they are skipped without it)
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

format: install-dev
	$(BIN)/ruff check --fix src tests
	$(BIN)/ruff format src tests

## messages: refresh the translation catalogs (needs GNU gettext)
messages: install-dev
	cd src/practica && ../../$(BIN)/practica makemessages -l zh_Hans --no-obsolete && ../../$(BIN)/practica compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
