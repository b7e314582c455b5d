"""Fragments for the terugkijkgesprek (issue #23, ADR 0016): the trainer gives a clip its codes, a
kijkrichting, stills and a place in the review; a still is one frame, rendered on request from the encrypted
original with the viewer's watermark, decided like the clip and logged, never stored."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest
import redis
from sqlmodel import select

from tests.support.api import Api
from tests.support.media import make_video
from tests.support.recordings import imported
from vault.audit import AuditRecord
from vault.db import unit_of_work
from vault.media.scratch import scratch_dir
from vault.recordings.models import Clip
from vault.store import StoredObject

FRAGMENT = {
    "title": "Samen in bad",
    "codes": ["initiatief", "ontvangen"],
    "kijkrichting": "Kijk hoe Sam naar u kijkt als u zijn naam noemt.",
    "stills": [30, 40],
    "review_position": 1,
}


@pytest.fixture(params=["embedded", "full"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """`embedded`: SQLite and the local store; `full`: PostgreSQL and the real MinIO."""
    if request.param == "embedded":
        return f"sqlite:///{tmp_path / 'fragments.db'}"
    request.getfixturevalue("s3_env")
    broker = request.getfixturevalue("redis_db")(2)
    redis.Redis.from_url(broker).flushdb()
    monkeypatch.setenv("BEELDKLUIS_BROKER_URL", broker)
    return str(request.getfixturevalue("fresh_postgres"))


@pytest.fixture(scope="module")
def card_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("fragments") / "MVI_0023.MP4", seconds=4)


W, H = 320, 240


def gray(argv: list[str], data: bytes | None = None) -> bytes:
    """One frame as 8-bit gray pixels, W x H, decoded by ffmpeg."""
    out = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            *argv,
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "gray",
            "pipe:1",
        ],
        input=data,
        capture_output=True,
        check=True,
    ).stdout
    assert len(out) == W * H
    return out


def frame_of(card: Path, n: int) -> bytes:
    """Bare ffmpeg on the plaintext file: frame n by counting frames, the ground truth."""
    return gray(["-i", str(card), "-vf", f"select=eq(n\\,{n})"])


def difference(a: bytes, b: bytes, box: tuple[int, int, int, int]) -> float:
    """The mean absolute difference of two gray frames inside (left, top, right, bottom)."""
    x0, y0, x1, y1 = box
    total = sum(abs(a[y * W + x] - b[y * W + x]) for y in range(y0, y1) for x in range(x0, x1))
    return total / ((x1 - x0) * (y1 - y0))


def test_the_trainer_makes_a_fragment_with_a_kijkrichting(
    api: Api, server: str, card_file: Path
) -> None:
    world = imported(api, server, card_file)
    h, clip = world["headers"], world["own_clip"]  # 1 s to 2 s at 25 fps: frames 25 to 49
    saved = api.client.put(f"/api/v1/clips/{clip}", headers=h, json=FRAGMENT)
    assert saved.status_code == 200, saved.text
    got = api.client.get(f"/api/v1/clips/{clip}", headers=h).json()
    assert {k: got[k] for k in FRAGMENT} == FRAGMENT
    with unit_of_work() as db:
        updated = db.exec(
            select(AuditRecord).where(
                AuditRecord.object_type == "clip",
                AuditRecord.action == "update",
                AuditRecord.outcome == "success",
            )
        ).all()
    assert [r.object_id for r in updated] == [clip]

    # Bad input is named, in Dutch first: a code not in the codebook, a still outside the fragment.
    for field, change, words in (
        ("codes", {"codes": ["gejuich"]}, "Onbekende code 'gejuich'"),
        ("stills", {"stills": [24]}, "Beeld 24 ligt niet in dit fragment (beeld 25 tot en met 49)"),
        ("stills", {"stills": [50]}, "Beeld 50 ligt niet in dit fragment"),
    ):
        refused = api.client.put(f"/api/v1/clips/{clip}", headers=h, json={**FRAGMENT, **change})
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == field
        assert words in refused.json()["detail"]
    assert (
        api.client.put(
            f"/api/v1/clips/{clip}", headers=h, json={**FRAGMENT, "stills": list(range(25, 38))}
        ).status_code
        == 422
    )

    # Only the trajectory's trainer: not another trainer, not the opleider.
    for account in (api.account("trainer"), world["opleider"]):
        refused = api.client.put(
            f"/api/v1/clips/{clip}", headers=api.as_(account), json={**FRAGMENT, "title": "x"}
        )
        assert refused.status_code == 403, refused.text
    assert api.client.get(f"/api/v1/clips/{clip}", headers=h).json()["title"] == FRAGMENT["title"]


def test_a_still_is_the_chosen_frame_with_the_viewers_watermark(
    api: Api,
    server: str,
    card_file: Path,
) -> None:
    world = imported(api, server, card_file)
    h, clip = world["headers"], world["own_clip"]
    with unit_of_work() as db:
        stored = len(db.exec(select(StoredObject)).all())
    got = api.client.get(f"/api/v1/clips/{clip}/stills/37.jpg", headers=h)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "image/jpeg"
    assert got.headers["cache-control"] == "private, no-store"
    still = gray(["-f", "image2pipe", "-c:v", "mjpeg", "-i", "pipe:0"], got.content)
    # The very frame: of frames 36, 37 and 38 of the plaintext, 37 is by far the closest (part of testsrc2
    # moves every frame); compared above the watermark, which sits bottom right.
    top = (0, 0, 320, 150)
    distances = {n: difference(still, frame_of(card_file, n), top) for n in (36, 37, 38)}
    assert min(distances, key=distances.__getitem__) == 37, distances
    assert 2 * distances[37] < min(distances[36], distances[38]), distances
    # The watermark: the bottom right differs from the bare frame.
    assert difference(still, frame_of(card_file, 37), (200, 180, 320, 240)) > 4 * distances[37] + 10
    # Nothing stored: no new object, and nothing left in the scratch space of the API (this process).
    with unit_of_work() as db:
        assert len(db.exec(select(StoredObject)).all()) == stored
    assert [p.name for p in scratch_dir().rglob("*")] == [
        ".lock"
    ]  # this process: the API in the test
    with unit_of_work() as db:
        logged = db.exec(select(AuditRecord).where(AuditRecord.object_type == "still")).all()
    assert [(r.outcome, r.object_id) for r in logged] == [("allowed", clip)]


def test_a_still_is_decided_like_the_clip(api: Api, server: str, card_file: Path) -> None:
    world = imported(api, server, card_file)
    h, clip = world["headers"], world["own_clip"]
    # The opleider has a supervision link but the family gave no supervision consent; another
    # trainer has no tie at all.
    for account in (world["opleider"], api.account("trainer")):
        refused = api.client.get(f"/api/v1/clips/{clip}/stills/30.jpg", headers=api.as_(account))
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
    outside = api.client.get(f"/api/v1/clips/{clip}/stills/60.jpg", headers=h)
    assert outside.status_code == 422
    assert outside.json()["field"] == "frame"
    assert (
        api.client.get(f"/api/v1/clips/{uuid.uuid4()}/stills/30.jpg", headers=h).status_code == 404
    )
    with unit_of_work() as db:
        denied = db.exec(
            select(AuditRecord).where(
                AuditRecord.object_type == "still", AuditRecord.outcome == "denied"
            )
        ).all()
    assert len(denied) == 3
    # Removed with the clip's recording: the stills were only numbers on the clip.
    assert api.client.put(f"/api/v1/clips/{clip}", headers=h, json=FRAGMENT).status_code == 200
    removed = api.client.post(
        f"/api/v1/recordings/{world['recording_id']}/removal",
        headers=h,
        json={"reason": "duplicate"},
    )
    assert removed.status_code == 200, removed.text
    with unit_of_work() as db:
        assert db.get(Clip, uuid.UUID(clip)) is None
    assert api.client.get(f"/api/v1/clips/{clip}/stills/30.jpg", headers=h).status_code == 404
