# Quick start: `make book` builds the course into _build/html; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# nbval runs every executed notebook again, each in a copy of its own in _build/nbval/<slug>/
# (its kernel's working folder: %%writefile files land there, never in book/ or next to
# another notebook). NBVAL_JOBS notebooks at once (pytest-xdist, one notebook per worker).
NBVAL_DIR := _build/nbval
NBVAL_JOBS ?= auto
# Full comparison of every stored output (cells tagged nbval-ignore-output excepted); see README.
NBVAL_MODE ?= --nbval

.PHONY: book test unit nbval install convert check clean

# The venv is rebuilt when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,course]'
	touch $@

install: $(VENV)/.installed

book: install
	$(BIN)/course build

test: unit nbval

unit: install
	$(BIN)/pytest

# `course check` (cached: about half a second when nothing changed) produces _build/executed.
nbval: install
	$(BIN)/course check
	rm -rf $(NBVAL_DIR)
	for nb in _build/executed/*.ipynb; do \
	  [ -e "$$nb" ] || continue; dir=$(NBVAL_DIR)/$$(basename "$$nb" .ipynb); mkdir -p "$$dir" && cp "$$nb" "$$dir/"; \
	done
	$(BIN)/pytest -p no:cacheprovider $(NBVAL_MODE) --nbval-current-env --nbval-sanitize-with nbval_sanitize.cfg \
	  -n $(NBVAL_JOBS) --dist loadfile $(NBVAL_DIR)

convert: install
	$(BIN)/course convert sources

check: install
	$(BIN)/course check

clean:
	rm -rf _build
