"""An API on a fresh database (SQLite and PostgreSQL) with an organisation and signed-in people."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
from fastapi.testclient import TestClient

from vault.accounts import create_user
from vault.accounts._oidc import _cache as oidc_cache
from vault.accounts._oidc import _refreshed as oidc_refreshed
from vault.app import create_app
from vault.audit._denials import flood
from vault.bootstrap import prepare
from vault.db import unit_of_work
from vault.domain.models import Organisation
from vault.settings import get_settings
from vault.worker import celery_app, configure

PASSWORD = "een lang en geheim wachtwoord"


@dataclass
class Account:
    id: uuid.UUID
    email: str
    secret: str
    role: str
    organisation_id: uuid.UUID


class Api:
    def __init__(self, client: TestClient, organisation_id: uuid.UUID) -> None:
        self.client = client
        self.organisation_id = organisation_id
        self._n = 0
        self._headers: dict[uuid.UUID, dict[str, str]] = {}

    def account(self, role: str, organisation_id: uuid.UUID | None = None) -> Account:
        self._n += 1
        email = f"{role}{self._n}-{uuid.uuid4().hex[:6]}@org.example"
        org = organisation_id or self.organisation_id
        with unit_of_work() as db:
            user, uri = create_user(
                db,
                organisation_id=org,
                email=email,
                name=f"{role.title()} {self._n}",
                role=role,
                password=PASSWORD,
            )
            user_id = user.id
        return Account(user_id, email, pyotp.parse_uri(uri).secret, role, org)

    def code(self, account: Account, offset_steps: int = 0) -> str:
        totp = pyotp.TOTP(account.secret)
        return totp.at(time.time() + offset_steps * totp.interval)

    def sign_in(self, account: Account, offset_steps: int = 0) -> dict[str, str]:
        """Sign in; a second sign-in within 30 s needs the next code (each code works once)."""
        code = self.code(account, offset_steps)
        response = self.client.post(
            "/api/v1/auth/sign-in",
            json={"email": account.email, "password": PASSWORD, "totp": code},
        )
        assert response.status_code == 200, response.text
        return response.json()

    def as_(self, account: Account) -> dict[str, str]:
        """Headers of a signed-in session of `account` (one sign-in per account and test)."""
        if account.id not in self._headers:
            self._headers[account.id] = {
                "Authorization": f"Bearer {self.sign_in(account)['access_token']}"
            }
        return self._headers[account.id]

    def organisation(self, name: str) -> uuid.UUID:
        with unit_of_work() as db:
            org = Organisation(name=name)
            db.add(org)
            db.flush()
            return org.id


@pytest.fixture
def api(database_url: str, settings_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setenv("BEELDKLUIS_DATABASE_URL", database_url)
    get_settings.cache_clear()
    prepare(get_settings())
    configure(celery_app, get_settings())  # tasks go to this test's broker
    flood.clear()  # the denial log's flood control counts per process
    oidc_cache.clear()  # identity providers of earlier tests (a port may be reused)
    oidc_refreshed.clear()
    org = None
    with unit_of_work() as db:
        organisation = Organisation(name="GGD Testregio")
        db.add(organisation)
        db.flush()
        org = organisation.id
    with TestClient(create_app()) as client:
        yield Api(client, org)


@pytest.fixture
def worker(api: Api) -> Iterator[None]:
    settings = get_settings()
    env = {
        **os.environ,
        "BEELDKLUIS_DATA_DIR": str(settings.data_dir),
        "BEELDKLUIS_DATABASE_URL": settings.effective_database_url,
    }
    with open(settings.data_dir / "worker.log", "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "vault.cli", "worker", "--concurrency", "1",  # noqa: S603
                                 "--queues", "ingest,media,export,purge,default"], env=env,
                                stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
        yield
        proc.terminate()
        proc.wait(timeout=30)
    print((settings.data_dir / "worker.log").read_text()[-3000:])


def start_stream_worker(env: dict[str, str], log: Path, concurrency: int = 2) -> subprocess.Popen[bytes]:
    """A worker for the `stream` queue only, as production runs it (review segments, ADR 0007)."""
    with open(log, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "vault.cli", "worker", "--queues", "stream",  # noqa: S603
                                 "--concurrency", str(concurrency)], env=env, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    deadline = time.monotonic() + 120
    while b" ready." not in log.read_bytes():  # a loaded machine may take a while to start a worker
        assert proc.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, "the stream worker did not start"
        time.sleep(0.1)
    return proc


def stop_stream_worker(proc: subprocess.Popen[bytes]) -> None:
    """Stop every live job (each ends at its next beat), then the worker."""
    from sqlmodel import col, update

    from vault.media.live import LIVE, StreamJob

    with unit_of_work() as db:
        db.exec(update(StreamJob).where(col(StreamJob.state).in_(LIVE)).values(state="stopped"))  # type: ignore[call-overload]
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def stream_worker(api: Api) -> Iterator[None]:
    settings = get_settings()
    env = {**os.environ, "BEELDKLUIS_DATA_DIR": str(settings.data_dir),
           "BEELDKLUIS_DATABASE_URL": settings.effective_database_url}  # fmt: skip
    proc = start_stream_worker(env, settings.data_dir / "stream-worker.log")
    yield
    stop_stream_worker(proc)
    print((settings.data_dir / "stream-worker.log").read_text()[-3000:])
