# Quick start: `make book` builds the course into _build/html; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: book test install convert check clean

# The venv is rebuilt when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

book: install
	$(BIN)/course build

test: install
	$(BIN)/pytest

convert: install
	$(BIN)/course convert sources

check: install
	$(BIN)/course check

clean:
	rm -rf _build
