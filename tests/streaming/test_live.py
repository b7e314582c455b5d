"""Segment jobs live in the database, not in an API process: sequential segments share one job on a
stream worker, a seek starts another, the viewer's goodbye and the sweep leave no segment in the store; a
viewer beyond the workers' capacity is told to wait (503, Retry-After, Dutch), and one user's streams are
capped (429)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from tests.support.api import Api
from tests.support.streaming import segment_objects, watchable
from vault.db import unit_of_work
from vault.media import live
from vault.media.live import StreamJob, StreamSegment
from vault.settings import get_settings


@pytest.fixture
def database_url(fresh_postgres: str) -> str:
    """End to end on production's database only: the embedded SQLite default runs the same paths in
    the API and web tests, and each of these runs takes tens of seconds."""
    return fresh_postgres


def test_one_job_per_viewer_a_seek_starts_another_and_nothing_stays(
    api: Api, server: str, stream_worker: None, tmp_path: Path
) -> None:
    w = watchable(api, server, tmp_path, seconds=40)  # ten segments
    opened = httpx.post(f"{server}/api/v1/clips/{w['clip_id']}/stream", headers=w["ho"]).json()
    base = server + opened["playlist"].rsplit("/", 1)[0]
    for n in (0, 1):
        got = httpx.get(f"{base}/{n}.ts", timeout=60)
        assert got.status_code == 200, got.text
        assert got.content[0] == 0x47  # MPEG-TS sync byte
    with unit_of_work() as db:
        assert len(db.exec(select(StreamJob)).all()) == 1
    assert (
        httpx.get(f"{base}/9.ts", timeout=60).status_code == 200
    )  # a seek past what the job is allowed ahead
    assert httpx.get(f"{base}/1.ts", timeout=60).status_code == 200  # and back
    with unit_of_work() as db:
        jobs = db.exec(select(StreamJob).order_by(StreamJob.created_at)).all()  # type: ignore[arg-type]  # SQLModel types created_at as float here; at run time it is a column
        assert [j.first for j in jobs] == [0, 9, 1]
        assert [j.state for j in jobs][:2] in (["stopped", "stopped"], ["stopped", "done"])
        assert jobs[2].state in live.LIVE
    rows, names = segment_objects()
    assert rows
    assert len(names) == len(rows)
    assert httpx.post(f"{base}/stop").status_code == 204
    for _ in range(
        300
    ):  # the worker sees "stopped" at its next beat, forgets its segments and ends
        with unit_of_work() as db:
            if all(time.time() - j.beat_at > 3 * live.BEAT_S for j in db.exec(select(StreamJob))):
                break
        time.sleep(0.1)
    live.sweep(grace=0)
    assert segment_objects() == ([], [])
    with unit_of_work() as db:
        assert db.exec(select(StreamSegment)).all() == []
        assert db.exec(select(StreamJob)).all() == []


def test_beyond_capacity_a_clear_wait_and_a_cap_per_user(
    api: Api, server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No stream worker at all: the job waits in the queue and the viewer is told to wait."""
    monkeypatch.setattr(live, "QUEUE_WAIT_S", 0.5)
    w = watchable(api, server, tmp_path)
    opened = httpx.post(f"{server}/api/v1/clips/{w['clip_id']}/stream", headers=w["ho"]).json()
    busy = httpx.get(server + opened["playlist"].replace("index.m3u8", "0.ts"), timeout=60)
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "3"
    assert busy.json()["code"] == "busy"
    assert "druk" in busy.json()["detail"]
    # The same opleider in another session (another browser, another device) while that one waits.
    monkeypatch.setenv("BEELDKLUIS_STREAM_MAX_JOBS", "1")
    get_settings.cache_clear()
    token = api.sign_in(w["opleider"], offset_steps=1)["access_token"]
    other = httpx.post(
        f"{server}/api/v1/clips/{w['clip_id']}/stream", headers={"Authorization": f"Bearer {token}"}
    ).json()
    capped = httpx.get(server + other["playlist"].replace("index.m3u8", "0.ts"), timeout=60)
    assert capped.status_code == 429
    assert capped.json()["code"] == "too_many_streams"
    assert "tegelijk" in capped.json()["detail"]
    assert "retry-after" in capped.headers
