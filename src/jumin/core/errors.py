"""The one error type of the domain core.

Every rule violation carries a stable machine-readable ``code`` (used by the API and
by tests) and a Japanese ``message`` (shown to counter staff).  Messages never
contain the value that was rejected: a rejected value may be a 個人番号 or a
住民票コード, and error texts end up in logs.
"""

from __future__ import annotations


class DomainError(ValueError):
    """A value or an operation breaks a rule of the register."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
