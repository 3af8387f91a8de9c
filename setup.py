"""Build hook: compile the hot-path modules listed in ``predtrade._accel.MODULES`` with Cython.

Everything else is declared in ``pyproject.toml``. The compiled build is optional: with
``PREDTRADE_PURE_PYTHON=1``, without Cython or without a C compiler, the package installs as
plain Python (one warning) and behaves the same, only slower.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"


def _load_accel():
    """``src/predtrade/_accel.py`` as a standalone module (it imports only the standard library):
    its ``MODULES``, ``source_of``, ``source_digest`` and ``MANIFEST`` are what the import-time
    check uses, so the build and the check cannot disagree."""
    spec = importlib.util.spec_from_file_location("_predtrade_accel", SRC / "predtrade" / "_accel.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


accel = _load_accel()


def extensions() -> list[Extension]:
    if os.environ.get("PREDTRADE_PURE_PYTHON") == "1":
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        print("predtrade: Cython not available, installing pure Python", file=sys.stderr)
        return []
    exts = [
        Extension(name, [str(accel.source_of(name, Path("src")))], extra_compile_args=["-O2"])
        for name in accel.MODULES
    ]
    directives = {
        "language_level": 3,
        "annotation_typing": False,  # annotations stay documentation: same semantics as CPython
        "binding": True,  # introspectable functions, as in CPython
    }
    return cythonize(exts, compiler_directives=directives, quiet=True, nthreads=os.cpu_count() or 1)


class OptionalBuildExt(build_ext):
    """Compile in parallel; a module that fails to compile stays pure Python (with a warning).
    Afterwards, write the manifest (``predtrade/_accel_manifest.json``: each compiled module's
    source digest) that ``predtrade._accel`` checks before it lets an extension shadow a source."""

    built: list[str]

    def finalize_options(self) -> None:
        super().finalize_options()
        if self.parallel is None:
            self.parallel = os.cpu_count() or 1

    def run(self) -> None:
        self.built = []
        try:
            super().run()
        except Exception as exc:  # no compiler, no headers: the pure package still works
            print(f"predtrade: compiled build skipped ({exc}); installing pure Python", file=sys.stderr)
        self.write_manifest()

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)  # also when up to date (it then only checks)
        except Exception as exc:
            print(f"predtrade: {ext.name} not compiled ({exc}); it runs as Python", file=sys.stderr)
            return
        self.built.append(ext.name)  # list.append: safe from the parallel build's threads

    def write_manifest(self) -> None:
        if not self.extensions:
            return
        package_dir = Path(self.get_ext_fullpath("predtrade._accel")).parent
        digests = {name: accel.source_digest(accel.source_of(name, SRC)) for name in sorted(self.built)}
        package_dir.mkdir(parents=True, exist_ok=True)
        (package_dir / accel.MANIFEST).write_text(json.dumps(digests, indent=1) + "\n")


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
