"""Camera files through the real import path (tus, sealed on arrival, verified by reading the object back):
what cameras write is stored; what only pretends is refused by name with a Dutch reason, and nothing of
it is kept."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select

from vault.db import unit_of_work
from vault.ingest.tasks import verify_upload
from vault.store import StoredObject

from ..api.conftest import Api
from ..api.test_resources import family_with_recording
from ..media.camera import bad, good
from .test_tus import tus_upload, upload_id


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("card")
    return {"good": good(root), "bad": bad(root, ssrf_url="http://127.0.0.1:9")}


def test_camera_files_are_stored_and_pretenders_refused(api: Api, server: str, corpus: dict) -> None:  # type: ignore[type-arg]
    world = family_with_recording(api, api.account("trainer"))
    headers, trajectory = world["headers"], world["trajectory"]["id"]
    for name, path in corpus["good"].items():
        uid = upload_id(tus_upload(server, headers, path, trajectory))
        assert verify_upload(uid) == "stored", name
    for name, (path, _code) in corpus["bad"].items():
        uid = upload_id(tus_upload(server, headers, path, trajectory))
        assert verify_upload(uid) == "rejected", name
        status = httpx.get(f"{server}/api/v1/uploads/{uid}", headers=headers).json()
        assert status["status"] == "rejected"
        assert status["reason"] in {"bestand is afgebroken", "geen videobestand",
                                    "bevat geen beelden die af te spelen zijn",
                                    "bestand is afgebroken of beschadigd: niet alle beelden zijn af te spelen"}, (name, status)  # fmt: skip
    with unit_of_work() as db:
        kept = db.exec(select(StoredObject).where(StoredObject.kind == "original")).all()
    assert len(kept) == len(corpus["good"])  # the refused left nothing behind


def test_the_camera_time_wins_over_the_file_time_and_the_upload_time_is_never_used(api: Api, server: str, corpus: dict) -> None:  # type: ignore[type-arg]
    world = family_with_recording(api, api.account("trainer"))
    headers, trajectory = world["headers"], world["trajectory"]["id"]
    card_time = "2020-01-02T03:04:05+00:00"  # what the card's file system says
    times = {}
    for name in ("iphone", "moov_at_end"):
        uid = upload_id(tus_upload(server, headers, corpus["good"][name], trajectory, extra={"recorded_at": card_time}))
        assert verify_upload(uid) == "stored"
        recording_id = httpx.get(f"{server}/api/v1/uploads/{uid}", headers=headers).json()["recording_id"]
        times[name] = httpx.get(f"{server}/api/v1/recordings/{recording_id}", headers=headers).json()["recorded_at"]
    assert times["iphone"].startswith("2026-11-20T10:15:00")  # the phone's own clock (11:15 +01:00), in UTC
    assert times["moov_at_end"].startswith("2020-01-02T03:04:05")  # no camera time: the card's file time
