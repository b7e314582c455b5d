"""The compose stack and the image, checked without a Docker engine: every command they run exists in the
image's CLI, every variable they use is documented in deploy/.env.example and known to the settings,
services start in order on health, and no image floats on `latest`."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from vault.settings import Settings

DEPLOY = Path(__file__).parent.parent / "deploy"


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return loaded


def ours(service: dict[str, Any]) -> bool:
    return Path(service.get("build", {}).get("dockerfile", "")).name == "Dockerfile"


def cli_help(*path: str) -> int:
    return subprocess.run(
        [sys.executable, "-c", "from vault.cli import main; main()", *path, "--help"],  # noqa: S603
        capture_output=True,
        timeout=120,
        check=False,
    ).returncode


def command_path(argv: list[str]) -> tuple[str, ...]:
    assert argv[0] == "beeldkluis", argv
    return tuple(w for w in argv[1:3] if not w.startswith("-") and "/" not in w)


def test_every_command_of_the_stack_exists_in_the_image() -> None:
    services = compose()["services"]
    commands = {command_path(s["command"]) for s in services.values() if ours(s)}
    commands |= {
        command_path(s["healthcheck"]["test"][1:])
        for s in services.values()
        if ours(s) and "healthcheck" in s
    }
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    for line in re.findall(r"^(?:CMD|HEALTHCHECK .*CMD) (\[.*\])$", dockerfile, re.M):
        commands.add(command_path(yaml.safe_load(line)))
    assert ("serve",) in commands
    assert ("worker",) in commands
    assert ("beat",) in commands
    assert ("migrate",) in commands
    for path in commands:
        assert cli_help(*path) == 0, path


def test_every_variable_is_documented_and_known() -> None:
    text = (DEPLOY / "compose.yaml").read_text()
    example = dict(
        line.split("=", 1)
        for line in (DEPLOY / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    used = set(re.findall(r"\$\{(\w+)", text))
    assert used <= set(example), used - set(example)
    known = {f"BEELDKLUIS_{name.upper()}" for name in Settings.model_fields}
    ours_set = {k for k in example if k.startswith("BEELDKLUIS_")}
    for service in compose()["services"].values():
        ours_set |= {k for k in service.get("environment", {}) if k.startswith("BEELDKLUIS_")}
    assert ours_set <= known, ours_set - known
    assert all(
        value == "" or not re.search(r"secret|password", value, re.I) for value in example.values()
    )


def test_services_start_in_order_on_health_and_nothing_floats() -> None:
    services = compose()["services"]
    for name, service in services.items():
        assert "healthcheck" in service or service.get("restart") == "no", (
            name
        )  # one-shot jobs need none
        for dependency in (service.get("depends_on") or {}).values():
            assert dependency["condition"] in (
                "service_healthy",
                "service_completed_successfully",
            ), name
        image = service.get("image", "")
        assert ":" in image, (name, image)
        assert not image.endswith(":latest"), (name, image)
    assert services["api"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    minio_version = re.search(r'MINIO_VERSION:-([^}"]+)', (DEPLOY / "services.sh").read_text())
    assert minio_version is not None
    assert (
        minio_version.group(1) in (DEPLOY / "minio.Dockerfile").read_text()
    )  # the MinIO the tests ran


def test_the_build_context_leaves_secrets_and_tests_out() -> None:
    ignored = (DEPLOY.parent / ".dockerignore").read_text().split()
    for entry in (".git", ".venv", "deploy/.env", "tests", "*.key"):
        assert entry in ignored, entry
