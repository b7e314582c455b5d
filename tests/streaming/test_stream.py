"""A supervisor watches a clip with her name burned in; nothing unwatermarked or unauthorised is served."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from jose import jwt
from sqlmodel import select

from tests.support.api import Api
from tests.support.streaming import ffprobe, first_frame_rgb, region_diff
from vault.audit import AuditRecord
from vault.bootstrap import token_secret
from vault.db import unit_of_work
from vault.media import Source, playlist, render_segment
from vault.settings import get_settings


def test_playlist_from_duration() -> None:
    text = playlist(9.5)
    assert text.count("#EXTINF") == 3
    assert "#EXTINF:1.500," in text
    assert text.strip().endswith("#EXT-X-ENDLIST")
    assert playlist(4.0).count("#EXTINF") == 1
    assert playlist(4.01).count("#EXTINF") == 2


def test_supervisor_watches_a_watermarked_clip_until_consent_is_withdrawn(
    api: Api, watched: dict[str, Any]
) -> None:
    w = watched
    opened = httpx.post(f"{w['server']}/api/v1/clips/{w['clip_id']}/stream", headers=w["ho"])
    assert opened.status_code == 200, opened.text
    base = w["server"] + opened.json()["playlist"].rsplit("/", 1)[0]
    index = httpx.get(base + "/index.m3u8")
    assert index.status_code == 200
    assert index.text.count("#EXTINF") == 3
    segment = httpx.get(base + "/1.ts", timeout=60)
    assert segment.status_code == 200
    assert segment.headers["content-type"] == "video/mp2t"
    probe = ffprobe(
        segment.content,
        "-show_format",
        "-show_streams",
        "-show_frames",
        "-select_streams",
        "v:0",
        "-show_entries",
        "frame=key_frame,pts_time:stream=width,height,codec_name:format=duration:format_tags:stream_tags",
    )
    frames = probe["frames"]
    assert frames[0]["key_frame"] == 1
    assert float(frames[0]["pts_time"]) == pytest.approx(
        4.0, abs=0.2
    )  # timestamps continue on the 4 s grid
    assert 3.5 <= len(frames) / 25 <= 4.5
    stream = probe["streams"][0]
    assert stream["codec_name"] == "h264"
    assert stream["height"] <= 720
    assert stream["height"] == 240  # never scaled up
    assert "52.36" not in json.dumps(probe)
    # The watermark: the bottom-right corner differs from the same frame rendered without it.
    plain = render_segment(Source(str(w["video"])), 1, clip_start_s=0, clip_end_s=9, watermark=None)
    a, width, height = first_frame_rgb(segment.content)
    b, _, _ = first_frame_rgb(plain)
    assert (
        region_diff(a, b, width, height, width * 2 // 3, height * 3 // 4, width - 2, height - 2)
        > 20
    )
    assert region_diff(a, b, width, height, 2, 2, width // 4, height // 4) < 8
    # Withdrawal between two segment requests stops the second.
    withdrawn = api.client.post(
        f"/api/v1/consents/{w['consent']['id']}/events",
        headers=w["headers"],
        json={"kind": "withdrawn", "by_person_id": w["mother"]["id"]},
    )
    assert withdrawn.status_code == 201
    stopped = httpx.get(base + "/2.ts", timeout=60)
    assert stopped.status_code == 403
    assert stopped.json()["reason"] == "consent_withdrawn"
    with unit_of_work() as db:
        segments = db.exec(
            select(AuditRecord).where(
                AuditRecord.action == "stream_segment", AuditRecord.object_type == "segment"
            )
        ).all()
    assert [(r.outcome, r.user_id) for r in segments] == [
        ("allowed", w["opleider"].id),
        ("denied", w["opleider"].id),
    ]
    assert any(b.startswith("consent:") for b in json.loads(segments[0].basis))


def test_stream_refusals(api: Api, watched: dict[str, Any]) -> None:
    w = watched
    stranger = api.as_(api.account("opleider"))
    assert (
        httpx.post(
            f"{w['server']}/api/v1/clips/{w['clip_id']}/stream", headers=stranger
        ).status_code
        == 403
    )
    settings = get_settings()
    now = int(time.time())
    expired = jwt.encode(
        {
            "aud": "beeldkluis-stream",
            "iss": settings.token_issuer,
            "sub": str(w["opleider"].id),
            "sid": "x",
            "clip": w["clip_id"],
            "iat": now - 900,
            "exp": now - 600,
        },
        token_secret(settings),
        algorithm="HS256",
    )
    refused = httpx.get(f"{w['server']}/api/v1/stream/{expired}/0.ts")
    assert refused.status_code == 401
    assert refused.json()["code"] == "stream_token_invalid"
    forged = jwt.encode(
        {
            "aud": "beeldkluis-stream",
            "iss": settings.token_issuer,
            "sub": str(w["opleider"].id),
            "clip": w["clip_id"],
            "exp": now + 60,
        },
        "another secret",
        algorithm="HS256",
    )
    assert httpx.get(f"{w['server']}/api/v1/stream/{forged}/0.ts").status_code == 401
    opened = httpx.post(f"{w['server']}/api/v1/clips/{w['clip_id']}/stream", headers=w["ho"]).json()
    base = w["server"] + opened["playlist"].rsplit("/", 1)[0]
    assert httpx.get(base + "/99.ts").status_code == 404
