"""Errors that reach the user. Each one names what went wrong in one line."""

from __future__ import annotations


class PredtradeError(Exception):
    """Base class; ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class DataError(PredtradeError):
    """A recording could not be read: missing file, unknown format, corrupt or truncated line."""

    exit_code = 2

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class ConfigError(PredtradeError):
    """A configuration mistake (unknown key, bad value)."""

    exit_code = 2
