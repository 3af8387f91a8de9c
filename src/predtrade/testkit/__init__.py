"""Test helpers shipped with the package: builders with every argument defaulted."""

from .stubs import CONDITION_ID, NO_TOKEN, YES_TOKEN, Stubs

__all__ = ["CONDITION_ID", "NO_TOKEN", "YES_TOKEN", "Stubs"]
