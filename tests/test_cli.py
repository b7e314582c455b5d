"""The beeldkluis command: help in Dutch (English via LANG), version, migrate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from vault import __version__


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from vault.cli import main; main()", *args],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip


def base_env(tmp_path: Path, lang: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LANG": lang,
        "BEELDKLUIS_DATA_DIR": str(tmp_path / "d"),
    }


def test_version(tmp_path: Path) -> None:
    out = run("--version", env=base_env(tmp_path, "nl_NL.UTF-8"))
    assert out.returncode == 0
    assert out.stdout.strip() == f"beeldkluis {__version__}"


def test_help_is_dutch_by_default(tmp_path: Path) -> None:
    out = run("--help", env=base_env(tmp_path, "nl_NL.UTF-8"))
    assert out.returncode == 0
    assert "Start de webservice" in out.stdout
    for command in ("serve", "worker", "migrate", "users", "store", "audit"):
        assert command in out.stdout


def test_help_in_english_with_an_english_locale(tmp_path: Path) -> None:
    out = run("--help", env=base_env(tmp_path, "en_GB.UTF-8"))
    assert out.returncode == 0
    assert "Run the web service" in out.stdout


def test_migrate_creates_the_embedded_database(tmp_path: Path) -> None:
    env = base_env(tmp_path, "nl_NL.UTF-8")
    out = run("migrate", env=env)
    assert out.returncode == 0, out.stderr
    assert "Databaseschema bijgewerkt" in out.stdout
    assert (tmp_path / "d" / "beeldkluis.db").exists()
