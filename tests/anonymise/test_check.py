"""Who is in view, the trainer's check and approval, and what a WOK is shown (ADR 0017, decision 7), end
to end on production's database, the real MinIO and a real stream worker: a clip with someone in view
whose consent is not on record is shared into a WOK only once its anonymised copy is made, played by its
trainer and approved; the WOK viewer is then shown that copy, in which no face is found, and never the
clip itself; every question is decided and logged."""

from __future__ import annotations

import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import cv2
import numpy as np
from sqlmodel import col, select

from tests.support.api import Api
from tests.support.families import consent_body, say_in_view
from vault.anonymise.detect import detect
from vault.anonymise.tasks import make_anonymised
from vault.audit import AuditRecord
from vault.db import unit_of_work
from vault.media.live import StreamJob


def _frame(ts: bytes, at_s: float) -> np.ndarray:
    """One frame of an MPEG-TS segment, decoded in memory, as RGB."""
    png = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", "pipe:0", "-ss", str(at_s), "-frames:v", "1"]
        + ["-f", "image2pipe", "-vcodec", "png", "pipe:1"],
        input=ts,
        capture_output=True,
        check=True,
    ).stdout
    bgr = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def _first_segment(api: Api, link: dict[str, Any]) -> bytes:
    playlist = api.client.get(link["playlist"])
    assert playlist.status_code == 200, playlist.text
    segment = api.client.get(link["playlist"].replace("index.m3u8", "0.ts"))
    assert segment.status_code == 200, segment.text
    return segment.content


