"""Stateless API processes, segments on the workers (ADR 0007), on the full stack (PostgreSQL, Redis,
MinIO): two API processes behind a round-robin balancer of our own and two stream workers. An opleider's
player plays a clip from start to end with its requests alternating between the APIs; the worker that
renders it is killed with SIGKILL halfway and the other takes over; afterwards nothing of the footage is
left in tmpfs or in the store."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from sqlmodel import select

from tests.support.api import (
    Api,
    RoundRobin,
    start_api,
    start_stream_worker,
    stop_stream_worker,
)
from tests.support.streaming import database_url as database_url  # production's parts only
from tests.support.streaming import (
    ffprobe,
    first_frame_rgb,
    region_diff,
    segment_objects,
    watchable,
)
from vault.db import unit_of_work
from vault.media import Source, live, render_segment
from vault.media.live import StreamJob
from vault.media.scratch import root, sweep
from vault.settings import get_settings

SECONDS = 40


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def tree(pid: int) -> list[psutil.Process]:
    try:
        main = psutil.Process(pid)
        return [main, *main.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def runs_ffmpeg(pid: int) -> bool:
    return any(p.name() == "ffmpeg" for p in tree(pid)[1:] if p.is_running())


def test_a_player_behind_two_apis_survives_a_worker_killed_halfway(
    api: Api, server: str, tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    env = {**os.environ, "BEELDKLUIS_DATABASE_URL": get_settings().effective_database_url}
    apis = [start_api(env) for _ in range(2)]
    processes += [proc for proc, _ in apis]
    workers = [
        start_stream_worker(env, tmp_path / f"worker-{i}.log", concurrency=1) for i in range(2)
    ]
    processes += workers
    pids = {p.pid for proc in processes for p in tree(proc.pid)}
    balancer = RoundRobin([base for _, base in apis])
    w = watchable(api, server, tmp_path, seconds=SECONDS)
    opened = httpx.post(f"{balancer.url}/api/v1/clips/{w['clip_id']}/stream", headers=w["ho"])
    assert opened.status_code == 200, opened.text
    base = balancer.url + opened.json()["playlist"].rsplit("/", 1)[0]
    assert httpx.get(f"{base}/index.m3u8").text.count("#EXTINF") == SECONDS // 4

    killed_at, after_kill = None, []
    for n in range(SECONDS // 4):
        t = time.monotonic()
        got = httpx.get(f"{base}/{n}.ts", timeout=120)
        took = time.monotonic() - t
        assert got.status_code == 200, (n, got.text)
        assert got.headers["content-type"] == "video/mp2t"
        frames = ffprobe(
            got.content,
            "-show_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "frame=key_frame,pts_time",
        )["frames"]
        assert frames[0]["key_frame"] == 1
        assert float(frames[0]["pts_time"]) == pytest.approx(4.0 * n, abs=0.2)
        assert 3.5 <= len(frames) / 25 <= 4.5
        if n in (0, 5, 9):  # the viewer's name is burned in
            plain = render_segment(
                Source(str(w["video"])), n, clip_start_s=0, clip_end_s=SECONDS, watermark=None
            )
            a, width, height = first_frame_rgb(got.content)
            b, _, _ = first_frame_rgb(plain)
            assert (
                region_diff(
                    a, b, width, height, width * 2 // 3, height * 3 // 4, width - 2, height - 2
                )
                > 20
            )
        assert not any(
            runs_ffmpeg(proc.pid) for proc, _ in apis
        )  # the API processes render nothing
        if killed_at is not None:
            after_kill.append(took)
        if n == 3:  # the worker rendering this viewer's job dies, as a machine would
            rendering = [p for p in workers if runs_ffmpeg(p.pid)]
            assert len(rendering) == 1
            for p in reversed(tree(rendering[0].pid)):
                p.send_signal(signal.SIGKILL)
            rendering[0].wait()
            killed_at = time.monotonic()
    print(f"after the kill, segment requests took {', '.join(f'{t:.1f}' for t in after_kill)} s")
    segment_requests = [(path, k) for path, k, _ in balancer.log if path.endswith(".ts")]
    assert {k for _, k in segment_requests} == {0, 1}  # both APIs served segments of the same job
    with unit_of_work() as db:
        jobs = db.exec(select(StreamJob).order_by(StreamJob.created_at)).all()  # type: ignore[arg-type]  # SQLModel types created_at as float here; at run time it is a column
    assert [j.first for j in jobs][0] == 0
    assert len(jobs) == 2  # one job, and one more where the killed worker stopped
    assert 4 <= jobs[1].first <= 8

    # The viewer leaves; the job stops, the sweep removes what the killed worker left in the store.
    assert httpx.post(f"{base}/stop").status_code == 204
    survivor = next(p for p in workers if p.poll() is None)
    stop_stream_worker(survivor)
    live.sweep(grace=0)
    assert segment_objects() == ([], [])
    for proc, _ in apis:
        proc.terminate()
        proc.wait(timeout=30)
    sweep()
    left = [f for f in root().iterdir() if int(f.name.split("-", 1)[0]) in pids]
    assert left == []  # the killed worker's tmpfs folder (segments, watermark) is gone too
