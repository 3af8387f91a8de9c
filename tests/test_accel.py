"""The compiled hot path's guard (predtrade._accel): a compiled module older than its source, or
any compiled module under PREDTRADE_PURE_PYTHON=1, must run from its ``.py``."""

from __future__ import annotations

import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from predtrade import _accel

ROOT = Path(__file__).resolve().parents[1]
EXT = importlib.machinery.EXTENSION_SUFFIXES[0]


def _package(tmp_path: Path, names: list[str]) -> Path:
    """A throwaway package ``pkgx`` whose modules say where they were loaded from; a fake
    "extension" file beside each (never imported by these tests unless fresh)."""
    pkg = tmp_path / "pkgx"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for n in names:
        (pkg / f"{n}.py").write_text("ORIGIN = 'source'\n")
    return tmp_path


def test_scan_trusts_an_extension_only_for_the_source_it_was_built_from(tmp_path: Path) -> None:
    root = _package(tmp_path, ["a", "b", "c", "d"])
    pkg = root / "pkgx"
    for n in "abd":
        (pkg / f"{n}{EXT}").write_bytes(b"")
    manifest = {n: _accel.source_digest(pkg / f"{n.split('.')[-1]}.py") for n in ("pkgx.a", "pkgx.b")}
    (pkg / _accel.MANIFEST).write_text(json.dumps(manifest))
    (pkg / "b.py").write_text("ORIGIN = 'edited after the build'\n")
    os.utime(pkg / "a.py")  # a new timestamp on the same content changes nothing
    fresh, stale = _accel.scan(root, ("pkgx.a", "pkgx.b", "pkgx.c", "pkgx.d"))
    assert fresh == ["pkgx.a"]
    assert stale == ["pkgx.b", "pkgx.d"]  # b: source changed; d: the manifest does not list it
    # c has no extension at all: neither list


def test_scan_without_a_manifest_trusts_no_extension(tmp_path: Path) -> None:
    root = _package(tmp_path, ["a"])
    (root / "pkgx" / f"a{EXT}").write_bytes(b"")
    assert _accel.scan(root, ("pkgx.a",)) == ([], ["pkgx.a"])


def test_source_finder_loads_the_py_even_with_an_extension_beside_it(tmp_path: Path) -> None:
    root = _package(tmp_path, ["m"])
    # a "compiled" module that is really a broken file: importing it would fail loudly
    (root / "pkgx" / f"m{EXT}").write_bytes(b"not an ELF file")
    finder = _accel.SourceFinder({"pkgx.m": _accel.source_of("pkgx.m", root)})
    sys.path.insert(0, str(root))
    sys.meta_path.insert(0, finder)
    try:
        import pkgx.m  # type: ignore[import-not-found]

        assert pkgx.m.ORIGIN == "source"
        assert pkgx.m.__file__.endswith("m.py")
    finally:
        sys.meta_path.remove(finder)
        sys.path.remove(str(root))
        for k in [k for k in sys.modules if k == "pkgx" or k.startswith("pkgx.")]:
            del sys.modules[k]


def test_setup_py_compiles_exactly_the_modules_the_guard_checks() -> None:
    """setup.py loads _accel.py without importing the package; it must see the same module list,
    and every name must be a real module of the source tree."""
    ns: dict = {"__file__": str(ROOT / "setup.py"), "__name__": "setup_probe"}
    src = (ROOT / "setup.py").read_text().split("\nsetup(")[0]  # everything but the setup() call
    exec(compile(src, "setup.py", "exec"), ns)
    assert ns["accel"].MODULES == _accel.MODULES
    assert ns["accel"].MANIFEST == _accel.MANIFEST
    for name in _accel.MODULES:
        assert _accel.source_of(name).exists(), name


@pytest.mark.parametrize("pure", [pytest.param(True, id="pure-env"), pytest.param(False, id="default")])
def test_hot_modules_load_as_the_environment_says(pure: bool) -> None:
    """In a fresh interpreter: with PREDTRADE_PURE_PYTHON=1 every hot module is the .py; by
    default a module is compiled exactly when a fresh extension was built for it."""
    env = dict(os.environ)
    env.pop(_accel.ENV_PURE, None)
    if pure:
        env[_accel.ENV_PURE] = "1"
    code = (
        "import importlib, json, predtrade\n"
        "from predtrade import _accel\n"
        "print(json.dumps({n: importlib.import_module(n).__file__ for n in _accel.MODULES}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    files = json.loads(out.stdout)
    fresh, _ = _accel.scan()
    for name, path in files.items():
        compiled = not path.endswith(".py")
        assert compiled == (not pure and name in fresh), (name, path)
