"""Shared fixtures: the real services started by deploy/services.sh, throwaway databases and settings.

In CI (CI=true) or with BEELDKLUIS_REQUIRE_SERVICES=1 a missing service fails the test; it never skips.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from tests.support.api import Api
    from tests.support.browser import Browser

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


@pytest.fixture(
    scope="module"
)  # per module: Playwright keeps an event loop in the main thread while it lives
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


@pytest.fixture
def api(database_url: str, settings_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """The app on a fresh database (SQLite and PostgreSQL, or what the module asks) with one organisation."""
    from fastapi.testclient import TestClient

    from tests.factories import OrganisationFactory, bound
    from tests.support.api import Api
    from vault.accounts._oidc import _cache as oidc_cache
    from vault.accounts._oidc import _refreshed as oidc_refreshed
    from vault.app import create_app
    from vault.audit._denials import flood
    from vault.bootstrap import prepare
    from vault.db import unit_of_work
    from vault.settings import get_settings
    from vault.worker import celery_app, configure

    monkeypatch.setenv("BEELDKLUIS_DATABASE_URL", database_url)
    get_settings.cache_clear()
    prepare(get_settings())
    configure(celery_app, get_settings())  # tasks go to this test's broker
    flood.clear()  # the denial log's flood control counts per process
    oidc_cache.clear()  # identity providers of earlier tests (a port may be reused)
    oidc_refreshed.clear()
    with unit_of_work() as db, bound(db):
        org = OrganisationFactory(name="GGD Testregio").id
    with TestClient(create_app()) as client:
        yield Api(client, org)


@pytest.fixture
def worker(api: Api) -> Iterator[None]:
    """A real Celery worker on this test's database and broker (every queue but `stream`)."""
    import sys

    from vault.settings import get_settings

    settings = get_settings()
    env = {
        **os.environ,
        "BEELDKLUIS_DATA_DIR": str(settings.data_dir),
        "BEELDKLUIS_DATABASE_URL": settings.effective_database_url,
    }
    with open(settings.data_dir / "worker.log", "ab") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "vault.cli",
                "worker",
                "--concurrency",
                "1",  # noqa: S603
                "--queues",
                "ingest,media,export,purge,default",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        yield
        proc.terminate()
        proc.wait(timeout=30)
    print((settings.data_dir / "worker.log").read_text()[-3000:])


@pytest.fixture
def stream_worker(api: Api) -> Iterator[None]:
    """A worker for the `stream` queue only, as production runs it (review segments, ADR 0007)."""
    from tests.support.api import start_stream_worker, stop_stream_worker
    from vault.settings import get_settings

    settings = get_settings()
    env = {
        **os.environ,
        "BEELDKLUIS_DATA_DIR": str(settings.data_dir),
        "BEELDKLUIS_DATABASE_URL": settings.effective_database_url,
    }
    proc = start_stream_worker(env, settings.data_dir / "stream-worker.log")
    yield
    stop_stream_worker(proc)
    print((settings.data_dir / "stream-worker.log").read_text()[-3000:])


@pytest.fixture(scope="session")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real videos of a camera card: a good one, a truncated one, a JPEG named .MP4, a big one."""
    from tests.support.media import make_video

    root = tmp_path_factory.mktemp("card")
    good = make_video(
        root / "MVI_0001.MP4",
        extra=[
            "-metadata",
            "location=+52.3676+004.9041/",
            "-metadata",
            "creation_time=2026-11-20T10:00:00Z",
        ],
    )
    truncated = root / "MVI_0002.MP4"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    jpeg = root / "MVI_0003.MP4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=64x64",
            "-frames:v",
            "1",
            "-f",
            "mjpeg",
            str(jpeg),
        ],
        check=True,
        timeout=60,
    )
    big = root / "GH010042.MP4"
    with open(big, "wb") as out:  # a real video followed by padding, to span several 16 MiB parts
        out.write(good.read_bytes())
        out.write(b"\0" * (40 * 1024 * 1024))
    return {"good": good, "truncated": truncated, "jpeg": jpeg, "big": big}


@pytest.fixture
def server(api: Api) -> Iterator[str]:
    """The app on a real HTTP server (uvicorn), for tus clients and browsers."""
    import threading
    import time

    import uvicorn

    from tests.support.api import free_port
    from vault.app import create_app

    port = free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser(chromium: Any, server: str) -> Iterator[Browser]:
    """A page in chromium on the test server; any request elsewhere or CSP breach fails the test."""
    from tests.support.browser import Browser

    context = chromium.new_context(viewport={"width": 1180, "height": 820}, locale="nl-NL")
    context.set_default_timeout(30_000)
    page = context.new_page()
    b = Browser(server, context, page)
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith((server, "data:", "blob:")) else b.elsewhere.append(r.url)
        ),
    )
    page.on(
        "console",
        lambda m: b.violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield b
    context.close()
    assert b.elsewhere == [], f"requests outside the server: {b.elsewhere}"
    assert b.violations == [], f"Content-Security-Policy violations: {b.violations}"


@pytest.fixture
def watched(api: Api, server: str, stream_worker: None, tmp_path: Path) -> dict[str, Any]:
    """A trainer's clip of real video with supervision consent, and the opleider linked to the trainer."""
    import httpx

    from tests.factories import SupervisionLinkFactory, bound
    from tests.support.families import consent_body, family_with_recording
    from tests.support.media import make_video
    from tests.support.tus import tus_upload, upload_id
    from vault.db import unit_of_work
    from vault.ingest.tasks import verify_upload

    trainer, opleider = api.account("trainer"), api.account("opleider")
    with unit_of_work() as db, bound(db):
        SupervisionLinkFactory(trainee_id=trainer.id, opleider_id=opleider.id)
    world = family_with_recording(api, trainer)
    video = make_video(tmp_path / "bad.mp4", 9, extra=["-metadata", "location=+52.3676+004.9041/"])
    url = tus_upload(server, world["headers"], video, world["trajectory"]["id"])
    assert verify_upload(upload_id(url)) == "stored"
    status = httpx.get(f"{server}/api/v1/uploads/{upload_id(url)}", headers=world["headers"]).json()
    clip = httpx.post(
        f"{server}/api/v1/recordings/{status['recording_id']}/clips",
        headers=world["headers"],
        json={"start_s": 0, "end_s": 9, "title": "Bad"},
    ).json()
    consent = api.client.post(
        f"/api/v1/families/{world['family']['id']}/consents",
        headers=world["headers"],
        json=consent_body(world, "supervision"),
    ).json()
    return {
        **world,
        "clip_id": clip["id"],
        "opleider": opleider,
        "ho": api.as_(opleider),
        "video": video,
        "consent": consent,
        "server": server,
    }
