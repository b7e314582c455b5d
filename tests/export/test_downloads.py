"""A download that fails never looks like a success: a package whose stored ciphertext was changed is
refused before the first byte (header) or breaks off and is logged as a failure (a chunk in the middle);
`download success` is logged only after the last byte went out; a parents' download that breaks off is
neither a download nor spends the link (ADR 0015). On the local store and on real MinIO."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.support.api import Api
from tests.support.export import damage, downloads, parent_link, ready_export
from tests.support.families import family_with_recording
from tests.support.media import make_video
from tests.support.tus import stored
from vault.db import unit_of_work
from vault.export import Export
from vault.export.tasks import build_export


@pytest.fixture(params=["local", "s3"])
def store_kind(request: pytest.FixtureRequest) -> str:
    if request.param == "s3":
        request.getfixturevalue("s3_env")  # before the API reads its settings
    return str(request.param)


def test_a_damaged_header_is_refused_before_the_first_byte_in_dutch(
    store_kind: str, api: Api, server: str, tmp_path: Path
) -> None:
    world = ready_export(api, server, tmp_path)
    damage(world["export_id"], "header")
    answer = api.client.get(
        f"/api/v1/exports/{world['export_id']}/download", headers=world["headers"]
    )
    assert answer.status_code == 409, answer.status_code
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == "package_damaged"
    assert "beschadigd" in answer.json()["detail"]
    assert downloads(world) == [("failure", "package_damaged")]
    view = api.client.get(f"/api/v1/exports/{world['export_id']}", headers=world["headers"]).json()
    assert view["status"] == "failed"  # "klaar" was a promise the stored package no longer keeps
    assert view["error"] == "package_damaged"
    assert "beschadigd" in view["message"]


def test_a_damaged_chunk_in_the_middle_is_logged_as_a_failed_download(
    store_kind: str, api: Api, server: str, tmp_path: Path
) -> None:
    world = ready_export(api, server, tmp_path)
    damage(world["export_id"], "middle")
    with pytest.raises(Exception, match="(?i)beschadigd|damaged|tampered"):  # noqa: B017, PT011
        # the first chunk authenticated, so the answer had started; it breaks off, never completes
        api.client.get(f"/api/v1/exports/{world['export_id']}/download", headers=world["headers"])
    assert downloads(world) == [("failure", "package_damaged")]
    view = api.client.get(f"/api/v1/exports/{world['export_id']}", headers=world["headers"]).json()
    assert view["status"] == "failed"


def test_success_is_logged_after_the_last_byte_only(
    store_kind: str, api: Api, server: str, tmp_path: Path
) -> None:
    world = ready_export(api, server, tmp_path)
    url = f"/api/v1/exports/{world['export_id']}/download"
    with api.client.stream("GET", url, headers=world["headers"]) as answer:
        assert answer.status_code == 200
        pieces = answer.iter_raw(65536)
        first = next(pieces)
        assert first
        assert downloads(world) == []  # the answer has started; nothing is claimed yet
        rest = b"".join(pieces)
    view = api.client.get(f"/api/v1/exports/{world['export_id']}", headers=world["headers"]).json()
    assert len(first) + len(rest) == view["size"]
    assert downloads(world) == [("success", "")]


def used(export_id: str) -> tuple[bool, bool]:
    with unit_of_work() as db:
        export = db.get(Export, uuid.UUID(export_id))
        assert export is not None
        return export.link_used_at is not None, export.downloaded_at is not None


def test_the_parents_link_stays_usable_when_nothing_was_delivered(
    store_kind: str, api: Api, server: str, tmp_path: Path
) -> None:
    world = ready_export(api, server, tmp_path)
    path, code = parent_link(api, world)
    damage(world["export_id"], "header")
    assert api.client.post(path, data={"code": code}, follow_redirects=False).status_code == 303
    answer = api.client.get(f"{path}/download")
    assert answer.status_code == 409
    assert answer.headers["content-type"].startswith("text/html")
    assert "beschadigd" in answer.text
    assert "niets verstuurd" in answer.text  # the parents are told nothing was sent
    assert used(world["export_id"]) == (False, False)
    assert ("failure", "package_damaged") in downloads(world)
    assert ("success", "") not in downloads(world)


def test_a_parents_download_that_breaks_off_is_no_download_and_spends_nothing(
    store_kind: str, api: Api, server: str, tmp_path: Path
) -> None:
    world = ready_export(api, server, tmp_path)
    path, code = parent_link(api, world)
    damage(world["export_id"], "middle")
    assert api.client.post(path, data={"code": code}, follow_redirects=False).status_code == 303
    with pytest.raises(Exception, match="(?i)beschadigd|damaged|tampered"):  # noqa: B017, PT011
        api.client.get(f"{path}/download")
    assert used(world["export_id"]) == (False, False)  # not spent (ADR 0015), and not downloaded
    assert ("failure", "package_damaged") in downloads(world)
    assert ("success", "") not in downloads(world)
    view = api.client.get(f"/api/v1/exports/{world['export_id']}", headers=world["headers"]).json()
    assert view["downloaded_at"] is None
    assert view["download_failed_at"] is not None


def test_the_parents_download_completes_and_only_then_counts(
    store_kind: str, api: Api, server: str, tmp_path: Path
) -> None:
    world = ready_export(api, server, tmp_path)
    path, code = parent_link(api, world)
    assert api.client.post(path, data={"code": code}, follow_redirects=False).status_code == 303
    answer = api.client.get(f"{path}/download")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    assert used(world["export_id"]) == (False, True)
    assert ("success", "") in downloads(world)


def test_a_client_that_goes_away_is_a_failed_download(
    api: Api, server: str, tmp_path: Path
) -> None:
    """Over a real HTTP server: the trainer's browser stops part-way; that is no success."""
    world = family_with_recording(api, api.account("trainer"))
    big = make_video(tmp_path / "MVI_0009.MP4", 30, extra=["-s", "1280x720", "-b:v", "8M"])
    stored(api, server, world, [big])
    created = api.client.post(
        f"/api/v1/trajectories/{world['trajectory']['id']}/exports",
        headers=world["headers"],
        json={"encrypted": False},
    )
    world["export_id"] = created.json()["id"]
    assert build_export(uuid.UUID(world["export_id"])) == "ready"
    with httpx.stream(
        "GET",
        f"{server}/api/v1/exports/{world['export_id']}/download",
        headers=world["headers"],
        timeout=30,
    ) as answer:
        assert answer.status_code == 200
        assert int(answer.headers["content-length"]) > 20 * 1024 * 1024  # more than socket buffers
        next(answer.iter_raw(65536))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not downloads(world):
        time.sleep(0.2)
    assert downloads(world) == [("failure", "interrupted")]
