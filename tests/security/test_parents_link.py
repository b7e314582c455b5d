"""The parents' link holds under concurrency, against a real server: wrong codes are counted at most
EXPORT_LINK_ATTEMPTS times, and complete downloads end the link (ADR 0015: the limit is checked when a
download starts, and a download that could complete reserves one of them in the database first, so
no more than the limit of downloads that start together ever end whole)."""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from tests.support.api import Api
from tests.support.families import family_with_recording
from vault.db import unit_of_work
from vault.export import Export
from vault.export.models import ExportStatus
from vault.export.service import codes as _codes
from vault.settings import get_settings
from vault.store import ObjectKind, open_store

PACKAGE = os.urandom(256 * 1024)


def _ready_export(api: Api, package: bytes = PACKAGE) -> uuid.UUID:
    """A ready package in the encrypted store (the build itself is tested in tests/export)."""
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    family_id = uuid.UUID(world["family"]["id"])
    with unit_of_work() as db:
        obj = open_store(db, get_settings()).put(
            family_id=family_id, kind=ObjectKind.export, source=[package]
        )
        export = Export(
            trajectory_id=uuid.UUID(world["trajectory"]["id"]),
            family_id=family_id,
            created_by=trainer.id,
            encrypted=False,
            status=ExportStatus.ready,
            done=1,
            total=1,
            object_id=obj.id,
            size=len(package),
            expires_at=datetime.now(UTC) + timedelta(days=7),
        )
        db.add(export)
        db.flush()
        return export.id


def _link(export_id: uuid.UUID) -> tuple[str, str]:
    token, code = secrets.token_urlsafe(32), "abcd-efgh"
    with unit_of_work() as db:
        export = db.get(Export, export_id)
        assert export is not None
        export.link_token_sha256 = hashlib.sha256(token.encode()).hexdigest()
        export.link_code_hash, export.link_failures, export.downloaded_at = (
            _codes.hash(code),
            0,
            None,
        )
        export.link_expires_at = datetime.now(UTC) + timedelta(days=1)
        db.add(export)
    return token, code


def _downloads(export_id: uuid.UUID) -> int:
    with unit_of_work() as db:
        export = db.get(Export, export_id)
        assert export is not None
        return export.link_downloads


def _at_once(url: str, code: str, n: int) -> list[httpx.Response]:
    start = threading.Barrier(n)
    answers: list[httpx.Response] = []

    def one() -> None:
        start.wait()
        answers.append(httpx.post(url, data={"code": code}, timeout=120))

    threads = [threading.Thread(target=one) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_downloads_at_once_are_whole_and_the_link_ends_after_them(api: Api, server: str) -> None:
    export_id = _ready_export(api)
    token, code = _link(export_id)
    page = f"{server}/ophalen/{token}"
    granted = httpx.post(page, data={"code": code}, follow_redirects=False)
    assert granted.status_code == 303
    cookies = dict(granted.cookies)
    n = get_settings().export_link_downloads
    start = threading.Barrier(n)
    answers: list[httpx.Response] = []

    def one() -> None:
        start.wait()
        answers.append(httpx.get(f"{page}/download", cookies=cookies, timeout=120))

    threads = [threading.Thread(target=one) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [200] * n
    assert all(a.content == PACKAGE for a in answers)
    # Each outcome is recorded once the server has ended its answer, just after the client's last byte.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _downloads(export_id) < n:
        time.sleep(0.2)
    after = httpx.get(f"{page}/download", cookies=cookies, timeout=120)
    assert after.status_code == 410
    assert not after.content.startswith(PACKAGE[:16])
    with unit_of_work() as db:
        export = db.get(Export, export_id)
        assert export is not None
        assert export.link_downloads == n
        assert export.link_used_at is not None


BIG = os.urandom(
    8 * 1024 * 1024
)  # more than the sockets buffer: no download ends before its client reads


def _granted(server: str, token: str, code: str) -> tuple[str, dict[str, str]]:
    page = f"{server}/ophalen/{token}"
    granted = httpx.post(page, data={"code": code}, follow_redirects=False)
    assert granted.status_code == 303
    return f"{page}/download", dict(granted.cookies)


def test_more_downloads_at_once_than_allowed_end_whole_at_most_the_limit(
    api: Api, server: str
) -> None:
    """The attack: many downloads of one link start together. Each learns its status before any of
    them has ended (a barrier after the headers), so a limit checked only at the start lets all through."""
    export_id = _ready_export(api, BIG)
    url, cookies = _granted(server, *_link(export_id))
    n, tries = get_settings().export_link_downloads, 3 * get_settings().export_link_downloads
    headers, bodies = threading.Barrier(tries), threading.Barrier(tries)
    answers: list[tuple[int, bytes]] = []

    def one() -> None:
        headers.wait()
        with httpx.stream("GET", url, cookies=cookies, timeout=120) as answer:
            bodies.wait()  # every download has its status now; none has ended
            answers.append((answer.status_code, answer.read()))

    threads = [threading.Thread(target=one) for _ in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    whole = [body for status, body in answers if status == 200]
    assert len(whole) == n
    assert all(body == BIG for body in whole)
    assert sorted(status for status, _ in answers) == [200] * n + [410] * (tries - n)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _spent(export_id) is None:
        time.sleep(0.2)
    assert _downloads(export_id) == n
    assert httpx.get(url, cookies=cookies).status_code == 410


def _spent(export_id: uuid.UUID) -> datetime | None:
    with unit_of_work() as db:
        export = db.get(Export, export_id)
        assert export is not None
        return export.link_used_at


def test_a_broken_download_spends_nothing_and_resumes(api: Api, server: str) -> None:
    """A download broken off releases what it reserved; the browser's resume (Range + If-Range) gets
    the rest, and the two make one complete download."""
    export_id = _ready_export(api, BIG)
    url, cookies = _granted(server, *_link(export_id))
    got = b""
    with httpx.stream("GET", url, cookies=cookies, timeout=120) as answer:
        assert answer.status_code == 200
        etag = answer.headers["etag"]
        for piece in answer.iter_bytes():
            got += piece
            if len(got) >= 1024 * 1024:
                break  # the connection goes: the phone lost its signal
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _downloads(export_id) != 0:
        time.sleep(0.2)
    assert _downloads(export_id) == 0
    rest = httpx.get(
        url, cookies=cookies, timeout=120, headers={"Range": f"bytes={len(got)}-", "If-Range": etag}
    )
    assert rest.status_code == 206
    assert got + rest.content == BIG
    while time.monotonic() < deadline and _downloads(export_id) != 1:
        time.sleep(0.2)
    assert _downloads(export_id) == 1
    assert _spent(export_id) is None


def test_wrong_codes_at_once_are_counted_at_most_the_limit(api: Api, server: str) -> None:
    limit = get_settings().export_link_attempts
    export_id = _ready_export(api)
    token, code = _link(export_id)
    answers = _at_once(f"{server}/ophalen/{token}", "zzzz-zzzz", 30)
    assert all(a.status_code in (403, 410) for a in answers)  # and no grant: a wrong code sets none
    assert not any(a.cookies for a in answers)
    assert (
        sum(a.status_code == 403 for a in answers) == limit - 1
    )  # tries left shown; the last one blocks
    with unit_of_work() as db:
        export = db.get(Export, export_id)
        assert export is not None
        assert export.link_failures == limit
    assert (
        httpx.post(f"{server}/ophalen/{token}", data={"code": code}).status_code == 410
    )  # blocked
