"""The optional compiled build of the hot path, and the guard that keeps it honest.

The modules in :data:`MODULES` (books, parser, engine, AMM and its stages, OMS, simulated venue,
replay runner) are plain Python. ``pip install`` (``setup.py``) also compiles them with Cython
into extension modules placed beside their sources: the same code, without the interpreter's
per-bytecode dispatch, about 1.5x faster on the decision pass. There is one source of truth;
nothing here is a second implementation.

Python prefers an extension module to a ``.py`` of the same name, so a compiled module that is
older than its source would silently run old code. :func:`install` (called when ``predtrade`` is
imported) prevents that: every compiled module whose ``.py`` is newer than its extension is
loaded from source instead, with one warning that says how to rebuild (``make build``). With
``PREDTRADE_PURE_PYTHON=1`` in the environment every module is loaded from source (and
``setup.py`` compiles nothing): CI runs the test suite both ways.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
import warnings
from pathlib import Path

#: set to ``1`` to run (and install) without the compiled modules
ENV_PURE = "PREDTRADE_PURE_PYTHON"

#: dotted names of the modules compiled by ``setup.py`` (module-level literal: setup.py reads it
#: without importing the package). Modules that define msgspec Structs or dataclasses are left out.
MODULES: tuple[str, ...] = (
    "predtrade.backtest.runner",
    "predtrade.book._queries",
    "predtrade.book.l2",
    "predtrade.book.store",
    "predtrade.data.compiled",
    "predtrade.engine.accounts",
    "predtrade.engine.decide",
    "predtrade.engine.execution",
    "predtrade.engine.ingest",
    "predtrade.engine.loop",
    "predtrade.engine.orders",
    "predtrade.engine.reference",
    "predtrade.engine.risk",
    "predtrade.engine.snapshot",
    "predtrade.engine.state",
    "predtrade.oms.fsm",
    "predtrade.oms.inventory",
    "predtrade.oms.manager",
    "predtrade.pricing.fair_value",
    "predtrade.pricing.grid",
    "predtrade.pricing.volatility",
    "predtrade.strategies._orders",
    "predtrade.strategies.amm",
    "predtrade.strategies.fair",
    "predtrade.strategies.stages.budget",
    "predtrade.strategies.stages.express",
    "predtrade.strategies.stages.inventory_skew",
    "predtrade.strategies.stages.ladder",
    "predtrade.strategies.stages.level_filter",
    "predtrade.strategies.stages.near_expiry",
    "predtrade.strategies.stages.price_skew",
    "predtrade.strategies.stages.taker_filter",
    "predtrade.venues.polymarket.parse",
    "predtrade.venues.sim.latency",
    "predtrade.venues.sim.matching",
    "predtrade.venues.sim.models",
    "predtrade.venues.sim.orders",
    "predtrade.venues.sim.venue",
)

_ROOT = Path(__file__).resolve().parent.parent  # the directory holding the ``predtrade`` package


def source_of(name: str, root: Path = _ROOT) -> Path:
    """The ``.py`` file of a dotted module name under ``root``."""
    return root.joinpath(*name.split(".")).with_suffix(".py")


def extension_of(name: str, root: Path = _ROOT) -> Path | None:
    """The compiled extension beside the module's source, if one was built."""
    src = source_of(name, root)
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        p = src.with_suffix(suffix)
        if p.exists():
            return p
    return None


def scan(root: Path = _ROOT, modules: tuple[str, ...] = MODULES) -> tuple[list[str], list[str]]:
    """``(fresh, stale)``: compiled modules whose extension is at least as new as their source,
    and those whose source changed after they were compiled."""
    fresh: list[str] = []
    stale: list[str] = []
    for name in modules:
        ext = extension_of(name, root)
        if ext is None:
            continue
        try:
            newer = source_of(name, root).stat().st_mtime_ns > ext.stat().st_mtime_ns
        except OSError:  # no source beside it (an installed wheel): the extension is the module
            newer = False
        (stale if newer else fresh).append(name)
    return fresh, stale


class SourceFinder:
    """A meta-path finder that loads the given modules from their ``.py`` source even when a
    compiled extension sits beside it."""

    def __init__(self, sources: dict[str, Path]) -> None:
        self.sources = sources

    def find_spec(self, name: str, path: object = None, target: object = None) -> object:
        src = self.sources.get(name)
        if src is None:
            return None
        return importlib.util.spec_from_file_location(name, src)


#: what :func:`install` decided: ``compiled`` (modules running compiled), ``from_source``
#: (compiled but loaded from source: stale, or ``PREDTRADE_PURE_PYTHON=1``)
state: dict[str, list[str]] = {"compiled": [], "from_source": []}


def install(root: Path = _ROOT) -> None:
    """Route stale compiled modules (or all of them, with ``PREDTRADE_PURE_PYTHON=1``) to their
    source. Idempotent; costs two ``stat`` calls per compiled module."""
    if any(isinstance(f, SourceFinder) for f in sys.meta_path):
        return
    fresh, stale = scan(root)
    if os.environ.get(ENV_PURE) == "1":
        stale, fresh = stale + fresh, []
    elif stale:
        warnings.warn(
            f"{len(stale)} compiled predtrade module(s) are older than their source and run from "
            f"source instead (e.g. {stale[0]}); `make build` recompiles them",
            RuntimeWarning,
            stacklevel=2,
        )
    state["compiled"] = fresh
    state["from_source"] = stale
    if stale:
        sys.meta_path.insert(0, SourceFinder({n: source_of(n, root) for n in stale}))


def describe() -> str:
    """One line for benchmark tables: how the hot path runs in this process."""
    n = len(state["compiled"])
    if os.environ.get(ENV_PURE) == "1":
        return "pure Python (PREDTRADE_PURE_PYTHON=1)"
    if not n:
        return "pure Python (no compiled modules built)"
    extra = f", {len(state['from_source'])} stale from source" if state["from_source"] else ""
    return f"Cython-compiled hot path ({n} of {len(MODULES)} modules{extra})"
