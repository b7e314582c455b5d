"""The family, trajectory, recording and clip API: pagination, ETags, errors, audit, and who sees what."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update
from sqlmodel import col, select

from tests.support.api import Api
from tests.support.families import family_with_recording
from vault.audit import AuditRecord
from vault.db import unit_of_work
from vault.domain.models import User


def test_trainer_builds_a_family_and_sees_it(api: Api) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    h = world["headers"]
    assert world["family"]["code"].startswith("FAM-")
    listing = api.client.get("/api/v1/families?limit=10", headers=h).json()
    assert listing["total"] == 1
    assert listing["items"][0]["id"] == world["family"]["id"]
    trajectories = api.client.get("/api/v1/trajectories?phase=active", headers=h).json()
    assert [t["id"] for t in trajectories["items"]] == [world["trajectory"]["id"]]
    recordings = api.client.get(
        f"/api/v1/trajectories/{world['trajectory']['id']}/recordings?situation=bath", headers=h
    ).json()
    assert recordings["total"] == 1
    assert (
        api.client.get(
            f"/api/v1/trajectories/{world['trajectory']['id']}/recordings?situation=meal", headers=h
        ).json()["total"]
        == 0
    )
    clips = api.client.get(f"/api/v1/recordings/{world['recording']['id']}/clips", headers=h).json()
    assert clips["items"][0]["title"] == "Aansluiten"
    # The family itself, its people and gezag belong to its trainer (and to no other trainer).
    family = f"/api/v1/families/{world['family']['id']}"
    for path in (family, family + "/people", family + "/authorities"):
        assert api.client.get(path, headers=h).status_code == 200, path
        assert api.client.get(path, headers=api.as_(api.account("trainer"))).status_code == 403, (
            path
        )
    assert api.client.get(family + "/people", headers=h).json()["total"] == 2


def test_pagination(api: Api) -> None:
    trainer = api.account("trainer")
    h = api.as_(trainer)
    for _ in range(5):
        api.client.post("/api/v1/families", headers=h)
    first = api.client.get("/api/v1/families?limit=2&offset=0", headers=h).json()
    last = api.client.get("/api/v1/families?limit=2&offset=4", headers=h).json()
    assert (first["total"], len(first["items"]), len(last["items"])) == (5, 2, 1)
    assert api.client.get("/api/v1/families?limit=0", headers=h).status_code == 422


def test_etags_and_conditional_updates(api: Api) -> None:
    world = family_with_recording(api, api.account("trainer"))
    h = world["headers"]
    url = f"/api/v1/trajectories/{world['trajectory']['id']}"
    first = api.client.get(url, headers=h)
    tag = first.headers["etag"]
    assert api.client.get(url, headers={**h, "If-None-Match": tag}).status_code == 304
    assert (
        api.client.patch(
            url, headers={**h, "If-Match": '"stale"'}, json={"phase": "closed"}
        ).status_code
        == 412
    )
    updated = api.client.patch(
        url, headers={**h, "If-Match": tag}, json={"phase": "closed", "closed_on": "2026-11-24"}
    )
    assert updated.status_code == 200
    assert updated.headers["etag"] != tag


def test_errors_are_problem_json_with_stable_codes(api: Api) -> None:
    world = family_with_recording(api, api.account("trainer"))
    h = world["headers"]
    missing = api.client.get(f"/api/v1/families/{uuid.uuid4()}", headers=h)
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    malformed = api.client.post(
        f"/api/v1/recordings/{world['recording']['id']}/clips",
        headers=h,
        json={"start_s": 30, "end_s": 10},
    )
    assert malformed.status_code == 422
    assert malformed.json()["code"] == "malformed_request"
    too_long = api.client.post(
        f"/api/v1/recordings/{world['recording']['id']}/clips",
        headers=h,
        json={"start_s": 10, "end_s": 400},
    )
    assert too_long.status_code == 409
    assert "voorbij het einde" in too_long.json()["detail"]


def test_other_roles_see_no_family_data(api: Api) -> None:
    world = family_with_recording(api, api.account("trainer"))
    for role in ("administrator", "privacy_officer", "opleider"):
        h = api.as_(api.account(role))
        response = api.client.get(f"/api/v1/families/{world['family']['id']}", headers=h)
        assert response.status_code == 403, role
        assert response.json()["code"] == "access_denied"
        assert (
            api.client.get(f"/api/v1/recordings/{world['recording']['id']}", headers=h).status_code
            == 403
        )
    with unit_of_work() as db:
        denied = db.exec(select(AuditRecord).where(AuditRecord.outcome == "denied")).all()
    assert len(denied) >= 6
    assert all(r.family_id is not None for r in denied)


def test_an_unknown_role_is_refused_not_taken_for_another_role(api: Api) -> None:
    """A role the access rules do not know (a typo, a value left by an old version) is a no with its own
    reason, logged as such; it is never mapped onto some other role."""
    world = family_with_recording(api, api.account("trainer"))
    odd = api.account("trainer")
    with unit_of_work() as db:
        db.execute(update(User).where(col(User.id) == odd.id).values(role="beheerder"))
    h = api.as_(odd)
    response = api.client.get(f"/api/v1/recordings/{world['recording']['id']}", headers=h)
    assert response.status_code == 403
    assert response.json()["detail_en"] == "Access denied (unknown_role)."
    with unit_of_work() as db:
        logged = db.exec(
            select(AuditRecord).where(
                AuditRecord.user_id == odd.id, AuditRecord.outcome == "denied"
            )
        ).all()
    assert [r.reason for r in logged] == ["unknown_role"]


def test_only_account_roles_are_given_to_accounts(api: Api) -> None:
    h = api.as_(api.account("administrator"))
    for role in ("parent", "wok_viewer", "beheerder"):
        created = api.client.post(
            "/api/v1/users",
            headers=h,
            json={
                "email": f"{role}@org.example",
                "name": "X",
                "role": role,
                "organisation_id": str(api.organisation_id),
            },
        )
        assert created.status_code == 422, (role, created.text)


def test_admin_manages_accounts_and_links(api: Api) -> None:
    admin = api.account("administrator")
    h = api.as_(admin)
    created = api.client.post(
        "/api/v1/users",
        headers=h,
        json={
            "email": "nieuw@org.example",
            "name": "Nieuwe Opleider",
            "role": "opleider",
            "organisation_id": str(api.organisation_id),
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert "/inschrijven/" in body["enrolment_url"]  # a single-use link for the person, no secret
    assert "totp_uri" not in body
    assert "password_hash" not in body
    assert "totp_secret" not in body
    assert "enrolment_hash" not in body
    trainee = api.account("trainer")
    link = api.client.post(
        "/api/v1/supervision-links",
        headers=h,
        json={"trainee_id": str(trainee.id), "opleider_id": body["id"]},
    )
    assert link.status_code == 201
    assert link.json()["state"] == "proposed"
    listing = api.client.get("/api/v1/users?role=opleider", headers=h).json()
    assert [u["email"] for u in listing["items"]] == ["nieuw@org.example"]
    assert api.client.get("/api/v1/users", headers=api.as_(trainee)).status_code == 403


def test_openapi_describes_every_route(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/v1/families",
        "/api/v1/trajectories/{trajectory_id}",
        "/api/v1/auth/sign-in",
        "/api/v1/audit/families/{family_id}",
        "/health",
    ):
        assert path in paths
    for operations in paths.values():
        for operation in operations.values():
            assert operation.get("summary")


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.integers(0, 2), min_size=2, max_size=5))
def test_a_trainer_never_sees_another_trainers_family(api: Api, layout: list[int]) -> None:
    """Generated organisations and trainers: every family is visible to its own trainer only."""
    orgs = [api.organisation(f"Org {i}") for i in range(3)]
    trainers = [api.account("trainer", orgs[i]) for i in layout]
    sessions = [api.as_(t) for t in trainers]
    families = [api.client.post("/api/v1/families", headers=h).json()["id"] for h in sessions]
    for i, h in enumerate(sessions):
        visible = {
            f["id"] for f in api.client.get("/api/v1/families?limit=500", headers=h).json()["items"]
        }
        assert families[i] in visible
        for j, family in enumerate(families):
            if j != i:
                assert family not in visible
                assert api.client.get(f"/api/v1/families/{family}", headers=h).status_code == 403
