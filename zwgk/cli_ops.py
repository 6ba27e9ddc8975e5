"""Operations commands (schedule, status …), registered onto the main `zwgk` app."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the operations commands to `app`."""
