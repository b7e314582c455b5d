"""An original with a stored chunk that no longer authenticates, inside the fragment: the anonymising job
fails, leaves no anonymised object (no row, no blob, no key), does not link the clip, and leaves no
plaintext anywhere, whatever ffmpeg made of the cut-off input."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from tests.anonymise.conftest import END, START
from tests.support.api import Api
from tests.support.families import family_with_recording
from tests.support.store import tamper
from tests.support.tus import stored
from vault.anonymise.tasks import make_anonymised
from vault.db import unit_of_work
from vault.keyring.models import ObjectDekRow
from vault.media import SourceUnreadable, scratch
from vault.recordings.models import Clip, Recording
from vault.settings import get_settings
from vault.store import StoredObject, backend_from_settings


def files(*folders: Path) -> set[Path]:
    found: set[Path] = set()
    for folder in folders:
        for dirpath, _dirs, names in os.walk(folder, onerror=lambda _e: None):
            found.update(Path(dirpath, n) for n in names)
    return found


def looks_like_footage(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            head = f.read(64 * 1024)
    except OSError:
        return False
    return b"ftyp" in head or b"mdat" in head or b"moof" in head


def test_a_damaged_original_makes_no_anonymised_copy(
    api: Api, server: str, footage: Path, settings_env: Path
) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    stored(api, server, world, [footage])
    with unit_of_work() as db:
        recording = db.exec(
            select(Recording).where(col(Recording.original_object_id).is_not(None))
        ).one()
        original = recording.original_object_id
        clip = Clip(recording_id=recording.id, start_s=START, end_s=END, created_by=trainer.id)
        db.add(clip)
        clip_id = clip.id
    assert original is not None
    # A chunk about halfway through the 4-second recording: inside the fragment (0.6 s to 3.6 s).
    tamper(original, 0.5)
    shm = Path("/dev/shm")
    watched = (scratch.root(), Path(tempfile.gettempdir()), shm, settings_env)
    before = files(scratch.root(), settings_env) | {
        p for folder in (Path(tempfile.gettempdir()), shm) for p in folder.iterdir()
    }

    with pytest.raises(SourceUnreadable):
        make_anonymised(clip_id)  # a failure, never "made"

    names = [name for name, _ in backend_from_settings(get_settings()).listing()]
    assert [n for n in names if n.startswith("anonymised/")] == []  # no finished blob either
    with unit_of_work() as db:
        kept = db.get(Clip, clip_id)
        assert kept is not None
        assert kept.anonymised_object_id is None
        objects = db.exec(select(StoredObject)).all()
        assert [o.id for o in objects] == [original]
        keys = db.exec(select(ObjectDekRow)).all()
        assert [k.object_id for k in keys] == [original]  # the discarded copy's key is shredded
    # No plaintext: nothing new in scratch, the data dir, /tmp or /dev/shm that holds footage.
    after = files(scratch.root(), settings_env) | {
        p for folder in (Path(tempfile.gettempdir()), shm) for p in folder.iterdir() if p.is_file()
    }
    assert [p for p in after - before if looks_like_footage(p)] == [], watched
    assert make_anonymised(uuid.uuid4()) == "missing"


def test_a_damaged_copy_is_never_streamed_short(
    api: Api, footage_clip: dict[str, Any], stream_worker: None
) -> None:
    """The copy itself damaged in the store after it was made: its trainer's check (and so any viewer
    of the copy) gets a distinct, final refusal in Dutch, never a short segment that looks whole."""
    h, clip_id = footage_clip["headers"], footage_clip["clip_id"]
    assert make_anonymised(clip_id) == "made"
    with unit_of_work() as db:
        copy = db.get_one(Clip, clip_id).anonymised_object_id
    assert copy is not None
    tamper(copy, 0.5)
    opened = api.client.post(f"/api/v1/clips/{clip_id}/anonymised/stream", headers=h)
    assert opened.status_code == 200, opened.text
    playlist = opened.json()["playlist"]
    assert api.client.get(playlist).status_code == 200
    segment = api.client.get(playlist.replace("index.m3u8", "0.ts"))
    assert segment.status_code == 422, segment.status_code
    assert segment.json()["code"] == "segment_unplayable"
    assert "beschadigd" in segment.json()["detail"]
