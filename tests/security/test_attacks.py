"""The four ways to footage through the administration plane (issue #18), each tried as the attacker
did, and each refused. Streaming means `POST /clips/{id}/stream` answering with a viewing link."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from tests.support.api import Api
from tests.support.families import say_in_view
from vault import audit
from vault.consents.models import WokSessionRow
from vault.db import unit_of_work

from .conftest import World, bearer, enrol


def _grant(trainee: uuid.UUID, user: uuid.UUID) -> dict[str, str]:
    return {
        "user_id": str(user),
        "trainee_id": str(trainee),
        "valid_from": "2026-01-01T00:00:00Z",
        "valid_until": "2099-01-01T00:00:00Z",
    }


def test_1_another_organisations_admin_cannot_link_our_trainer(api: Api, world: World) -> None:
    made = api.client.post(
        "/api/v1/supervision-links",
        headers=api.as_(world.b.admin),
        json={"trainee_id": str(world.a.trainer.id), "opleider_id": str(world.b.opleider.id)},
    )
    assert made.status_code == 404
    assert api.client.post(world.clip_stream, headers=api.as_(world.b.opleider)).status_code == 403


def test_2_another_organisations_admin_cannot_grant_our_trainer(api: Api, world: World) -> None:
    made = api.client.post(
        "/api/v1/grants",
        headers=api.as_(world.b.admin),
        json=_grant(world.a.trainer.id, world.b.gecommitteerde.id),
    )
    assert made.status_code == 404
    assert (
        api.client.post(world.clip_stream, headers=api.as_(world.b.gecommitteerde)).status_code
        == 403
    )


def test_3_one_administrator_alone_cannot_open_footage(api: Api, world: World) -> None:
    """Create an opleider, enrol it (the worst case: the administrator opens the link themselves),
    link it to a trainer, sign in as it, stream: refused until the trainee confirmed the link."""
    h = api.as_(world.a.admin)
    email = f"nep-{uuid.uuid4().hex[:6]}@org.example"
    created = api.client.post(
        "/api/v1/users",
        headers=h,
        json={"email": email, "name": "Nep Opleider", "role": "opleider"},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert "totp_uri" not in body
    assert "otpauth" not in created.text
    assert "/inschrijven/" in body["enrolment_url"]
    fake = enrol(api, body["enrolment_url"], email, "opleider", world.a.id)
    link = api.client.post(
        "/api/v1/supervision-links",
        headers=h,
        json={"trainee_id": str(world.a.trainer.id), "opleider_id": str(fake.id)},
    )
    assert link.status_code == 201
    assert link.json()["state"] == "proposed"
    hf = bearer(api, fake)
    refused = api.client.post(world.clip_stream, headers=hf)
    assert refused.status_code == 403
    assert refused.json()["reason"] == "no_supervision_link"

    # Neither the administrator, nor the opleider, nor a trainer the administrator made can confirm.
    confirm = f"/api/v1/supervision-links/{link.json()['id']}/confirm"
    assert api.client.post(confirm, headers=h).status_code == 403
    assert api.client.post(confirm, headers=hf).status_code == 403
    puppet_email = f"pop-{uuid.uuid4().hex[:6]}@org.example"
    puppet_link = api.client.post(
        "/api/v1/users", headers=h, json={"email": puppet_email, "name": "Pop", "role": "trainer"}
    ).json()["enrolment_url"]
    puppet = enrol(api, puppet_link, puppet_email, "trainer", world.a.id)
    assert api.client.post(confirm, headers=bearer(api, puppet)).status_code == 404
    # Nor can the administrator make themselves (or the fake) a trainer.
    assert (
        api.client.patch(
            f"/api/v1/users/{world.a.admin.id}", headers=h, json={"role": "trainer"}
        ).status_code
        == 409
    )
    assert api.client.post(world.clip_stream, headers=hf).status_code == 403

    # The second person: the trainee sees the proposal and confirms it; only now it opens.
    ht = api.as_(world.a.trainer)
    mine = api.client.get("/api/v1/supervision-links", headers=ht).json()["items"]
    assert [m["state"] for m in mine if m["id"] == link.json()["id"]] == ["proposed"]
    assert api.client.post(confirm, headers=ht).json()["state"] == "active"
    assert api.client.post(world.clip_stream, headers=hf).status_code == 200
    with unit_of_work() as db:  # the privacy officer's signal: proposal and confirmation, by whom
        logged = db.exec(
            select(audit.AuditRecord).where(audit.AuditRecord.object_id == link.json()["id"])
        ).all()
        assert [(r.reason, r.role) for r in logged] == [
            ("proposed", "administrator"),
            ("confirmed", "trainer"),
        ]


def test_3b_a_grant_likewise_waits_for_the_trainee(api: Api, world: World) -> None:
    made = api.client.post(
        "/api/v1/grants",
        headers=api.as_(world.a.admin),
        json=_grant(world.a.trainer.id, world.a.gecommitteerde.id),
    )
    assert made.status_code == 201
    assert made.json()["state"] == "proposed"
    hg = api.as_(world.a.gecommitteerde)
    assert api.client.post(world.clip_stream, headers=hg).json()["reason"] == "no_grant"
    confirmed = api.client.post(
        f"/api/v1/grants/{made.json()['id']}/confirm", headers=api.as_(world.a.trainer)
    )
    assert confirmed.json()["state"] == "active"
    assert api.client.post(world.clip_stream, headers=hg).status_code == 200


def test_3c_cross_organisation_supervision_is_an_invitation_from_the_trainees_side(
    api: Api, world: World
) -> None:
    """Opleiders often work for another organisation: A's administrator proposes, A's trainee confirms."""
    made = api.client.post(
        "/api/v1/supervision-links",
        headers=api.as_(world.a.admin),
        json={"trainee_id": str(world.a.trainer.id), "opleider_id": str(world.b.opleider.id)},
    )
    assert made.status_code == 201
    hb = api.as_(world.b.opleider)
    assert api.client.post(world.clip_stream, headers=hb).status_code == 403
    api.client.post(
        f"/api/v1/supervision-links/{made.json()['id']}/confirm", headers=api.as_(world.a.trainer)
    )
    assert api.client.post(world.clip_stream, headers=hb).status_code == 200


def test_4_wok_viewing_only_for_trainers_and_opleiders(api: Api, world: World) -> None:
    organiser, now = api.as_(world.a.opleider), datetime.now(UTC)
    meeting = {
        "title": "WOK",
        "starts_at": (now - timedelta(minutes=5)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
    }
    for outsider in (
        world.b.officer,
        world.b.admin,
        world.a.officer,
        world.a.admin,
        world.b.gecommitteerde,
    ):
        refused = api.client.post(
            "/api/v1/wok-sessions",
            headers=organiser,
            json={**meeting, "participant_ids": [str(outsider.id)]},
        )
        assert refused.status_code == 422, outsider.role
        assert refused.json()["field"] == "participant_ids"
    decade = api.client.post(
        "/api/v1/wok-sessions",
        headers=organiser,
        json={
            **meeting,
            "ends_at": (now + timedelta(days=3650)).isoformat(),
            "participant_ids": [str(world.b.trainer.id)],
        },
    )
    assert decade.status_code == 422
    assert decade.json()["field"] == "ends_at"
    assert "8 uur" in decade.json()["detail"]

    # A session made with a peer trainer; then (as if the API had let them in) outsiders are listed too.
    session = api.client.post(
        "/api/v1/wok-sessions",
        headers=organiser,
        json={**meeting, "participant_ids": [str(world.b.trainer.id)]},
    )
    assert session.status_code == 201, session.text
    say_in_view(api, world.footage, world.footage["clip"]["id"])
    shared = api.client.post(
        f"/api/v1/wok-sessions/{session.json()['id']}/clips/{world.footage['clip']['id']}",
        headers=world.footage["headers"],
    )
    assert shared.status_code == 201, shared.text
    assert api.client.post(world.clip_stream, headers=api.as_(world.b.trainer)).status_code == 200
    outsiders = (world.b.officer, world.b.admin, world.a.officer, world.a.admin)
    with unit_of_work() as db:
        row = db.get(WokSessionRow, uuid.UUID(session.json()["id"]))
        assert row is not None
        row.participant_ids = json.dumps([str(world.b.trainer.id), *(str(o.id) for o in outsiders)])
        db.add(row)
    for outsider in outsiders:
        answer = api.client.post(world.clip_stream, headers=api.as_(outsider))
        assert answer.status_code == 403, outsider.role
        assert answer.json()["reason"] == "no_footage_for_role"
    with unit_of_work() as db:  # every refusal is in the log
        denied = db.exec(
            select(audit.AuditRecord).where(
                audit.AuditRecord.outcome == "denied",
                audit.AuditRecord.reason == "no_footage_for_role",
            )
        ).all()
        assert {r.user_id for r in denied} >= {o.id for o in outsiders}
