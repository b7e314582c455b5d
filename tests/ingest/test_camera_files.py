"""Camera files through the real import path (tus, sealed on arrival, verified by reading the object back):
what cameras write is stored; what only pretends is refused by name with a Dutch reason, and nothing of
it is kept."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from tests.support.api import Api
from tests.support.browser import Browser
from tests.support.families import family_with_recording
from tests.support.ingest import card_with
from tests.support.tus import tus_upload, upload_id
from vault.db import unit_of_work
from vault.ingest.tasks import verify_upload
from vault.store import StoredObject

from ..media.camera import bad, good


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("card")
    return {"good": good(root), "bad": bad(root, ssrf_url="http://127.0.0.1:9")}


def test_camera_files_are_stored_and_pretenders_refused(
    api: Api, server: str, corpus: dict
) -> None:  # type: ignore[type-arg]
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
        assert status["reason"] in {
            "bestand is afgebroken",
            "geen videobestand",
            "bevat geen beelden die af te spelen zijn",
            "bestand is afgebroken of beschadigd: niet alle beelden zijn af te spelen",
        }, (name, status)
    with unit_of_work() as db:
        kept = db.exec(select(StoredObject).where(StoredObject.kind == "original")).all()
    assert len(kept) == len(corpus["good"])  # the refused left nothing behind


def test_the_camera_time_wins_over_the_file_time_and_the_upload_time_is_never_used(
    api: Api, server: str, corpus: dict
) -> None:  # type: ignore[type-arg]
    world = family_with_recording(api, api.account("trainer"))
    headers, trajectory = world["headers"], world["trajectory"]["id"]
    card_time = "2020-01-02T03:04:05+00:00"  # what the card's file system says
    times = {}
    for name in ("iphone", "moov_at_end"):
        uid = upload_id(
            tus_upload(
                server, headers, corpus["good"][name], trajectory, extra={"recorded_at": card_time}
            )
        )
        assert verify_upload(uid) == "stored"
        recording_id = httpx.get(f"{server}/api/v1/uploads/{uid}", headers=headers).json()[
            "recording_id"
        ]
        times[name] = httpx.get(
            f"{server}/api/v1/recordings/{recording_id}", headers=headers
        ).json()["recorded_at"]
    assert times["iphone"].startswith(
        "2026-11-20T10:15:00"
    )  # the phone's own clock (11:15 +01:00), in UTC
    assert times["moov_at_end"].startswith(
        "2020-01-02T03:04:05"
    )  # no camera time: the card's file time


def test_a_card_of_camera_files_and_pretenders_through_the_cli(
    api: Api,
    server: str,
    worker: None,
    corpus: dict,
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    from vault.ingest.client import ingest

    world = family_with_recording(api, api.account("trainer"))
    token = world["headers"]["Authorization"].split()[1]
    files = {p.name: p for p in corpus["good"].values()} | {
        p.name: p for p, _ in corpus["bad"].values()
    }
    card = card_with(tmp_path, files)
    lines: list[str] = []
    outcome = ingest(
        card,
        world["trajectory"]["id"],
        server=server,
        token=token,
        say=lines.append,
        wait_seconds=300,
        delete_verified=True,
    )
    assert sorted(p.name for p in outcome.stored) == sorted(p.name for p in corpus["good"].values())
    rejected = {p.name: reason for p, reason in outcome.rejected}
    assert sorted(rejected) == sorted(p.name for p, _ in corpus["bad"].values())
    assert all(reason for reason in rejected.values())  # each named with the server's Dutch reason
    assert not outcome.card_may_be_wiped
    assert "De kaart mag nu worden gewist" not in "\n".join(lines)
    assert all((card / "DCIM" / "100CANON" / name).exists() for name in files)  # nothing deleted


def test_a_card_of_camera_files_and_pretenders_in_the_browser(
    api: Api,
    browser: Browser,
    worker: None,
    corpus: dict,  # type: ignore[type-arg]  # noqa: F811
) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    page = browser.sign_in(api, trainer, offset_steps=1)
    browser.go(f"/trajecten/{world['trajectory']['id']}/importeren")
    chosen = [
        corpus["good"]["gopro"],
        corpus["good"]["avchd"],
        corpus["bad"]["no_frames_mov"][0],
        corpus["bad"]["hls_playlist"][0],
    ]
    page.get_by_label("Of losse videobestanden kiezen").set_input_files(chosen)
    page.get_by_role("button", name="Importeren starten").click()
    page.locator("#outcome-card").wait_for(state="visible", timeout=240_000)
    outcome = page.locator("#outcome").inner_text()
    assert "Veilig opgeslagen en gecontroleerd" in outcome
    assert f"{chosen[2].name}: " in outcome
    assert "bevat geen beelden" in outcome
    assert f"{chosen[3].name}: " in outcome
    assert "Wis de kaart nog NIET" in outcome
    assert "De kaart mag nu worden gewist" not in outcome
