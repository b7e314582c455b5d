"""Live segment jobs: one ffmpeg per viewing session, reused for sequential segments, restarted on a
seek, stopped when the viewer leaves or goes idle, capped per process with a clear "busy"."""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path

import pytest

from vault.media import jobs as jobs_module
from vault.media.jobs import Busy, Jobs, Spec
from vault.media.scratch import scratch_dir


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 s with a keyframe only every 10 s, as some cameras do: segments must still start on the 4 s grid."""
    path = tmp_path_factory.mktemp("src") / "long-gop.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=30",
                    "-f", "lavfi", "-i", "sine=duration=30", "-c:v", "libx264", "-preset", "ultrafast", "-g", "250",
                    "-c:a", "aac", "-shortest", str(path)], check=True, timeout=120)  # fmt: skip
    return path


def spec_of(path: Path, start: float = 0, end: float = 30) -> Spec:
    data = path.read_bytes()
    return Spec(
        len(data),
        lambda offset, length: data[offset : offset + length],
        False,
        True,
        start,
        end,
        "Ria\nGGD\nsessie 1",
    )


def frames(segment: bytes) -> list[dict]:  # type: ignore[type-arg]
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=key_frame,pts_time",
                          "-of", "json", "-"], input=segment, capture_output=True, check=True)  # fmt: skip
    return json.loads(out.stdout)["frames"]  # type: ignore[no-any-return]


def test_sequential_segments_share_one_job_and_a_seek_restarts_it(source: Path) -> None:
    jobs = Jobs(lambda: 2)
    key = ("session-1", "clip-1")
    try:
        for n in (0, 1, 2):
            got = frames(jobs.segment(key, n, lambda: spec_of(source)))
            assert got[0]["key_frame"] == 1
            assert float(got[0]["pts_time"]) == pytest.approx(4.0 * n, abs=0.1)
            assert len(got) == pytest.approx(100, abs=2)  # 4 s at 25 fps
        assert jobs.started == 1
        assert jobs.live() == 1
        far = frames(
            jobs.segment(key, 6, lambda: spec_of(source))
        )  # a seek past the last finished + 3
        assert float(far[0]["pts_time"]) == pytest.approx(24.0, abs=0.1)
        assert far[0]["key_frame"] == 1
        assert jobs.started == 2
        back = frames(jobs.segment(key, 1, lambda: spec_of(source)))  # and back
        assert float(back[0]["pts_time"]) == pytest.approx(4.0, abs=0.1)
        assert jobs.started == 3
    finally:
        jobs.stop_all()


def test_the_last_short_segment_of_a_clip(source: Path) -> None:
    jobs = Jobs(lambda: 1)
    try:
        last = frames(
            jobs.segment(("s", "c"), 2, lambda: spec_of(source, 3, 13))
        )  # 10 s clip: 4 + 4 + 2
        assert float(last[0]["pts_time"]) == pytest.approx(8.0, abs=0.1)
        assert len(last) == pytest.approx(50, abs=2)
    finally:
        jobs.stop_all()


def test_a_full_worker_says_busy_and_a_viewer_who_leaves_frees_it(source: Path) -> None:
    jobs = Jobs(lambda: 1)
    before = set(scratch_dir().iterdir())
    try:
        jobs.segment(("viewer-a", "clip"), 0, lambda: spec_of(source))
        with pytest.raises(Busy) as busy:
            jobs.segment(("viewer-b", "clip"), 0, lambda: spec_of(source))
        assert busy.value.status == 503
        assert "druk" in busy.value.message_nl
        jobs.stop(("viewer-a", "clip"))
        assert (
            set(scratch_dir().iterdir()) - before == set()
        )  # its segments and watermark file are gone
        assert frames(jobs.segment(("viewer-b", "clip"), 0, lambda: spec_of(source)))
    finally:
        jobs.stop_all()
    assert set(scratch_dir().iterdir()) - before == set()


def test_an_idle_job_is_stopped(source: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = Jobs(lambda: 1)
    try:
        jobs.segment(("idle", "clip"), 0, lambda: spec_of(source))
        monkeypatch.setattr(jobs_module, "IDLE_S", 0.2)
        done = threading.Event()
        threading.Timer(0.3, done.set).start()
        done.wait()
        assert jobs.live() == 0
    finally:
        jobs.stop_all()


def test_one_live_job_per_viewing_session(source: Path) -> None:
    jobs = Jobs(lambda: 2)
    try:
        jobs.segment(("session", "clip-a"), 0, lambda: spec_of(source))
        jobs.segment(
            ("session", "clip-b"), 0, lambda: spec_of(source)
        )  # the viewer opened another clip
        assert jobs.live() == 1
        jobs.segment(("other-session", "clip-a"), 0, lambda: spec_of(source))
        assert jobs.live() == 2
    finally:
        jobs.stop_all()
