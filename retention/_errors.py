"""Errors of the retention engine: a stable code, Dutch message first, English beside it."""

from __future__ import annotations


class RetentionError(ValueError):
    """Facts or a policy the engine refuses to plan from. `code` is stable; the message is for a person.

    A plan made from inconsistent facts could forget too early or keep too long, so the engine stops
    and names what to correct instead of guessing.
    """

    def __init__(self, code: str, message_nl: str, message_en: str) -> None:
        super().__init__(f"{message_nl} / {message_en}")
        self.code = code
        self.message_nl = message_nl
        self.message_en = message_en
