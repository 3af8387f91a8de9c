"""Build hook: compile the hot-path modules listed in ``predtrade._accel.MODULES`` with Cython.

Everything else is declared in ``pyproject.toml``. The compiled build is optional: with
``PREDTRADE_PURE_PYTHON=1``, without Cython or without a C compiler, the package installs as
plain Python (one warning) and behaves the same, only slower.
"""

from __future__ import annotations

import ast
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
    """Compile in parallel; a module that fails to compile stays pure Python (with a warning)."""

    def finalize_options(self) -> None:
        super().finalize_options()
        if self.parallel is None:
            self.parallel = os.cpu_count() or 1

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # no compiler, no headers: the pure package still works
            print(f"predtrade: compiled build skipped ({exc}); installing pure Python", file=sys.stderr)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:
            print(f"predtrade: {ext.name} not compiled ({exc}); it runs as Python", file=sys.stderr)


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
