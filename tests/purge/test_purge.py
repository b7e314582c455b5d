"""The purge that really forgets: on the right day, behind holds, after withdrawals, across a crash."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlmodel import select

import vault.tables  # noqa: F401
from keys import KeyDestroyed
from tests.support.purge import CLOSED, DUE, GRACE, at, run
from vault import access, audit
from vault.consents.models import ConsentEventRow, ConsentRecordRow
from vault.purge import (
    CERTIFICATES,
    LegalHoldRow,
    Tombstone,
    family_plan,
    verify_certificate,
    words,
)
from vault.recordings.models import Clip
from vault.store import StoredObject


def test_family_is_purged_on_the_right_day_and_nothing_can_be_read_back(world) -> None:  # type: ignore[no-untyped-def]  # the test's world: a dict of its rows and ids
    w = world
    objects = [r.original_object_id for r in w["recordings"]]
    assert run(w, at(DUE - timedelta(days=1))) is None
    assert w["db"].exec(select(StoredObject)).all() != []
    assert "wordt verwijderd op" in words.describe(family_plan(w["db"], w["family"].id, DUE))[0]
    # phase one on the day: blocked for every reader, nothing deleted yet
    assert run(w, at(DUE)) is None
    principal = audit.Principal(w["trainer"].id, "T", "trainer", None)
    decision = access.decide(w["db"], principal, "view", recording_id=w["recordings"][0].id)
    assert decision.reason == "purge_pending"
    # phase two once the token lifetime has passed
    certificate = run(w, at(DUE) + GRACE)
    assert certificate is not None
    assert verify_certificate(certificate, w["key"].public_bytes())
    assert certificate["family_key_shredded"] is True
    assert {i["object_id"] for i in certificate["items"]} == {str(o) for o in objects}
    stored = json.loads(
        w["backend"].get_worm(f"{CERTIFICATES}{certificate['certificate_id']}.json")
    )
    assert stored == certificate
    forged = {**certificate, "family_key_shredded": False}
    assert not verify_certificate(forged, w["key"].public_bytes())
    assert (
        list(w["minio"].list_objects(w["backend"].bucket, recursive=True, include_version=True))
        == []
    )
    for object_id in objects:
        with pytest.raises(KeyDestroyed, match="vernietigd"):
            w["store"].keyring.object_key(object_id)
    assert not w["store"].keyring.family_has_keys(w["family"].id)
    assert len(w["db"].exec(select(Tombstone)).all()) == 2
    assert all(len(t.ciphertext_sha256) == 64 for t in w["db"].exec(select(Tombstone)))
    report = audit.verify(w["db"], w["backend"], w["key"].public_bytes())
    assert report.ok, report.problems
    purges = (
        w["db"].exec(select(audit.AuditRecord).where(audit.AuditRecord.action == "purge")).all()
    )
    assert len(purges) == 4  # blocked + purged, per object


def test_withdrawal_purges_exactly_the_covered_recording(world) -> None:  # type: ignore[no-untyped-def]  # the test's world: a dict of its rows and ids
    w = world
    db = w["db"]
    w["trajectory"].phase, w["trajectory"].closed_on = "active", None
    db.add(w["trajectory"])
    record = ConsentRecordRow(
        family_id=w["family"].id,
        trajectory_id=w["trajectory"].id,
        purpose="review",
        valid_from=at(date(2025, 10, 1)),
        recorded_by=w["trainer"].id,
    )
    db.add(record)
    db.flush()
    gone, kept = w["recordings"]
    gone_object, kept_object = gone.original_object_id, kept.original_object_id
    db.add(
        ConsentEventRow(
            record_id=record.id,
            kind="withdrawn",
            at=at(date(2026, 2, 2)),
            recording_ids=json.dumps([str(gone.id)]),
        )
    )
    db.commit()
    run(w, at(date(2026, 2, 2), 9))
    certificate = run(w, at(date(2026, 2, 2), 9) + GRACE)
    assert [i["object_id"] for i in certificate["items"]] == [str(gone_object)]
    assert certificate["family_key_shredded"] is False
    assert gone.original_object_id is None
    assert b"beelden 1" in b"".join(w["store"].iter_plaintext(kept_object))


def test_a_hold_blocks_and_its_release_lets_the_purge_proceed(world) -> None:  # type: ignore[no-untyped-def]  # the test's world: a dict of its rows and ids
    w = world
    hold = LegalHoldRow(family_id=w["family"].id, reason="klacht in behandeling", placed_on=CLOSED)
    w["db"].add(hold)
    w["db"].commit()
    assert run(w, at(DUE)) is None
    assert run(w, at(DUE) + GRACE) is None
    assert len(w["db"].exec(select(StoredObject)).all()) == 2
    hold.released_on = DUE + timedelta(days=3)
    w["db"].add(hold)
    w["db"].commit()
    run(w, at(DUE + timedelta(days=3)))
    assert run(w, at(DUE + timedelta(days=3)) + GRACE) is not None
    assert w["db"].exec(select(StoredObject)).all() == []


def test_a_purge_killed_half_way_completes_on_the_next_run(
    world, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = world
    run(w, at(DUE))
    real_delete = type(w["backend"]).delete
    calls = {"n": 0}

    def dying_delete(self, name: str) -> int:  # type: ignore[no-untyped-def]  # stands in for a method: self is the backend
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real_delete(self, name)

    monkeypatch.setattr(type(w["backend"]), "delete", dying_delete)
    with pytest.raises(RuntimeError, match="killed"):
        run(w, at(DUE) + GRACE)
    w["db"].rollback()
    monkeypatch.setattr(type(w["backend"]), "delete", real_delete)
    certificate = run(w, at(DUE) + GRACE + timedelta(hours=1))
    assert certificate is not None
    assert w["db"].exec(select(StoredObject)).all() == []
    assert (
        list(w["minio"].list_objects(w["backend"].bucket, recursive=True, include_version=True))
        == []
    )
    assert not w["store"].keyring.family_has_keys(w["family"].id)


def test_the_trainer_s_annotations_go_with_the_footage(world) -> None:  # type: ignore[no-untyped-def]  # the test's world: a dict of its rows and ids
    """Annotations (codes, notes on the family) are personal data: purged with the recording they are
    on, refused from the purge mark on, and those of a recording that stays are kept."""
    from vault.annotations.models import DEFAULT_CODEBOOK, Annotation, AnnotationComment, Codebook

    w = world
    db = w["db"]
    w["trajectory"].phase, w["trajectory"].closed_on = "active", None
    db.add(w["trajectory"])
    book = Codebook(
        organisation_id=w["trainer"].organisation_id,
        version=1,
        entries=json.dumps(DEFAULT_CODEBOOK),
    )
    db.add(book)
    db.flush()
    gone, kept = w["recordings"]
    for rec in (gone, kept):
        annotation = Annotation(
            recording_id=rec.id,
            codebook_id=book.id,
            frame_in=12,
            rate_num=25,
            rate_den=1,
            code="initiatief",
            note="Moeder kijkt weg.",
            created_by=w["trainer"].id,
        )
        clip = Clip(recording_id=rec.id, start_s=0, end_s=2, created_by=w["trainer"].id)
        db.add(annotation)
        db.add(clip)
        db.flush()
        # the thread on it (an opleider's question) goes with it
        db.add(
            AnnotationComment(
                annotation_id=annotation.id,
                clip_id=clip.id,
                author_id=w["trainer"].id,
                body="Wat doet het kind hier?",
            )
        )
    record = ConsentRecordRow(
        family_id=w["family"].id,
        trajectory_id=w["trajectory"].id,
        purpose="review",
        valid_from=at(date(2025, 10, 1)),
        recorded_by=w["trainer"].id,
    )
    db.add(record)
    db.flush()
    db.add(
        ConsentEventRow(
            record_id=record.id,
            kind="withdrawn",
            at=at(date(2026, 2, 2)),
            recording_ids=json.dumps([str(gone.id)]),
        )
    )
    db.commit()
    run(w, at(date(2026, 2, 2), 9))
    principal = audit.Principal(w["trainer"].id, "T", "trainer", None)
    marked = access.decide(db, principal, "view", recording_id=gone.id, annotations=True)
    assert marked.reason == "purge_pending"
    run(w, at(date(2026, 2, 2), 9) + GRACE)
    left = db.exec(select(Annotation)).all()
    assert [a.recording_id for a in left] == [kept.id]
    thread = db.exec(select(AnnotationComment)).all()
    assert [c.annotation_id for c in thread] == [a.id for a in left]
