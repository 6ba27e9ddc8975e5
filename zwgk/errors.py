"""Errors that map onto the CLI's exit codes (docs/design.md: 0 ok, 1 run failed, 2 bad input)."""

from __future__ import annotations


class BadInput(Exception):
    """Bad configuration or arguments: exit code 2, message names the file and line."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        where = ""
        if path:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(f"{where}{message}")


class StageFailed(Exception):
    """A stage of the nightly cycle could not complete (exit code 1)."""
