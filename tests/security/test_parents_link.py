"""The parents' single-use link holds under concurrency: many requests at once against a real server give
exactly one download, and wrong codes are counted at most EXPORT_LINK_ATTEMPTS times."""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from vault.db import unit_of_work
from vault.export import Export
from vault.export.api import _codes
from vault.export.models import ExportStatus
from vault.settings import get_settings
from vault.store import ObjectKind, open_store

from ..api.conftest import Api
from ..api.test_resources import family_with_recording

PACKAGE = os.urandom(256 * 1024)


def _ready_export(api: Api) -> uuid.UUID:
    """A ready package in the encrypted store (the build itself is tested in tests/export)."""
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    family_id = uuid.UUID(world["family"]["id"])
    with unit_of_work() as db:
        obj = open_store(db, get_settings()).put(family_id=family_id, kind=ObjectKind.export, source=[PACKAGE])
        export = Export(trajectory_id=uuid.UUID(world["trajectory"]["id"]), family_id=family_id, created_by=trainer.id,
                        encrypted=False, status=ExportStatus.ready, done=1, total=1, object_id=obj.id, size=len(PACKAGE),
                        expires_at=datetime.now(UTC) + timedelta(days=7))  # fmt: skip
        db.add(export)
        db.flush()
        return export.id


def _link(export_id: uuid.UUID) -> tuple[str, str]:
    token, code = secrets.token_urlsafe(32), "abcd-efgh"
    with unit_of_work() as db:
        export = db.get(Export, export_id)
        assert export is not None
        export.link_token_sha256 = hashlib.sha256(token.encode()).hexdigest()
        export.link_code_hash, export.link_failures, export.downloaded_at = _codes.hash(code), 0, None
        export.link_expires_at = datetime.now(UTC) + timedelta(days=1)
        db.add(export)
    return token, code


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


def test_the_right_code_at_once_from_many_gives_one_download(api: Api, server: str) -> None:
    export_id = _ready_export(api)
    token, code = _link(export_id)
    answers = _at_once(f"{server}/ophalen/{token}", code, 12)
    full = [a for a in answers if a.status_code == 200]
    assert len(full) == 1, [a.status_code for a in answers]
    assert full[0].content == PACKAGE
    assert sorted({a.status_code for a in answers}) == [200, 410]


def test_wrong_codes_at_once_are_counted_at_most_the_limit(api: Api, server: str) -> None:
    limit = get_settings().export_link_attempts
    export_id = _ready_export(api)
    token, code = _link(export_id)
    answers = _at_once(f"{server}/ophalen/{token}", "zzzz-zzzz", 30)
    assert all(a.status_code in (403, 410) for a in answers)
    assert sum(a.status_code == 403 for a in answers) == limit - 1  # tries left shown; the last one blocks
    with unit_of_work() as db:
        export = db.get(Export, export_id)
        assert export is not None
        assert export.link_failures == limit
    assert httpx.post(f"{server}/ophalen/{token}", data={"code": code}).status_code == 410  # blocked
