"""The API under test and the people in it: `Api` (a test client on a fresh database with an organisation),
`Account`, and the stream worker's start and stop. The fixtures that build them are in tests/conftest.py."""

from __future__ import annotations

import itertools
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pyotp
from fastapi.testclient import TestClient

from tests.factories import OrganisationFactory, bound
from vault.accounts import create_user
from vault.db import unit_of_work
from vault.media.live import StreamJob

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
        with unit_of_work() as db, bound(db):
            return OrganisationFactory(name=name).id


def start_stream_worker(
    env: dict[str, str], log: Path, concurrency: int = 2
) -> subprocess.Popen[bytes]:
    """A worker for the `stream` queue only, as production runs it (review segments, ADR 0007)."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "vault.cli",
                "worker",
                "--queues",
                "stream",  # noqa: S603
                "--concurrency",
                str(concurrency),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while b" ready." not in log.read_bytes():  # a loaded machine may take a while to start a worker
        assert proc.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, "the stream worker did not start"
        time.sleep(0.1)
    return proc


def stop_stream_worker(proc: subprocess.Popen[bytes]) -> None:
    """Stop every live job (each ends at its next beat), then the worker."""
    from sqlmodel import col, update

    from vault.media.live import LIVE

    with unit_of_work() as db:
        db.exec(update(StreamJob).where(col(StreamJob.state).in_(LIVE)).values(state="stopped"))  # type: ignore[call-overload]  # sqlmodel types exec() for SELECT only
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


API = "import uvicorn; uvicorn.run('vault.app:create_app', factory=True, host='127.0.0.1', port={port}, log_level='warning')"


HOP = {
    "host",
    "content-length",
    "connection",
    "transfer-encoding",
    "content-encoding",
    "keep-alive",
}


class RoundRobin:
    """A balancer as small as they come: each request to the next backend, in turn."""

    def __init__(self, backends: list[str]) -> None:
        self.log: list[tuple[str, int, int]] = []  # (path, backend, status)
        turn = itertools.count()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def forward(self) -> None:
                k = next(turn) % len(backends)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {n: v for n, v in self.headers.items() if n.lower() not in HOP}
                answer = httpx.request(
                    self.command,
                    backends[k] + self.path,
                    headers=headers,
                    content=body,
                    timeout=120,
                )
                outer.log.append((self.path, k, answer.status_code))
                self.send_response(answer.status_code)
                for name, value in answer.headers.items():
                    if name.lower() not in HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = forward  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def start_api(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", API.format(port=port)], env=env)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/health").status_code in (200, 503):
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the API did not start")
