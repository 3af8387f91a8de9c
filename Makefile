# predtrade: `make demo` runs the main job, `make test` runs the tests. Both set up .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_SOURCES := $(shell find src/predtrade -name '*.py')

$(BIN)/predtrade: pyproject.toml setup.py
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet 'setuptools>=68' wheel 'Cython>=3.0'
	$(BIN)/pip install --quiet --no-build-isolation -e '.[dev]'
	@touch $@

# The compiled hot path (setup.py, src/predtrade/_accel.py): recompiled when a source changed.
# Stale or missing extensions are never used (their .py runs instead), so this only buys speed.
$(VENV)/.built: $(BIN)/predtrade $(PY_SOURCES)
	$(BIN)/python setup.py -q build_ext --inplace
	@touch $@

.PHONY: demo test lint bench build
build: $(VENV)/.built

demo: build
	$(BIN)/predtrade backtest --sample btc15m --strategy amm --out out

lint: $(BIN)/predtrade
	$(BIN)/ruff check src tests benchmarks

# the suite runs twice: on the compiled hot path, then on the same modules as plain Python
test: build lint
	$(BIN)/pytest -n 2
	PREDTRADE_PURE_PYTHON=1 $(BIN)/pytest -n 2

bench: build
	$(BIN)/python -m benchmarks
