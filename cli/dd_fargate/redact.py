"""Keeps secret plaintext out of everything the CLI prints.

Secrets reach us wrapped (config marked secret, ``pulumi.Output.secret`` inputs). Anything we
print that did not come from our own formatting (policy messages, program errors, pack stderr,
program log lines) goes through ``Redactor.scrub`` first.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

MASK = "[secret]"
# Shorter values would mask ordinary words everywhere; pulumi itself prints "[secret]" for
# the values, and a 1-2 character secret is not a secret worth the noise.
_MIN_LEN = 3


class Redactor:
    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, values: Iterable[str]) -> None:
        with self._lock:
            self._values.update(v for v in values if len(v) >= _MIN_LEN)

    def scrub(self, text: str) -> str:
        with self._lock:
            values = sorted(self._values, key=len, reverse=True)
        for value in values:  # longest first, so a secret containing another is masked whole
            text = text.replace(value, MASK)
        return text
