# predtrade: `make demo` runs the main job, `make test` runs the tests. Both set up .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/predtrade: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

.PHONY: demo test lint bench
demo: $(BIN)/predtrade
	$(BIN)/predtrade backtest --sample btc15m --strategy amm --out out

lint: $(BIN)/predtrade
	$(BIN)/ruff check src tests benchmarks

test: $(BIN)/predtrade lint
	$(BIN)/pytest -n 2

bench: $(BIN)/predtrade
	$(BIN)/python -m benchmarks
