"""The trainer marks spans of a fragment to be silent in its anonymised copy (issue #24: names are spoken):
set through `PUT /clips/{id}/mute`, decided as the clip's other trainer-only writes, checked against the
clip (a 422 naming the span, Dutch and English), shown in the clip, logged. The job that mutes them:
test_mute_job.py."""

from __future__ import annotations

import uuid

from sqlmodel import select

from tests.anonymise.conftest import spans
from tests.support.api import Api
from tests.support.families import family_with_recording
from vault.audit import AuditRecord
from vault.db import unit_of_work
from vault.recordings.models import Clip


def test_the_trainer_marks_spans_inside_the_clip_and_nobody_else_may(api: Api) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)  # a clip from 10 s to 40 s of the recording
    h, clip = world["headers"], world["clip"]["id"]
    url = f"/api/v1/clips/{clip}/mute"

    saved = api.client.put(url, headers=h, json=spans((30, 31.5), (12, 13), (12.5, 14), (40, 40)))
    assert saved.status_code == 422  # (40, 40) ends where it starts
    saved = api.client.put(url, headers=h, json=spans((30, 31.5), (12, 13), (12.5, 14), (39, 40)))
    assert saved.status_code == 200, saved.text
    expected = [
        {"start_s": 12.0, "end_s": 14.0},  # sorted, and overlapping spans joined
        {"start_s": 30.0, "end_s": 31.5},
        {"start_s": 39.0, "end_s": 40.0},
    ]
    assert saved.json()["mute"] == expected
    assert api.client.get(f"/api/v1/clips/{clip}", headers=h).json()["mute"] == expected
    listed = api.client.get(f"/api/v1/recordings/{world['recording']['id']}/clips", headers=h)
    assert [c["mute"] for c in listed.json()["items"]] == [expected]

    # Bad input: a 422 naming the field, Dutch first and English beside it; never a 500.
    for body, field, words in (
        (spans((20, 19)), "spans[0].end_s", "Stilte 1: het einde (19 s) moet na het begin (20 s)"),
        (spans((12, 13), (9.5, 11)), "spans[1]", "Stilte 2 (9,5 tot 11 s) ligt niet binnen"),
        (spans((39.5, 40.25)), "spans[0]", "het fragment (10 tot 40 s van de opname)"),
    ):
        refused = api.client.put(url, headers=h, json=body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == field
        assert words in refused.json()["detail"]
        assert refused.json()["detail_en"].startswith("Muted span")
    for body in (
        spans(*[(10 + i * 0.5, 10.2 + i * 0.5) for i in range(51)]),  # at most 50
        {"spans": [{"start_s": -1, "end_s": 12}]},
        {"spans": [{"start_s": "twaalf", "end_s": 13}]},
        {"spans": [{"start_s": 12}]},
        {"spans": "12-13"},
    ):
        refused = api.client.put(url, headers=h, json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["errors"][0]["loc"][:2] == ["body", "spans"], refused.text
    for literal in ("NaN", "Infinity"):  # Python's JSON parser takes them: refused all the same
        refused = api.client.put(
            url,
            headers={**h, "Content-Type": "application/json"},
            content=f'{{"spans": [{{"start_s": 12, "end_s": {literal}}}]}}',
        )
        assert refused.status_code == 422, refused.text
    fifty = spans(*[(10 + i * 0.5, 10.2 + i * 0.5) for i in range(50)])
    assert api.client.put(url, headers=h, json=fifty).status_code == 200

    # Only the trajectory's trainer: not another trainer, not an administrator; an unknown clip is 404.
    for account in (api.account("trainer"), api.account("administrator")):
        refused = api.client.put(url, headers=api.as_(account), json=spans((20, 21)))
        assert refused.status_code == 403, refused.text
    assert (
        api.client.put(f"/api/v1/clips/{uuid.uuid4()}/mute", headers=h, json={}).status_code == 404
    )
    assert len(api.client.get(f"/api/v1/clips/{clip}", headers=h).json()["mute"]) == 50

    # The fragment form (PUT /clips/{id}) leaves the spans alone.
    assert (
        api.client.put(f"/api/v1/clips/{clip}", headers=h, json={"title": "x"}).status_code == 200
    )
    assert len(api.client.get(f"/api/v1/clips/{clip}", headers=h).json()["mute"]) == 50
    cleared = api.client.put(url, headers=h, json={"spans": []})
    assert cleared.status_code == 200
    assert cleared.json()["mute"] == []

    with unit_of_work() as db:
        logged = db.exec(
            select(AuditRecord).where(AuditRecord.object_id == clip, AuditRecord.reason == "mute")
        ).all()
    assert [(r.action, r.outcome, r.object_type) for r in logged] == [
        ("update", "success", "clip")
    ] * 3


def test_a_link_to_a_copy_that_is_gone_is_dropped_all_the_same(api: Api) -> None:
    """A clip still linked to a copy whose row went (purged meanwhile): a change of spans unlinks it
    and makes sure of its key, without a 500."""
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    h, clip = world["headers"], world["clip"]["id"]
    vanished = uuid.uuid4()
    with unit_of_work() as db:
        row = db.get(Clip, uuid.UUID(clip))
        assert row is not None
        row.anonymised_object_id = vanished
        db.add(row)
    changed = api.client.put(f"/api/v1/clips/{clip}/mute", headers=h, json=spans((20, 21)))
    assert changed.status_code == 200, changed.text
    with unit_of_work() as db:
        row = db.get(Clip, uuid.UUID(clip))
        assert row is not None
        assert row.anonymised_object_id is None
        deleted = db.exec(
            select(AuditRecord).where(
                AuditRecord.object_id == str(vanished), AuditRecord.action == "delete"
            )
        ).all()
    assert [(r.reason, r.object_type) for r in deleted] == [("mute_changed", "anonymised")]
