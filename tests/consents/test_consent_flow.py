"""Consent through the API: an opleider sees a clip only with supervision consent; withdrawal stops it;
a WOK participant only during the session; evidence is stored encrypted."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from tests.factories import SupervisionLinkFactory, WokSessionFactory, bound
from tests.support.api import Api
from tests.support.families import consent_body, family_with_recording, say_in_view
from vault.db import unit_of_work
from vault.store import StoredObject


def test_opleider_sees_a_clip_with_supervision_consent_until_withdrawal(api: Api) -> None:
    trainer, opleider = api.account("trainer"), api.account("opleider")
    with unit_of_work() as db, bound(db):
        SupervisionLinkFactory(trainee_id=trainer.id, opleider_id=opleider.id)
    world = family_with_recording(api, trainer)
    h, ho = world["headers"], api.as_(opleider)
    clip_url = f"/api/v1/clips/{world['clip']['id']}"
    assert api.client.get(clip_url, headers=ho).json()["reason"] == "no_consent"

    incomplete = api.client.post(
        f"/api/v1/families/{world['family']['id']}/consents",
        headers=h,
        json=consent_body(world, "supervision", both=False),
    )
    assert incomplete.status_code == 201
    assert incomplete.json()["status"] == "incomplete"
    assert incomplete.json()["missing_signatures"][0]["person_id"] == world["mother"]["id"]
    assert api.client.get(clip_url, headers=ho).json()["reason"] == "consent_incomplete"

    given = api.client.post(
        f"/api/v1/families/{world['family']['id']}/consents",
        headers=h,
        json=consent_body(world, "supervision"),
    )
    assert given.json()["status"] == "given"
    assert api.client.get(clip_url, headers=ho).status_code == 200

    stranger = api.client.post(
        f"/api/v1/consents/{given.json()['id']}/events",
        headers=h,
        json={"kind": "withdrawn", "by_person_id": world["child"]["id"]},
    )
    assert stranger.status_code == 409  # a two-year-old cannot withdraw; a signatory can
    withdrawn = api.client.post(
        f"/api/v1/consents/{given.json()['id']}/events",
        headers=h,
        json={"kind": "withdrawn", "by_person_id": world["mother"]["id"]},
    )
    assert withdrawn.status_code == 201
    denied = api.client.get(clip_url, headers=ho)
    assert denied.status_code == 403
    assert denied.json()["reason"] in ("consent_withdrawn", "consent_incomplete")
    overview = api.client.get(
        f"/api/v1/families/{world['family']['id']}/consents", headers=h
    ).json()["items"]
    assert {c["status"] for c in overview} == {"incomplete", "withdrawn"}


def test_wok_participant_only_during_the_session_and_only_with_wok_consent(api: Api) -> None:
    trainer, organiser, peer = (
        api.account("trainer"),
        api.account("opleider"),
        api.account("trainer", api.organisation("Andere organisatie")),
    )
    world = family_with_recording(api, trainer)
    h, hp = world["headers"], api.as_(peer)
    now = datetime.now(UTC)
    session = api.client.post(
        "/api/v1/wok-sessions",
        headers=api.as_(organiser),
        json={
            "title": "WOK Noord",
            "starts_at": (now - timedelta(minutes=5)).isoformat(),
            "ends_at": (now + timedelta(hours=1)).isoformat(),
            "participant_ids": [str(peer.id)],
        },
    ).json()
    share = api.client.post(
        f"/api/v1/wok-sessions/{session['id']}/clips/{world['clip']['id']}", headers=h
    )
    assert share.status_code == 403  # no WOK consent yet: the trainer may not share
    api.client.post(
        f"/api/v1/families/{world['family']['id']}/consents",
        headers=h,
        json=consent_body(world, "wok"),
    )
    unsaid = api.client.post(
        f"/api/v1/wok-sessions/{session['id']}/clips/{world['clip']['id']}", headers=h
    )
    assert unsaid.status_code == 403  # who is in view is not said yet
    assert unsaid.json()["reason"] == "in_view_unknown"
    say_in_view(api, world, world["clip"]["id"])
    assert (
        api.client.post(
            f"/api/v1/wok-sessions/{session['id']}/clips/{world['clip']['id']}", headers=h
        ).status_code
        == 201
    )
    assert api.client.get(f"/api/v1/clips/{world['clip']['id']}", headers=hp).status_code == 200
    assert (
        api.client.get(f"/api/v1/recordings/{world['recording']['id']}", headers=hp).status_code
        == 403
    )
    ended = api.client.post(
        "/api/v1/wok-sessions",
        headers=api.as_(organiser),
        json={
            "starts_at": (now - timedelta(hours=3)).isoformat(),
            "ends_at": (now - timedelta(hours=1)).isoformat(),
            "participant_ids": [str(peer.id)],
        },
    )
    assert ended.status_code == 201
    api.client.post(
        f"/api/v1/wok-sessions/{ended.json()['id']}/clips/{world['clip']['id']}", headers=h
    )
    late_peer = api.account("trainer", api.organisation("Derde organisatie"))
    with unit_of_work() as db:
        from vault.consents.models import WokSessionRow

        row = db.get(WokSessionRow, uuid.UUID(ended.json()["id"]))
        assert row is not None
        row.participant_ids = f'["{late_peer.id}"]'
        db.add(row)
    refused = api.client.get(f"/api/v1/clips/{world['clip']['id']}", headers=api.as_(late_peer))
    assert refused.status_code == 403
    assert refused.json()["reason"] == "outside_wok_window"
    # The seam loads only the sessions that can matter: this viewer's, with this clip (ADR 0002, 3).
    from vault import access, audit
    from vault.consents.models import WokSessionRow

    with unit_of_work() as db, bound(db):
        WokSessionFactory(
            starts_at=now,
            organiser_id=organiser.id,
            participant_ids=f'["{peer.id}"]',
            clip_ids=f'["{uuid.uuid4()}"]',
        )
    clip_id = uuid.UUID(world["clip"]["id"])
    expected = [
        (peer, {session["id"]}),
        (late_peer, {ended.json()["id"]}),
        (organiser, {session["id"], ended.json()["id"]}),
        (trainer, set()),
    ]
    with unit_of_work() as db:
        for who, sessions in expected:
            viewer = audit.Principal(who.id, who.email, who.role, who.organisation_id)
            _, resource = access.judge(db, viewer, "stream", clip_id=clip_id)
            assert resource is not None
            assert {str(s.id) for s in resource.facts.wok_sessions} == sessions, who.role


def test_evidence_is_stored_encrypted_and_bad_files_are_refused(api: Api) -> None:
    world = family_with_recording(api, api.account("trainer"))
    h = world["headers"]
    record = api.client.post(
        f"/api/v1/families/{world['family']['id']}/consents",
        headers=h,
        json=consent_body(world, "review"),
    ).json()
    bad = api.client.post(
        f"/api/v1/consents/{record['id']}/evidence", headers=h, content=b"just text, not a scan"
    )
    assert bad.status_code == 415
    assert "PDF" in bad.json()["detail"]
    pdf = b"%PDF-1.4\n% toestemmingsformulier familie\n" + b"0" * 5000
    ok = api.client.post(f"/api/v1/consents/{record['id']}/evidence", headers=h, content=pdf)
    assert ok.status_code == 201, ok.text
    with unit_of_work() as db:
        stored = db.exec(select(StoredObject)).one()
    assert stored.kind == "evidence"
    assert stored.size == len(pdf)
    overview = api.client.get(
        f"/api/v1/families/{world['family']['id']}/consents", headers=h
    ).json()["items"]
    assert overview[0]["evidence"] is True


def test_a_missing_signature_completes_that_record_once_and_is_logged(api: Api) -> None:
    import json

    from vault.audit import AuditRecord

    world = family_with_recording(api, api.account("trainer"))
    h, family_id, mother = world["headers"], world["family"]["id"], world["mother"]["id"]
    record = api.client.post(
        f"/api/v1/families/{family_id}/consents",
        headers=h,
        json=consent_body(world, "review", both=False),
    ).json()
    assert record["status"] == "incomplete"
    signed_at = datetime.now(UTC).isoformat()

    added = api.client.post(
        f"/api/v1/consents/{record['id']}/signatures",
        headers=h,
        json={"person_id": mother, "signed_at": signed_at},
    )
    assert added.status_code == 201
    assert added.json()["id"] == record["id"]
    assert added.json()["status"] == "given"
    assert added.json()["missing_signatures"] == []
    items = api.client.get(f"/api/v1/families/{family_id}/consents", headers=h).json()["items"]
    assert [(c["id"], c["status"]) for c in items] == [(record["id"], "given")]

    again = api.client.post(
        f"/api/v1/consents/{record['id']}/signatures",
        headers=h,
        json={"person_id": mother, "signed_at": signed_at},
    )
    assert again.status_code == 409
    assert "ontbreekt geen handtekening" in again.json()["detail"]
    stranger = api.client.post(
        f"/api/v1/consents/{record['id']}/signatures",
        headers=h,
        json={"person_id": str(uuid.uuid4()), "signed_at": signed_at},
    )
    assert stranger.status_code == 409
    with unit_of_work() as db:
        logged = db.exec(
            select(AuditRecord)
            .where(AuditRecord.object_id == record["id"])
            .order_by(AuditRecord.seq)  # type: ignore[arg-type]
        ).all()
        events = [
            json.loads(e.detail).get("event")
            for e in logged
            if e.action == "consent_event" and e.outcome == "success"
        ]
    assert events == ["given", "signed"]
