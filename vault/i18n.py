"""Dutch first, English when the locale asks for it (LANG/LC_ALL/LC_MESSAGES starting with 'en')."""

from __future__ import annotations

import os


def english() -> bool:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            return value.lower().startswith("en")
    return False


def t(nl: str, en: str) -> str:
    """Pick the Dutch or English text for a person reading a terminal."""
    return en if english() else nl
