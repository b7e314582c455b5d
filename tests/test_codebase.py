"""The house rules hold: ruff (with security rules), import-linter contracts, mypy strict on the engines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent


def run(tool: str, *args: str) -> None:
    out = subprocess.run(
        [str(BIN / tool), *args], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )  # noqa: S603
    assert out.returncode == 0, f"{tool} failed:\n{out.stdout}\n{out.stderr}"


def test_ruff() -> None:
    run("ruff", "check", "keys", "consent", "retention", "vault", "tests", "bench")


def test_import_contracts() -> None:
    run("lint-imports", "--no-cache")


def test_mypy_strict_on_the_engines() -> None:
    run("mypy", "keys", "consent", "retention")
