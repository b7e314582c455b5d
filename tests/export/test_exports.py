"""The export over HTTP with a real Celery worker: build, progress, the AES ZIP, the parents' single-use
link with its code, the hand-over feeding retention; cancelling and refusals leave nothing behind."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from tests.support.api import Api
from tests.support.export import family_report, principal, wait_until_done
from tests.support.families import consent_body, family_with_recording
from tests.support.media import sources
from tests.support.tus import stored
from vault.db import unit_of_work
from vault.export import Export
from vault.export.package import Cancelled, ZipSink, prepare, write
from vault.export.tasks import build_export, sweep_expired
from vault.media import scratch_dir
from vault.settings import get_settings
from vault.store import ObjectKind, StoredObject, open_store


def export_objects() -> list[StoredObject]:
    with unit_of_work() as db:
        return list(db.exec(select(StoredObject).where(StoredObject.kind == ObjectKind.export)))


def test_trainer_builds_the_package_and_the_parents_fetch_it_with_link_and_code(
    api: Api, server: str, worker: None, tmp_path: Path
) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    h, trajectory = world["headers"], world["trajectory"]["id"]
    mp4, _, mts = sources(tmp_path)
    stored(api, server, world, [mp4, mts])
    given = api.client.post(
        f"/api/v1/families/{world['family']['id']}/consents",
        headers=h,
        json=consent_body(world, "supervision"),
    )
    assert given.status_code == 201, given.text

    created = api.client.post(f"/api/v1/trajectories/{trajectory}/exports", headers=h, json={})
    assert created.status_code == 202, created.text
    assert "passphrase" not in created.json()  # one secret for the parents: the code (ADR 0015)
    view = wait_until_done(api, h, created.json()["id"])
    assert view["status"] == "ready", view
    assert view["progress"] == {"done": 2, "total": 2}
    assert len(export_objects()) == 1  # the package, encrypted at rest

    # The trainer may download it too (to put on a stick); a plain ZIP.
    data = api.client.get(f"/api/v1/exports/{view['id']}/download", headers=h).content
    assert hashlib.sha256(data).hexdigest() == view["sha256"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        top = names[0].split("/")[0]
        assert top.startswith("Beeldkluis - FAM-")
        assert "Ze zijn van u." in z.read(f"{top}/LEESMIJ.txt").decode()
        consents = z.read(f"{top}/toestemmingen.html").decode()
        assert "supervisie van de trainer" in consents
        assert "<td>gegeven</td>" in consents
        sums = z.read(f"{top}/SHA256SUMS").decode().splitlines()
        assert len(sums) == len(names) - 1
        for line in sums:
            digest, name = line.split("  ", 1)
            assert hashlib.sha256(z.read(f"{top}/{name}")).hexdigest() == digest
        assert sorted(n.split("/", 1)[1] for n in names if "/Opnames/" in n)[0].startswith(
            "Opnames/01 - 2026-"
        )

    link = api.client.post(f"/api/v1/exports/{view['id']}/link", headers=h)
    assert link.status_code == 201, link.text
    url, code = link.json()["url"], link.json()["code"]
    path = "/" + url.split("/", 3)[3]
    page = api.client.get(path)
    assert page.status_code == 200
    assert "Vul de code in" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]

    wrong = api.client.post(path, data={"code": "aaaa-aaaa"})
    assert wrong.status_code == 403
    assert "klopt niet" in wrong.text
    right = api.client.post(path, data={"code": code.upper()}, follow_redirects=False)
    assert right.status_code == 303  # to the page, which now offers the download
    assert "De code klopt" in api.client.get(path).text
    fetched = api.client.get(f"{path}/download")
    assert fetched.headers["content-type"] == "application/zip"
    assert fetched.content == data
    for _ in range(get_settings().export_link_downloads - 1):  # e.g. a second computer at home
        assert api.client.get(f"{path}/download").status_code == 200
    again = api.client.get(f"{path}/download")
    assert again.status_code == 410
    assert "werkt niet meer" in again.text
    assert api.client.get(path).status_code == 410

    report = family_report(world["family"]["id"])
    downloads = [
        (r["role"], r["outcome"], r["reason"]) for r in report if r["action"] == "download"
    ]
    assert ("parent", "denied", "handover_not_verified") in downloads
    assert ("parent", "allowed", "code_verified") in downloads
    assert ("parent", "allowed", "allowed") in downloads

    handed = api.client.post(
        f"/api/v1/exports/{view['id']}/handover", headers=h, json={"how": "download"}
    )
    assert handed.status_code == 200, handed.text
    today = datetime.now(UTC).date().isoformat()
    assert handed.json()["export_handed_over_on"] == today
    traj = api.client.get(f"/api/v1/trajectories/{trajectory}", headers=h).json()
    assert traj["export_handed_over_on"] == today
    assert any(r["reason"] == "handed_over" for r in family_report(world["family"]["id"]))

    # Removing the package forgets it: object deleted, key shredded, a new link impossible.
    assert api.client.delete(f"/api/v1/exports/{view['id']}", headers=h).status_code == 204
    assert export_objects() == []
    assert api.client.post(f"/api/v1/exports/{view['id']}/link", headers=h).status_code == 409


def test_a_link_is_blocked_after_wrong_codes_and_dies_when_it_expires(
    api: Api, server: str, worker: None, tmp_path: Path
) -> None:
    world = family_with_recording(api, api.account("trainer"))
    h = world["headers"]
    stored(api, server, world, sources(tmp_path)[:1])
    created = api.client.post(
        f"/api/v1/trajectories/{world['trajectory']['id']}/exports",
        headers=h,
        json={"encrypted": False},
    )
    assert "passphrase" not in created.json()
    view = wait_until_done(api, h, created.json()["id"])
    assert view["status"] == "ready"

    first = api.client.post(f"/api/v1/exports/{view['id']}/link", headers=h).json()
    path = "/" + first["url"].split("/", 3)[3]
    for _ in range(get_settings().export_link_attempts):
        api.client.post(path, data={"code": "zzzz-zzzz"})
    assert (
        api.client.post(path, data={"code": first["code"]}).status_code == 410
    )  # blocked, even with the code

    second = api.client.post(f"/api/v1/exports/{view['id']}/link", headers=h).json()
    assert api.client.get(path).status_code == 410  # a new link replaces the old one
    path = "/" + second["url"].split("/", 3)[3]
    with unit_of_work() as db:
        export = db.get(Export, uuid.UUID(view["id"]))
        assert export is not None
        export.link_expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.add(export)
    assert api.client.post(path, data={"code": second["code"]}).status_code == 410
    with zipfile.ZipFile(
        io.BytesIO(api.client.get(f"/api/v1/exports/{view['id']}/download", headers=h).content)
    ) as z:
        assert any(
            n.endswith("index.html") for n in z.namelist()
        )  # unencrypted: opens without a passphrase
        assert z.testzip() is None


def test_cancel_before_the_worker_starts_leaves_nothing(
    api: Api, server: str, tmp_path: Path
) -> None:
    world = family_with_recording(api, api.account("trainer"))
    h = world["headers"]
    stored(api, server, world, sources(tmp_path)[:1])
    created = api.client.post(
        f"/api/v1/trajectories/{world['trajectory']['id']}/exports", headers=h, json={}
    )
    assert export_objects() == []  # nothing stored until the task builds it
    assert (
        api.client.delete(f"/api/v1/exports/{created.json()['id']}", headers=h).status_code == 204
    )
    assert (
        api.client.get(f"/api/v1/exports/{created.json()['id']}", headers=h).json()["status"]
        == "cancelled"
    )
    assert export_objects() == []
    assert build_export(uuid.UUID(created.json()["id"])) == "cancelled"  # a late task does nothing


def test_cancelled_mid_package_leaves_no_object_no_parts_no_scratch(
    api: Api, server: str, tmp_path: Path
) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    mp4, _, mts = sources(tmp_path)
    stored(api, server, world, [mp4, mts])
    settings = get_settings()
    with unit_of_work() as db:
        package = prepare(db, settings, principal(trainer.id), uuid.UUID(world["trajectory"]["id"]))
    before = set(scratch_dir().iterdir())
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 1  # after the first recording

    with pytest.raises(Cancelled), unit_of_work() as db:  # noqa: PT012 - cancelled inside the writer's block
        store = open_store(db, settings)
        with store.writer(family_id=package.family_id, kind=ObjectKind.export) as out:
            write(
                package,
                ZipSink(out, package.folder_name, "pass"),
                settings,
                cancelled=cancelled,
            )  # type: ignore[arg-type]
    assert len(asked) == 2
    assert export_objects() == []
    with unit_of_work() as db:
        assert open_store(db, settings).check().clean
    assert set(scratch_dir().iterdir()) - before == set()


def test_export_refused_to_others_and_when_nothing_is_left(
    api: Api, server: str, tmp_path: Path
) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    trajectory = world["trajectory"]["id"]
    other = api.as_(api.account("trainer"))
    opleider = api.as_(api.account("opleider"))
    for headers in (other, opleider):
        refused = api.client.post(
            f"/api/v1/trajectories/{trajectory}/exports", headers=headers, json={}
        )
        assert refused.status_code == 403
    nothing = api.client.post(
        f"/api/v1/trajectories/{trajectory}/exports", headers=world["headers"], json={}
    )
    assert nothing.status_code == 409  # no stored recordings (none uploaded, or all purged)
    assert "geen" in nothing.json()["detail"].lower() or "kies" in nothing.json()["detail"].lower()
    stranger = api.client.post(
        f"/api/v1/trajectories/{trajectory}/exports",
        headers=world["headers"],
        json={"recording_ids": [str(uuid.uuid4())]},
    )
    assert stranger.status_code == 409
    assert export_objects() == []
    denied = [
        r
        for r in family_report(world["family"]["id"])
        if r["action"] == "export" and r["outcome"] == "denied"
    ]
    assert len(denied) == 2


def test_packages_past_their_keeping_period_are_removed(
    api: Api, server: str, tmp_path: Path
) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    stored(api, server, world, sources(tmp_path)[:1])
    created = api.client.post(
        f"/api/v1/trajectories/{world['trajectory']['id']}/exports",
        headers=world["headers"],
        json={},
    )
    assert build_export(uuid.UUID(created.json()["id"])) == "ready"  # as the worker would
    assert sweep_expired() == 0  # kept for EXPORT_KEEP_DAYS
    assert len(export_objects()) == 1
    assert (
        sweep_expired(
            datetime.now(UTC) + timedelta(days=get_settings().export_keep_days, seconds=1)
        )
        == 1
    )
    assert export_objects() == []
    view = api.client.get(
        f"/api/v1/exports/{created.json()['id']}", headers=world["headers"]
    ).json()
    assert view["status"] == "removed"
    assert any(r["reason"] == "export_expired" for r in family_report(world["family"]["id"]))
