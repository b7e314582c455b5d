"""The README's command lines, as a newcomer would copy them."""

from __future__ import annotations

from pathlib import Path


def readme_commands() -> set[tuple[str, ...]]:
    """Every command path the README and the operator guide name (`users list/disable` -> two)."""
    import re

    root = Path(__file__).parent.parent.parent
    text = (root / "README.md").read_text() + (root / "docs" / "operator-guide.md").read_text()
    groups = (
        "users",
        "store",
        "audit",
        "retention",
        "keys",
        "export",
        "ingest",
        "serve",
        "migrate",
        "worker",
    )
    paths: set[tuple[str, ...]] = set()
    for span in re.findall(r"`([^`\n]+)`", text):
        words = span.removeprefix("beeldkluis ").split()
        if (
            not words
            or words[0] not in groups
            or not (span.startswith("beeldkluis ") or "/" in span or len(words) > 1)
        ):
            continue
        path: list[list[str]] = []
        for word in words:
            if (
                word[0] in "-["
                or word.isupper()
                or "/" in word
                and word.startswith("/")
                or not word[0].isalpha()
            ):
                break
            path.append(word.split("/"))
        variants: list[tuple[str, ...]] = [()]
        for options in path:
            variants = [v + (o,) for v in variants for o in options]
        paths.update(variants)
    return paths
