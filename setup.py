"""Build hook: compile the hot-path modules listed in ``predtrade._accel.MODULES`` with Cython.

Everything else is declared in ``pyproject.toml``. The compiled build is optional: with
``PREDTRADE_PURE_PYTHON=1``, without Cython or without a C compiler, the package installs as
plain Python (one warning) and behaves the same, only slower.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"


def accel_modules() -> list[str]:
    """``MODULES`` from src/predtrade/_accel.py, read without importing the package."""
    tree = ast.parse((SRC / "predtrade" / "_accel.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "MODULES":
            return list(ast.literal_eval(node.value))
    raise RuntimeError("MODULES not found in src/predtrade/_accel.py")


def extensions() -> list[Extension]:
    if os.environ.get("PREDTRADE_PURE_PYTHON") == "1":
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        print("predtrade: Cython not available, installing pure Python", file=sys.stderr)
        return []
    exts = [
        Extension(name, [str(Path("src", *name.split(".")).with_suffix(".py"))], extra_compile_args=["-O2"])
        for name in accel_modules()
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
        digests = {
            name: hashlib.sha256((SRC / Path(*name.split("."))).with_suffix(".py").read_bytes()).hexdigest()
            for name in sorted(self.built)
        }
        package_dir.mkdir(parents=True, exist_ok=True)
        (package_dir / "_accel_manifest.json").write_text(json.dumps(digests, indent=1) + "\n")


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
