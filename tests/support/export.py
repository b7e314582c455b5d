"""The export's test helpers: a ready package, a damaged one, its downloads in the access log, the
parents' link, a recording stored around ingest."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from keys import HEADER_SIZE
from tests.support.api import Api
from tests.support.families import family_with_recording
from tests.support.media import make_video
from tests.support.tus import stored
from vault import audit
from vault.accounts import principal_of
from vault.db import unit_of_work
from vault.domain.models import User
from vault.export import Export
from vault.export.tasks import build_export
from vault.recordings.models import Recording
from vault.settings import get_settings
from vault.store import ObjectKind, open_store

SEALED_CHUNK = 65536 + 16


def ready_export(
    api: Api, server: str, tmp_path: Path, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    world = family_with_recording(api, api.account("trainer"))
    tmp_path.mkdir(parents=True, exist_ok=True)
    stored(api, server, world, [make_video(tmp_path / "MVI_0001.MP4", 8)])
    created = api.client.post(
        f"/api/v1/trajectories/{world['trajectory']['id']}/exports",
        headers=world["headers"],
        json={"encrypted": False} if body is None else body,
    )
    assert created.status_code == 202, created.text
    export_id = created.json()["id"]
    assert build_export(uuid.UUID(export_id)) == "ready"  # as the worker would
    return {**world, "export_id": export_id}


def damage(export_id: str, where: str) -> bytes:
    """Flip one byte of the stored package (in its header, or in a chunk in the middle); returns the
    genuine ciphertext so a test can restore it."""
    with unit_of_work() as db:
        export = db.get(Export, uuid.UUID(export_id))
        assert export is not None
        assert export.object_id is not None
        store = open_store(db, get_settings())
        name = store.get(export.object_id).name
        genuine = b"".join(store.backend.iter_bytes(name))
        chunks = (len(genuine) - HEADER_SIZE) // SEALED_CHUNK
        assert chunks >= 3, "the package must have a chunk in the middle"
        at = 90 if where == "header" else HEADER_SIZE + (chunks // 2) * SEALED_CHUNK + 100
        store.backend.put(name, [genuine[:at] + bytes([genuine[at] ^ 1]) + genuine[at + 1 :]])
    return genuine


def downloads(world: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (r["outcome"], r["reason"])
        for r in family_report(world["family"]["id"])
        if r["action"] == "download" and r["object_id"] == world["export_id"]
    ]


def parent_link(api: Api, world: dict[str, Any]) -> tuple[str, str]:
    link = api.client.post(f"/api/v1/exports/{world['export_id']}/link", headers=world["headers"])
    assert link.status_code == 201, link.text
    return "/" + link.json()["url"].split("/", 3)[3], link.json()["code"]


def wait_until_done(
    api: Api, h: dict[str, str], export_id: str, seconds: float = 180
) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        view: dict[str, Any] = api.client.get(f"/api/v1/exports/{export_id}", headers=h).json()
        if view["status"] not in ("queued", "building"):
            return view
        time.sleep(0.5)
    raise AssertionError(f"export still {view['status']} after {seconds} s")


def family_report(family_id: str) -> list[dict[str, Any]]:
    with unit_of_work() as db:
        return [audit.as_dict(r) for r in audit.family_report(db, uuid.UUID(family_id))]


def principal(user_id: uuid.UUID) -> audit.Principal:
    with unit_of_work() as db:
        user = db.get(User, user_id)
        assert user is not None
        return principal_of(user, network="cli")


def recording_from_file(world: dict[str, Any], path: Path) -> None:
    """A recording stored as it is, around ingest (which has checks of its own): export must not trust
    what ingest let through."""
    with unit_of_work() as db:
        store = open_store(db, get_settings())
        with open(path, "rb") as source:
            row = store.put(
                family_id=uuid.UUID(world["family"]["id"]), kind=ObjectKind.original, source=source
            )
        db.add(
            Recording(
                trajectory_id=uuid.UUID(world["trajectory"]["id"]),
                situation="bath",
                recorded_at=datetime(2026, 11, 21, 9, 30, tzinfo=UTC),
                original_object_id=row.id,
            )
        )
