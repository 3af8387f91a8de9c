"""Frozen, validated strategy configs loadable from JSON or TOML files.

Configs are msgspec Structs with ``forbid_unknown_fields=True``: a misspelt key is refused with
a message naming it, not silently ignored. Validation beyond types lives in ``__post_init__``.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from predtrade.errors import ConfigError


class StrategyConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base class of strategy configs."""

    def to_dict(self) -> dict[str, Any]:
        return msgspec.to_builtins(self)

    def config_hash(self) -> str:
        import hashlib

        raw = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(raw).hexdigest()[:16]


C = TypeVar("C", bound=StrategyConfig)


def config_from_dict(cls: type[C], data: dict[str, Any], *, source: str = "config") -> C:
    try:
        return msgspec.convert(data, cls)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    except ValueError as exc:  # raised by __post_init__ checks
        raise ConfigError(f"{source}: {exc}") from None


def load_config(cls: type[C], path: str | Path, *, section: str | None = None) -> C:
    """Load ``cls`` from a ``.json`` or ``.toml`` file (optionally one table/section of it)."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: no such config file")
    try:
        if p.suffix == ".toml":
            data = tomllib.loads(p.read_text())
        elif p.suffix == ".json":
            data = json.loads(p.read_text())
        else:
            raise ConfigError(f"{p}: unknown config format (use .toml or .json)")
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{p}: {exc}") from None
    if section is not None:
        if section not in data:
            raise ConfigError(f"{p}: no [{section}] section")
        data = data[section]
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: expected a table of settings")
    return config_from_dict(cls, data, source=str(p))
