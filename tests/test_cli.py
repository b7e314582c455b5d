"""The beeldkluis command: help in Dutch (English via LANG), version, migrate."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.readme import readme_commands
from vault import __version__


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from vault.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


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
    for command in ("serve", "worker", "migrate", "users", "store", "audit", "retention", "keys"):
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


def test_first_administrator_then_rotation_and_verification(tmp_path: Path) -> None:
    """The operator's path on a fresh data dir: migrate, create the first admin, rotate, trim, verify."""
    env = base_env(tmp_path, "nl_NL.UTF-8")
    assert run("migrate", env=env).returncode == 0
    created = subprocess.run(
        [
            sys.executable,
            "-c",
            "from vault.cli import main; main()",
            "users",
            "create",
            "fg@org.example",
            "--admin",
            "--name",
            "Beheer",
            "--organisation",
            "GGD",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    assert "/inschrijven/" in created.stdout  # a single-use enrolment link, no secret
    assert "otpauth://" not in created.stdout
    listed = run("users", "list", env=env)
    assert "fg@org.example" in listed.stdout
    assert "administrator" in listed.stdout
    rotated = run("keys", "rotate-master", env=env)
    assert rotated.returncode == 0, rotated.stderr
    assert "versie 2" in rotated.stdout
    trimmed = run("keys", "trim", env=env)
    assert trimmed.returncode == 0, trimmed.stderr
    checkpoint = run("audit", "checkpoint", env=env)
    assert checkpoint.returncode == 0, checkpoint.stderr
    verified = run("audit", "verify", env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "ongeschonden" in verified.stdout


def test_a_command_on_an_unmigrated_data_dir_says_what_to_do(tmp_path: Path) -> None:
    out = run("users", "list", env=base_env(tmp_path, "nl_NL.UTF-8"))
    assert out.returncode == 3
    assert "beeldkluis migrate" in out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    assert len(out.stderr.strip().splitlines()) == 1


def test_every_command_the_readme_names_exists(tmp_path: Path) -> None:
    paths = readme_commands()
    assert ("export",) in paths
    assert ("users", "reset-totp") in paths
    # One process asks for the help of every command line in turn (a process each took a minute).
    script = (
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "from vault.cli import app\n"
        "failed = {}\n"
        "for path in json.loads(sys.argv[1]):\n"
        "    out = CliRunner().invoke(app, [*path, '--help'])\n"
        "    if out.exit_code != 0:\n"
        "        failed[' '.join(path)] = out.output[-300:]\n"
        "print(json.dumps(failed))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, json.dumps(sorted(paths))],
        capture_output=True,
        text=True,
        env=base_env(tmp_path, "nl_NL.UTF-8"),
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-1000:]
    assert json.loads(out.stdout) == {}
