# somnomotor — the two commands are `make demo` and `make test`.
# Each creates a local virtual environment (.venv) and installs what it needs.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
DEMO_OUT ?= demo-output

.PHONY: demo test bench lint clean browser contract

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Core install: edfio, numpy, scipy, pandas, matplotlib, Jinja2.
$(VENV)/.core: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e .
	touch $@

# Everything: staging (YASA, MNE, LightGBM, numba), cluster (Dask), review (FastAPI), dev tools
# (pytest, ruff, mypy, import-linter, …).
$(VENV)/.all: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e ".[all,dev]"
	touch $@ $(VENV)/.core

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "make: could not install Debian's chromium; browser tests will fail"; \
	  else echo "make: Debian's chromium is missing (apt-get install chromium)"; fi; }

demo: $(VENV)/.core
	$(BIN)/somnomotor demo --out $(DEMO_OUT)

# The import-linter contracts (pyproject.toml) first: a layering violation fails at once.
test: $(VENV)/.all browser
	$(BIN)/lint-imports --no-logo
	$(BIN)/pytest -n 2 --dist loadfile

bench: $(VENV)/.all
	$(PY) benchmarks/run.py

lint: $(VENV)/.all
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src/somnomotor
	$(BIN)/lint-imports --no-logo

# The checker lives beside the project in its development tree (../shared/tools), not in a
# clone; the same promises (docs/interfaces.md) are pinned by the tests (`make test`).
CONTRACT ?= ../shared/tools/check-contract
contract:
	@test -x "$(CONTRACT)" || { echo "make contract: needs the shared contract checker at $(CONTRACT) (part of the development tree, not of a clone; set CONTRACT=/path/to/check-contract). The same promises, docs/interfaces.md, are pinned by make test." >&2; exit 2; }
	@$(MAKE) --no-print-directory $(VENV)/.all
	"$(CONTRACT)"

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache build *.egg-info src/*.egg-info
