"""Strategies are pure: same snapshot -> same decision, the snapshot is never changed, and the
strategy code reads no clock, no randomness, no files, and imports nothing from the engine,
venues or data layers."""

import ast
import copy
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

import predtrade.strategies as strategies_pkg
from predtrade.strategies import STRATEGIES, AmmStrategy, BandsStrategy, MomentumStrategy
from predtrade.testkit.snapshots import (
    NO,
    NS,
    START_TS,
    STRIKE,
    YES,
    book,
    make_snapshot,
    own_order,
    position,
)

SNAPSHOTS = [
    pytest.param(make_snapshot(), id="default"),
    pytest.param(
        make_snapshot(
            no_position=position(NO, "300", "0.45"),
            yes_book=book(bids=[("0.66", "100")], asks=[("0.68", "100")]),
            ref_price=STRIKE + STRIKE // 2000,
            orders=(own_order("SELL", "0.33", "10", NO),),
        ),
        id="heavy-no",
    ),
    pytest.param(
        make_snapshot(
            ts=START_TS + 150 * NS,
            ref_price=STRIKE + STRIKE // 2500,
            ref_history=((START_TS + 100 * NS, STRIKE), (START_TS + 149 * NS, STRIKE + STRIKE // 2500)),
            yes_position=position(YES, "10", "0.40"),
        ),
        id="momentum-position",
    ),
]


@pytest.mark.parametrize("snapshot", SNAPSHOTS)
@pytest.mark.parametrize("cls", [AmmStrategy, BandsStrategy, MomentumStrategy])
def test_same_snapshot_same_decision_and_snapshot_unchanged(cls, snapshot):
    before = msgspec.json.encode(snapshot)
    frozen_copy = copy.deepcopy(snapshot)
    strat = cls()
    d1 = strat.evaluate(snapshot)
    d2 = strat.evaluate(snapshot)
    assert d1 == d2
    assert cls().evaluate(frozen_copy) == d1  # a fresh instance agrees: no state carried over
    assert msgspec.json.encode(snapshot) == before
    assert snapshot == frozen_copy
    assert d1.reason


STRATEGY_DIR = Path(strategies_pkg.__file__).parent
# config.py is the file loader: reading a file is its job (and it runs once, before trading)
SOURCES = sorted(p for p in STRATEGY_DIR.rglob("*.py") if p.name != "config.py")
FORBIDDEN_IMPORTS = ("predtrade.engine", "predtrade.venues", "predtrade.data")
FORBIDDEN_MODULES = ("time", "datetime", "random", "os", "socket", "secrets", "uuid")
FORBIDDEN_TEXT = ("time.", "datetime.now", "open(", "random", "perf_counter", "os.environ")


def violations(text: str) -> list[str]:
    """What in a module's source breaks purity: forbidden imports or clock/IO/randomness calls."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:  # relative: inside strategies
            names = [node.module or ""]
        else:
            continue
        for n in names:
            if n.startswith(FORBIDDEN_IMPORTS) or n.split(".")[0] in FORBIDDEN_MODULES:
                found.append(f"import {n}")
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    found += [needle for needle in FORBIDDEN_TEXT if needle in code]
    return found


@pytest.mark.parametrize(
    "text",
    [
        "import time\nx = time.time()\n",
        "from datetime import datetime\nnow = datetime.now()\n",
        "import random\n",
        "from predtrade.engine.loop import Loop\n",
        "from predtrade.venues.polymarket import parse\n",
        "data = open('x').read()\n",
    ],
)
def test_the_scanner_catches_impurity(text):
    assert violations(text)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(STRATEGY_DIR)))
def test_strategy_sources_have_no_clock_io_or_forbidden_imports(path):
    assert violations(path.read_text()) == []


def test_every_registered_strategy_is_scanned():
    scanned = {p.stem for p in SOURCES}
    for name in STRATEGIES:
        assert name in scanned


def test_importing_strategies_pulls_in_no_engine_venue_or_data_module():
    code = (
        "import sys, predtrade.strategies, predtrade.testkit.snapshots\n"
        f"bad = [m for m in sys.modules if m.startswith({FORBIDDEN_IMPORTS!r})]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
