"""Errors the CLI reports as one line with exit code 2 (distinct from 1 = policy violations)."""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """Bad input (missing file, unparseable data, bad config, crashing program or pack).

    ``source`` names the file or directory at fault so the one-line message says where to look.
    """

    def __init__(self, message: str, source: str | Path | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = str(source) if source is not None else None

    def __str__(self) -> str:
        return f"{self.source}: {self.message}" if self.source else self.message
