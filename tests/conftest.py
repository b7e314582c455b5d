"""Shared fixtures: the real services started by deploy/services.sh, throwaway databases and settings.

In CI (CI=true) or with BEELDKLUIS_REQUIRE_SERVICES=1 a missing service fails the test; it never skips.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REQUIRED = os.environ.get("CI") == "true" or os.environ.get("BEELDKLUIS_REQUIRE_SERVICES") == "1"


def need(var: str) -> str:
    """The value of a service variable, or fail (CI) / skip (a developer without services)."""
    value = os.environ.get(var)
    return value or missing(
        f"{var} is not set: start the services with `make test` (deploy/services.sh)"
    )


def missing(message: str) -> str:
    """Fail in CI (a missing service is a failure there), skip on a developer's machine without it."""
    if REQUIRED:
        pytest.fail(message)
    pytest.skip(message)
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    return need("BEELDKLUIS_TEST_DATABASE_URL")


def _redis(k: int) -> str:
    """Redis database k (0-7) of this test process: pytest-xdist's workers each own eight of the 16."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    assert 0 <= k < 8
    return need("BEELDKLUIS_TEST_BROKER_URL").rsplit("/", 1)[0] + f"/{8 * int(worker[2:]) % 16 + k}"


@pytest.fixture(scope="session")
def broker_url() -> str:
    return _redis(0)


@pytest.fixture(scope="session")
def redis_db() -> Callable[[int], str]:
    """Another Redis database of this test process, for a test whose broker must be its own."""
    return _redis


@pytest.fixture(scope="session")
def s3_config() -> dict[str, str]:
    return {
        "endpoint": need("BEELDKLUIS_TEST_S3_ENDPOINT"),
        "access_key": need("BEELDKLUIS_TEST_S3_ACCESS_KEY"),
        "secret_key": need("BEELDKLUIS_TEST_S3_SECRET_KEY"),
    }


@pytest.fixture(scope="module")  # per module: Playwright keeps an event loop in the main thread while it lives
def chromium() -> Iterator[Any]:
    """Debian's chromium, headless, driven by Playwright (which never downloads a browser of its own)."""
    from playwright.sync_api import sync_playwright

    executable = need_program("chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
        )
        yield browser
        browser.close()


def need_program(name: str) -> str:
    return shutil.which(name) or missing(
        f"{name} is not installed: `deploy/services.sh install` installs it"
    )


@pytest.fixture
def fresh_postgres(postgres_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        from vault.db import dispose_engines

        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Run the test on the embedded SQLite default and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return str(request.getfixturevalue("fresh_postgres"))


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A clean BEELDKLUIS_* environment with a throwaway data dir; yields the data dir."""
    for key in list(os.environ):
        if key.startswith("BEELDKLUIS_") and not key.startswith("BEELDKLUIS_TEST_"):
            monkeypatch.delenv(key)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("BEELDKLUIS_DATA_DIR", str(data_dir))
    from vault.settings import get_settings
    from vault.worker import celery_app, configure

    get_settings.cache_clear()
    yield data_dir
    get_settings.cache_clear()
    configure(celery_app, get_settings())


@pytest.fixture(autouse=True)
def _close_database_pools() -> Iterator[None]:
    """Every test leaves no open connection behind (warnings are errors)."""
    yield
    from vault.db import dispose_engines

    dispose_engines()


class MinioControl:
    """Stop and start the real MinIO of this test run (failure tests); always restarted afterwards."""

    def __init__(self, services_dir: str) -> None:
        self.dir = services_dir
        self.script = str(Path(__file__).parent.parent / "deploy" / "services.sh")

    def _run(self, verb: str) -> None:
        import subprocess

        subprocess.run(["bash", self.script, verb, self.dir], check=True, timeout=120)  # noqa: S603, S607

    def stop(self) -> None:
        self._run("stop-minio")

    def start(self) -> None:
        self._run("start-minio")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that stops the shared MinIO would fail every test running beside it: it runs alone."""
    for item in items:
        if "minio_control" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.serial)


@pytest.fixture
def minio_control(s3_config: dict[str, str]) -> Iterator[MinioControl]:
    control = MinioControl(need("BEELDKLUIS_TEST_SERVICES_DIR"))
    try:
        yield control
    finally:
        control.start()


@pytest.fixture
def s3_env(
    settings_env: Path, s3_config: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Point the settings at the real MinIO, with buckets unique to this test."""
    suffix = uuid.uuid4().hex[:10]
    env = {
        "BEELDKLUIS_STORE": "s3",
        "BEELDKLUIS_S3_ENDPOINT": s3_config["endpoint"],
        "BEELDKLUIS_S3_ACCESS_KEY": s3_config["access_key"],
        "BEELDKLUIS_S3_SECRET_KEY": s3_config["secret_key"],
        "BEELDKLUIS_BUCKET": f"bk-{suffix}",
        "BEELDKLUIS_WORM_BUCKET": f"bk-worm-{suffix}",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from vault.settings import get_settings

    get_settings.cache_clear()
    return env
