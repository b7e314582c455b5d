"""The normalised proxy: made after ingest from the encrypted original, stored encrypted, upright,
progressive, 25 fps, at most 720p, stripped; review segments read it; retention purges it with the original."""

from __future__ import annotations

import json
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import col, select

from tests.support.api import Api
from tests.support.families import family_with_recording
from tests.support.media import sources
from tests.support.tus import stored
from vault.db import unit_of_work
from vault.media.tasks import make_proxy
from vault.purge import family_plan
from vault.recordings.models import Recording
from vault.settings import get_settings
from vault.store import open_store


def probe_bytes(data: bytes) -> dict[str, Any]:
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            "-show_entries",
            "frame=key_frame,pts_time",
            "-select_streams",
            "v:0",
            "-",
        ],
        input=data,
        capture_output=True,
        check=True,
    )
    probed: dict[str, Any] = json.loads(out.stdout)
    return probed


def test_proxies_of_a_rotated_hevc_and_an_interlaced_mts(
    api: Api, server: str, tmp_path: Path
) -> None:
    world = family_with_recording(api, api.account("trainer"))
    _, hevc, mts = sources(tmp_path)
    stored(api, server, world, [hevc, mts])
    with unit_of_work() as db:
        recordings = [
            r.id
            for r in db.exec(
                select(Recording).where(col(Recording.original_object_id).is_not(None))
            )
        ]
    assert len(recordings) == 2
    for recording_id in recordings:
        assert make_proxy(recording_id) == "made"
        assert make_proxy(recording_id) == "exists"  # idempotent
    with unit_of_work() as db:
        store = open_store(db, get_settings())
        for recording_id in recordings:
            recording = db.get(Recording, recording_id)
            assert recording is not None
            assert recording.proxy_object_id is not None
            info = probe_bytes(b"".join(store.iter_plaintext(recording.proxy_object_id)))
            video = next(s for s in info["streams"] if s["codec_type"] == "video")
            assert video["codec_name"] == "h264"
            assert video["r_frame_rate"] == "25/1"
            assert video.get("field_order", "progressive") == "progressive"
            assert not any(d.get("rotation") for d in video.get("side_data_list", []))
            if json.loads(recording.probe)["rotation"]:
                assert video["height"] > video["width"]  # turned upright, not just flagged
            assert "location" not in json.dumps(info["format"].get("tags", {})).lower()
            keyframes = [float(f["pts_time"]) for f in info["frames"] if f["key_frame"]]
            assert (
                len(keyframes) >= 3
            )  # a keyframe every second: segments start without long decodes
        plan = family_plan(db, uuid.UUID(world["family"]["id"]), datetime.now(UTC).date())
        kinds = {i.object_id: i.rule for i in plan.items}
        undated = {u.object_id: u.waiting_for for u in plan.undated}
        proxies = [db.get_one(Recording, r).proxy_object_id for r in recordings]
        originals = [db.get_one(Recording, r).original_object_id for r in recordings]
        for proxy, original in zip(proxies, originals, strict=True):
            assert kinds.get(proxy) == kinds.get(original)  # the same rule ends both
            assert undated.get(proxy) == undated.get(original)  # or both wait for the same purposes
            assert proxy in kinds or proxy in undated


def test_segments_come_from_the_proxy(
    api: Api, server: str, stream_worker: None, tmp_path: Path
) -> None:
    world = family_with_recording(api, api.account("trainer"))
    _, _, mts = sources(tmp_path)
    stored(api, server, world, [mts])
    with unit_of_work() as db:
        recording = db.exec(
            select(Recording).where(col(Recording.original_object_id).is_not(None))
        ).one()
    assert make_proxy(recording.id) == "made"
    h = world["headers"]
    clip = httpx.post(
        f"{server}/api/v1/recordings/{recording.id}/clips",
        headers=h,
        json={"start_s": 0, "end_s": 3, "title": "Spel"},
    ).json()
    opened = httpx.post(f"{server}/api/v1/clips/{clip['id']}/stream", headers=h).json()
    segment = httpx.get(server + opened["playlist"].replace("index.m3u8", "0.ts"), timeout=60)
    assert segment.status_code == 200
    video = next(s for s in probe_bytes(segment.content)["streams"] if s["codec_type"] == "video")
    assert video["codec_name"] == "h264"
    assert video.get("field_order", "progressive") == "progressive"
