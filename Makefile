# Two commands: `make demo` and `make test`. Both work on a fresh clone with Python 3.11+, make and git.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEV_INSTALLED := $(VENV)/.dev-installed

.PHONY: demo test setup kb lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(DEV_INSTALLED): $(INSTALLED) pyproject.toml
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

setup: $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/watchfloor demo

test: $(DEV_INSTALLED)
	$(BIN)/python -m pytest -q

lint: $(DEV_INSTALLED)
	$(BIN)/ruff check watchfloor tests

clean:
	rm -rf $(VENV) build *.egg-info