def test_a_wok_is_shown_only_the_copy_its_trainer_checked(
    api: Api, footage_clip: dict[str, Any], stream_worker: None
) -> None:
    world, clip_id = footage_clip, str(footage_clip["clip_id"])
    h = world["headers"]
    organiser, peer = api.account("opleider"), api.account("trainer", api.organisation("WOK-groep"))
    now = datetime.now(UTC)
    session = api.client.post(
        "/api/v1/wok-sessions",
        headers=api.as_(organiser),
        json={
            "title": "WOK",
            "starts_at": (now - timedelta(minutes=5)).isoformat(),
            "ends_at": (now + timedelta(hours=1)).isoformat(),
            "participant_ids": [str(peer.id)],
        },
    ).json()
    given = api.client.post(
        f"/api/v1/families/{world['family']['id']}/consents",
        headers=h,
        json=consent_body(world, "wok"),
    )
    assert given.status_code == 201
    share = f"/api/v1/wok-sessions/{session['id']}/clips/{clip_id}"
    clip = f"/api/v1/clips/{clip_id}"

    # Not said who is in view: not shared. A visitor in view: only an approved copy may go.
    assert api.client.post(share, headers=h).json()["reason"] == "in_view_unknown"
    said = say_in_view(api, world, clip_id, people=("child",), others=True)
    assert said["in_view"] == [world["child"]["id"]]
    assert said["others_in_view"] is True
    assert said["anonymised"] == "none"
    assert api.client.post(share, headers=h).json()["reason"] == "needs_anonymised"
    assert api.client.put(f"{clip}/anonymised/approval", headers=h).status_code == 409  # no copy

    # The trainer asks for the copy; the media worker makes it (here in-process).
    assert api.client.post(f"{clip}/anonymise", headers=h).status_code == 202
    assert make_anonymised(uuid.UUID(clip_id)) == "made"
    asked_again = api.client.post(f"{clip}/anonymise", headers=h)
    assert asked_again.status_code == 200
    assert asked_again.json()["anonymised"] == "made"
    unchecked = api.client.put(f"{clip}/anonymised/approval", headers=h)
    assert unchecked.status_code == 409  # not played by its trainer yet
    assert "Bekijk de geanonimiseerde versie eerst zelf" in unchecked.json()["detail"]
    assert api.client.post(share, headers=h).json()["reason"] == "needs_anonymised"

    # She plays it (the copy starts at 0) and approves it; now it may be shared.
    own = api.client.post(f"{clip}/anonymised/stream", headers=h)
    assert own.status_code == 200, own.text
    assert api.client.get(own.json()["playlist"]).status_code == 200
    approved = api.client.put(f"{clip}/anonymised/approval", headers=h)
    assert approved.status_code == 200, approved.text
    assert approved.json()["anonymised"] == "approved"
    assert api.client.post(share, headers=h).status_code == 201

    # The WOK viewer opens the clip and is given the copy: no face in it, where the clip itself has one.
    link = api.client.post(f"{clip}/stream", headers=api.as_(peer))
    assert link.status_code == 200, link.text
    assert link.json()["duration_s"] > 2.9
    seen = _frame(_first_segment(api, link.json()), 2.0)  # 2.6 s of the recording: the face is in
    assert detect(seen) == []
    mine = api.client.post(f"{clip}/stream", headers=h).json()  # its trainer: the clip itself
    assert len(detect(_frame(_first_segment(api, mine), 2.0))) == 1
    with unit_of_work() as db:
        jobs = db.exec(select(StreamJob).where(StreamJob.user_id == peer.id)).all()
        assert [job.anonymised for job in jobs] == [True]
        asked = db.exec(
            select(AuditRecord)
            .where(AuditRecord.user_id == peer.id, AuditRecord.object_id == clip_id)
            .order_by(col(AuditRecord.seq))
        ).all()
    decided = [(r.outcome, r.reason, f"anonymised:{clip_id}" in r.basis) for r in asked]
    assert decided[:2] == [("denied", "needs_anonymised", False), ("allowed", "allowed", True)]
    assert all(shown for outcome, _, shown in decided if outcome == "allowed")

    # A change of the muted spans removes the copy and its approval: the WOK is shown nothing.
    muted = api.client.put(
        f"{clip}/mute", headers=h, json={"spans": [{"start_s": 1.0, "end_s": 1.5}]}
    )
    assert muted.status_code == 200
    assert muted.json()["anonymised"] == "none"
    refused = api.client.get(link.json()["playlist"])
    assert refused.status_code == 403
    assert refused.json()["reason"] == "anonymised_not_approved"
    again = api.client.post(f"{clip}/stream", headers=api.as_(peer))
    assert again.json()["reason"] == "anonymised_not_approved"
    # The copy made anew is unchecked until its trainer plays and approves it again.
    assert make_anonymised(uuid.UUID(clip_id)) == "made"
    assert api.client.get(clip, headers=h).json()["anonymised"] == "made"
    assert api.client.put(f"{clip}/anonymised/approval", headers=h).status_code == 409
    assert api.client.get(link.json()["playlist"]).status_code == 403


def test_only_its_trainer_says_who_is_in_view_and_only_of_the_family(
    api: Api, footage_clip: dict[str, Any]
) -> None:
    world, clip = footage_clip, f"/api/v1/clips/{footage_clip['clip_id']}"
    stranger = api.client.put(
        f"{clip}/in-view", headers=world["headers"], json={"people": [str(uuid.uuid4())]}
    )
    assert stranger.status_code == 422
    assert stranger.json()["field"] == "people[0]"
    assert "anderen in beeld" in stranger.json()["detail"]
    other = api.as_(api.account("trainer"))
    for method, path in (
        ("PUT", "in-view"),
        ("POST", "anonymise"),
        ("PUT", "anonymised/approval"),
        ("DELETE", "anonymised/approval"),
        ("POST", "anonymised/stream"),
    ):
        body = {"people": []} if path == "in-view" else None
        answer = api.client.request(method, f"{clip}/{path}", headers=other, json=body)
        assert answer.status_code == 403, (path, answer.text)
    unchanged = api.client.get(clip, headers=world["headers"]).json()
    assert unchanged["in_view"] is None
    assert unchanged["anonymised"] == "none"
