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
# nbval's kernels run in the course sandbox too (bubblewrap; `course check` installs the kernelspec).
# A slow start on a loaded machine must not fail the run: a generous start-up timeout, and IPC
# sockets instead of TCP ports (no port clashes between parallel runs).
NBVAL_KERNEL ?= course-sandbox
NBVAL_STARTUP ?= 180

.PHONY: book test unit nbval install convert check clean

# The venv is rebuilt when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,course]'
	@# Bytecode, as pip leaves an installed package (an editable install has none, and with
	@# PYTHONDONTWRITEBYTECODE set every command would compile the converter from source).
	$(BIN)/python -m compileall -q converter
	touch $@

# The npm packages JavaScript cells may use (package.json; exact versions in package-lock.json).
# Without npm the course still builds: those cells are reported as needing it.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "note: npm is missing (sudo apt-get install npm): JavaScript cells that need npm packages will not run"; fi

install: $(VENV)/.installed node_modules/.package-lock.json

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
	NODE_PATH=$(CURDIR)/node_modules PATH="$$PATH:$(CURDIR)/node_modules/.bin" \
	$(BIN)/pytest -p no:cacheprovider $(NBVAL_MODE) --nbval-kernel-name $(NBVAL_KERNEL) \
	  --nbval-kernel-startup-timeout $(NBVAL_STARTUP) --nbval-sanitize-with nbval_sanitize.cfg \
	  -n $(NBVAL_JOBS) --dist loadfile $(NBVAL_DIR)

convert: install
	$(BIN)/course convert sources

check: install
	$(BIN)/course check

clean:
	rm -rf _build
