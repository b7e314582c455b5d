"""A trainer imports a card end to end: real server, real tus client, real Celery worker verifying."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from sqlmodel import col, select

from tests.support.api import Api
from tests.support.families import family_with_recording
from vault.db import unit_of_work
from vault.ingest.client import ingest
from vault.recordings.models import Recording


def test_import_a_card_then_again(
    api: Api, server: str, worker: None, videos: dict[str, Path], tmp_path: Path
) -> None:
    world = family_with_recording(api, api.account("trainer"))
    token = world["headers"]["Authorization"].split()[1]
    card = tmp_path / "card"
    (card / "DCIM" / "100CANON").mkdir(parents=True)
    shutil.copy(videos["good"], card / "DCIM" / "100CANON" / "MVI_0001.MP4")
    (card / "DCIM" / "100CANON" / "MVI_0001.THM").write_bytes(b"thumb")
    lines: list[str] = []
    outcome = ingest(
        card,
        world["trajectory"]["id"],
        server=server,
        token=token,
        say=lines.append,
        wait_seconds=120,
    )
    assert [p.name for p in outcome.stored] == ["MVI_0001.MP4"]
    assert outcome.card_may_be_wiped
    assert "De kaart mag nu worden gewist." in lines[-1]
    assert (card / "DCIM" / "100CANON" / "MVI_0001.MP4").exists()  # never deleted unless asked

    shutil.copy(videos["jpeg"], card / "DCIM" / "100CANON" / "MVI_0003.MP4")
    lines.clear()
    again = ingest(
        card,
        world["trajectory"]["id"],
        server=server,
        token=token,
        say=lines.append,
        wait_seconds=120,
        delete_verified=True,
    )
    assert [p.name for p in again.skipped] == ["MVI_0001.MP4"]
    assert again.rejected == [(card / "DCIM" / "100CANON" / "MVI_0003.MP4", "geen videobestand")]
    assert not again.card_may_be_wiped
    assert "NIET" in lines[-1]
    assert (
        card / "DCIM" / "100CANON" / "MVI_0001.MP4"
    ).exists()  # nothing deleted while something failed
    # The worker made the normalised proxy after verifying, on the media queue, with nobody asking.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with unit_of_work() as db:
            recordings = db.exec(
                select(Recording).where(col(Recording.original_object_id).is_not(None))
            ).all()
        if recordings and all(r.proxy_object_id for r in recordings):
            break
        time.sleep(0.5)
    assert [r.proxy_object_id is not None for r in recordings] == [True]
