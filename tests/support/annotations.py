"""A family with a recording and a clip, as the annotation tests need it."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from tests.support.api import Account, Api
from tests.support.families import consent_body, family_with_recording, say_in_view
from vault.audit import AuditRecord
from vault.db import unit_of_work
from vault.recordings.models import Recording

NTSC = 30000 / 1001  # what the probe stores for a 29.97 fps camera file


def world(api: Api, *, rate: float = NTSC, trainer: Account | None = None) -> dict[str, Any]:
    """A family with an active trajectory, a 240 s recording as the verify task leaves it (its probe
    with the frame rate) and a clip of 10–40 s; of a new trainer, or of `trainer`."""
    trainer = trainer or api.account("trainer")
    w = family_with_recording(api, trainer)
    with unit_of_work() as db:
        recording = db.get(Recording, uuid.UUID(w["recording"]["id"]))
        assert recording is not None
        recording.probe = json.dumps({"frame_rate": rate, "duration_s": 240.0})
        db.add(recording)
    return {
        **w,
        "trainer": trainer,
        "url": f"/api/v1/recordings/{w['recording']['id']}/annotations",
    }


def wok_peer(api: Api, w: dict[str, Any]) -> Account:
    """A trainer of another organisation who may watch `w`'s clip: the family gave WOK consent, the
    trainer shared the clip into a WOK session of an opleider that is on now, with the peer in it."""
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
    h = w["headers"]
    given = api.client.post(
        f"/api/v1/families/{w['family']['id']}/consents", headers=h, json=consent_body(w, "wok")
    )
    assert given.status_code == 201
    say_in_view(api, w, w["clip"]["id"])
    shared = api.client.post(
        f"/api/v1/wok-sessions/{session['id']}/clips/{w['clip']['id']}", headers=h
    )
    assert shared.status_code == 201, shared.text
    watch = api.client.get(f"/api/v1/clips/{w['clip']['id']}", headers=api.as_(peer))
    assert watch.status_code == 200
    return peer


def denials(user_id: uuid.UUID) -> list[AuditRecord]:
    """The refusals logged for `user_id`."""
    with unit_of_work() as db:
        return list(
            db.exec(
                select(AuditRecord).where(
                    AuditRecord.user_id == user_id, AuditRecord.outcome == "denied"
                )
            ).all()
        )
