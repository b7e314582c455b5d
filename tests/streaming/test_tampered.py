"""A stored chunk that no longer authenticates, watched through every consumer that reads footage: the
proxy and the review stream (downloads and the parents' package: tests/export). None of them may make
something short of it and call it done."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.api import Api
from tests.support.store import tamper
from tests.support.streaming import watchable
from vault.db import unit_of_work
from vault.media import SourceUnreadable
from vault.media.tasks import make_proxy
from vault.recordings.models import Recording
from vault.store import StoredObject


@pytest.fixture
def database_url(fresh_postgres: str) -> str:
    """End to end on production's database only: the embedded SQLite default runs the same paths in
    the API and web tests, and each of these runs takes tens of seconds."""
    return fresh_postgres


@pytest.fixture
def tampered(api: Api, server: str, stream_worker: None, tmp_path: Path) -> dict[str, Any]:
    world = watchable(api, server, tmp_path)
    tamper(world["original"], 0.6)
    return world


def test_a_tampered_original_makes_no_proxy(tampered: dict[str, Any]) -> None:
    with pytest.raises(SourceUnreadable):
        make_proxy(tampered["recording_id"])
    with unit_of_work() as db:
        recording = db.get(Recording, tampered["recording_id"])
        assert recording is not None
        assert recording.proxy_object_id is None
        assert [r.kind for r in db.exec(StoredObject.__table__.select())] == ["original"]  # type: ignore[attr-defined]  # SQLModel's stubs declare no __table__, nor the columns of its rows


def test_a_tampered_original_is_never_streamed_short_and_says_so_once(
    tampered: dict[str, Any],
) -> None:
    t = tampered
    opened = httpx.post(f"{t['server']}/api/v1/clips/{t['clip_id']}/stream", headers=t["ho"])
    assert opened.status_code == 200, opened.text
    base = t["server"] + opened.json()["playlist"].rsplit("/", 1)[0]
    answers = [httpx.get(f"{base}/{n}.ts", timeout=60) for n in range(3)]
    # Segments before the damage may play; from the damaged one on, a distinct, final answer in Dutch.
    assert [a.status_code for a in answers][-1] == 422
    for a in answers:
        if a.status_code == 200:
            assert len(a.content) > 10_000
        else:
            assert a.status_code == 422
            assert a.json()["code"] == "segment_unplayable"
            assert "beschadigd" in a.json()["detail"]
            assert "retry-after" not in a.headers
