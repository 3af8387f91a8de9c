"""The optional compiled build of the hot path, and the guard that keeps it honest.

The modules in :data:`MODULES` (books, parser, engine, AMM and its stages, OMS, simulated venue,
replay runner) are plain Python. ``pip install`` (``setup.py``) also compiles them with Cython
into extension modules placed beside their sources: the same code, without the interpreter's
per-bytecode dispatch, about 1.7x faster on the decision pass. There is one source of truth;
nothing here is a second implementation.

Python prefers an extension module to a ``.py`` of the same name, so a compiled module built from
an older version of its source would silently run old code. The build writes a manifest
(``_accel_manifest.json`` beside this file) with the SHA-256 of each source it compiled, and
:func:`install` (called when ``predtrade`` is imported) loads every compiled module whose source
no longer matches from the ``.py`` instead, with one warning that says how to rebuild
(``make build``). Content, not timestamps: a checkout or a wheel install that rewrites files
without changing them keeps the compiled modules. With ``PREDTRADE_PURE_PYTHON=1`` in the
environment every module is loaded from source (and ``setup.py`` compiles nothing): CI runs the
test suite both ways.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
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
#: written by setup.py's build step into the package directory: {module: sha256 of its source}
MANIFEST = "_accel_manifest.json"


def source_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_manifest(root: Path = _ROOT, package: str = "predtrade") -> dict[str, str]:
    """The build's record of what it compiled from which source (empty if none or unreadable)."""
    try:
        data = json.loads((root / package / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


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
    """``(fresh, stale)``: compiled modules built from exactly their current source, and those
    whose source changed since (or that the manifest does not vouch for)."""
    fresh: list[str] = []
    stale: list[str] = []
    manifests: dict[str, dict[str, str]] = {}
    for name in modules:
        ext = extension_of(name, root)
        if ext is None:
            continue
        package = name.split(".", 1)[0]
        if package not in manifests:
            manifests[package] = load_manifest(root, package)
        try:
            same = manifests[package].get(name) == source_digest(source_of(name, root))
        except OSError:  # no source beside it: the extension is the module
            same = True
        (fresh if same else stale).append(name)
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
    source. Idempotent; reads and hashes each compiled module's source once (~1 ms in all)."""
    if any(isinstance(f, SourceFinder) for f in sys.meta_path):
        return
    fresh, stale = scan(root)
    if os.environ.get(ENV_PURE) == "1":
        stale, fresh = stale + fresh, []
    elif stale:
        warnings.warn(
            f"{len(stale)} compiled predtrade module(s) were built from another version of their "
            f"source and run from source instead (e.g. {stale[0]}); `make build` recompiles them",
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
