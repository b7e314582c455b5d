"""The trainer's boxes over a fragment's anonymised copy (issue #24, ADR 0017 decision 8): set through
`PUT /clips/{id}/faces` with every box at once, decided as the clip's other trainer-only writes,
checked against the clip and the frame (a 422 naming the box and its field, Dutch and English), shown
in the clip and, with the faces the job found, in `GET /clips/{id}/faces`; a change removes the copy
made without it, the faces found in it and its approval. The engine that applies them:
test_face_edits.py."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlmodel import select

from tests.anonymise.conftest import spans
from tests.support.api import Api
from tests.support.families import family_with_recording
from vault.audit import AuditRecord
from vault.db import unit_of_work
from vault.keyring.models import ObjectDekRow
from vault.recordings.models import Clip
from vault.settings import get_settings
from vault.store import ObjectKind, StoredObject, backend_from_settings, open_store

FACE = [0.4, 0.2, 0.1, 0.2]


def edit(
    kind: str, a: float, b: float, box: list[float] = FACE, box_end: list[float] | None = None
) -> dict[str, Any]:
    return {"kind": kind, "start_s": a, "end_s": b, "box": box, "box_end": box_end}


def test_the_trainer_sets_boxes_inside_the_clip_and_frame_and_nobody_else_may(api: Api) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)  # a clip from 10 s to 40 s of the recording
    h, clip = world["headers"], world["clip"]["id"]
    url = f"/api/v1/clips/{clip}/faces"
    assert api.client.get(url, headers=h).json() == {"detections": [], "edits": []}

    body = {
        "edits": [
            edit("keep", 20, 30, [0.0, 0.0, 0.5, 1.0]),
            edit("add", 12.5, 14, FACE, [0.5, 0.3, 0.5, 0.7]),  # reaches the right and bottom edge
        ]
    }
    saved = api.client.put(url, headers=h, json=body)
    assert saved.status_code == 200, saved.text
    expected = [body["edits"][1], body["edits"][0]]  # sorted by start
    assert saved.json()["face_edits"] == expected
    assert api.client.get(f"/api/v1/clips/{clip}", headers=h).json()["face_edits"] == expected
    assert api.client.get(url, headers=h).json() == {"detections": [], "edits": expected}

    # Bad input: a 422 naming the box and its field, Dutch first and English beside it; never a 500.
    for edits, field, words in (
        ([edit("add", 20, 19)], "edits[0].end_s", "Vak 1: het einde (19 s) moet na het begin"),
        ([edit("add", 12, 13), edit("add", 9.5, 11)], "edits[1].start_s", "9,5 s ligt niet"),
        ([edit("keep", 39.5, 40.25)], "edits[0].end_s", "(10 tot 40 s van de opname)"),
        (
            [edit("add", 12, 13)] * 3 + [edit("add", 12, 13, [0.95, 0, 0.1, 0.1])],
            "edits[3].box",
            "",
        ),
        ([edit("add", 12, 13, [-0.1, 0, 0.1, 0.1])], "edits[0].box", "ligt niet binnen het beeld"),
        ([edit("add", 12, 13, [0.1, 0.1, 0, 0.1])], "edits[0].box", "breedte en hoogte groter"),
        ([edit("add", 12, 13, FACE, [0.1, 0.5, 0.1, 0.6])], "edits[0].box_end", "(box_end)"),
    ):
        refused = api.client.put(url, headers=h, json={"edits": edits})
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == field
        assert words in refused.json()["detail"]
        assert refused.json()["detail_en"].startswith("Box ")
    for bad in (
        {"edits": [edit("add", 12 + i * 0.1, 12.05 + i * 0.1) for i in range(201)]},  # at most 200
        {"edits": [edit("blur", 12, 13)]},
        {"edits": [edit("add", -1, 13)]},
        {"edits": [edit("add", 12, 13, [0.1, 0.1, 0.1])]},
        {"edits": [{"kind": "add", "start_s": 12, "end_s": 13}]},
        {"edits": [edit("add", "twaalf", 13)]},  # type: ignore[arg-type]  # the attack
        {"edits": "12-13"},
    ):
        refused = api.client.put(url, headers=h, json=bad)
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.json()["errors"][0]["loc"][:2] == ["body", "edits"], refused.text
    for literal in ("NaN", "Infinity"):  # Python's JSON parser takes them: refused all the same
        refused = api.client.put(
            url,
            headers={**h, "Content-Type": "application/json"},
            content=f'{{"edits": [{{"kind": "add", "start_s": 12, "end_s": 13, '
            f'"box": [0.1, 0.1, {literal}, 0.1]}}]}}',
        )
        assert refused.status_code == 422, refused.text
    most = {"edits": [edit("add", 12 + i * 0.1, 12.05 + i * 0.1) for i in range(200)]}
    assert api.client.put(url, headers=h, json=most).status_code == 200
    assert len(api.client.get(url, headers=h).json()["edits"]) == 200

    # Only the trajectory's trainer sets them: not another trainer, not an administrator; an unknown
    # clip is 404. Reading them is viewing the clip.
    for account in (api.account("trainer"), api.account("administrator")):
        refused = api.client.put(url, headers=api.as_(account), json=body)
        assert refused.status_code == 403, refused.text
        assert api.client.get(url, headers=api.as_(account)).status_code == 403
    assert (
        api.client.put(f"/api/v1/clips/{uuid.uuid4()}/faces", headers=h, json={}).status_code == 404
    )
    assert len(api.client.get(url, headers=h).json()["edits"]) == 200

    # Neither the fragment form nor the muted spans touch them; an empty list clears them.
    assert (
        api.client.put(f"/api/v1/clips/{clip}", headers=h, json={"title": "x"}).status_code == 200
    )
    assert api.client.put(f"{url[:-6]}/mute", headers=h, json=spans((20, 21))).status_code == 200
    assert len(api.client.get(url, headers=h).json()["edits"]) == 200
    cleared = api.client.put(url, headers=h, json={"edits": []})
    assert cleared.status_code == 200
    assert cleared.json()["face_edits"] == []

    with unit_of_work() as db:
        logged = db.exec(
            select(AuditRecord).where(AuditRecord.object_id == clip, AuditRecord.reason == "faces")
        ).all()
    assert [(r.action, r.outcome, r.object_type) for r in logged] == [
        ("update", "success", "clip")
    ] * 3


def _copy_approved(clip_id: uuid.UUID, family_id: uuid.UUID, trainer_id: uuid.UUID) -> uuid.UUID:
    """A stored copy linked from the clip, with faces found in it and approved (as the job and the
    approval leave them)."""
    with unit_of_work() as db:
        copy = open_store(db, get_settings()).put(
            family_id=family_id, kind=ObjectKind.anonymised, source=io.BytesIO(b"\0" * 1000)
        )
        row = db.get_one(Clip, clip_id)
        row.anonymised_object_id = copy.id
        row.faces = json.dumps([{"t": 10.0, "boxes": [FACE]}])
        row.anonymised_approved_by = trainer_id
        row.anonymised_approved_at = datetime.now(UTC)
        db.add(row)
    return copy.id


def _gone(object_id: uuid.UUID) -> bool:
    """No row, no key and no stored version of the object."""
    names = {name for name, _ in backend_from_settings(get_settings()).listing()}
    with unit_of_work() as db:
        return (
            db.get(StoredObject, object_id) is None
            and db.get(ObjectDekRow, object_id) is None
            and not any(str(object_id) in name for name in names)
        )


def test_a_change_removes_the_copy_its_faces_and_its_approval(api: Api) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    h, clip = world["headers"], uuid.UUID(world["clip"]["id"])
    family = uuid.UUID(world["family"]["id"])
    url = f"/api/v1/clips/{clip}/faces"
    body = {"edits": [edit("add", 12, 13)]}
    assert api.client.put(url, headers=h, json=body).status_code == 200

    copy = _copy_approved(clip, family, trainer.id)
    shown = api.client.get(url, headers=h).json()
    assert shown["detections"] == [{"t": 10.0, "boxes": [FACE]}]
    # The same boxes again: nothing changes, the copy and its approval stay.
    assert api.client.put(url, headers=h, json=body).status_code == 200
    with unit_of_work() as db:
        row = db.get_one(Clip, clip)
        assert row.anonymised_object_id == copy
        assert row.anonymised_approved_by == trainer.id
    assert not _gone(copy)

    # Another box: the copy made without it is unlinked and deleted through the store, its faces and
    # its approval cleared, logged.
    changed = api.client.put(
        url, headers=h, json={"edits": [edit("add", 12, 13), edit("keep", 14, 15)]}
    )
    assert changed.status_code == 200, changed.text
    with unit_of_work() as db:
        row = db.get_one(Clip, clip)
        assert row.anonymised_object_id is None
        assert row.faces == "[]"
        assert row.anonymised_approved_by is None
        assert row.anonymised_approved_at is None
        deleted = db.exec(
            select(AuditRecord).where(
                AuditRecord.object_id == str(copy), AuditRecord.action == "delete"
            )
        ).all()
    assert _gone(copy)
    assert [(r.reason, r.object_type) for r in deleted] == [("faces_changed", "anonymised")]
    assert api.client.get(url, headers=h).json()["detections"] == []

    # The muted spans' change does the same, with its own reason.
    second = _copy_approved(clip, family, trainer.id)
    assert (
        api.client.put(f"/api/v1/clips/{clip}/mute", headers=h, json=spans((20, 21))).status_code
        == 200
    )
    with unit_of_work() as db:
        row = db.get_one(Clip, clip)
        assert (row.anonymised_object_id, row.anonymised_approved_by, row.faces) == (
            None,
            None,
            "[]",
        )
        deleted = db.exec(
            select(AuditRecord).where(
                AuditRecord.object_id == str(second), AuditRecord.action == "delete"
            )
        ).all()
    assert _gone(second)
    assert [r.reason for r in deleted] == ["mute_changed"]
