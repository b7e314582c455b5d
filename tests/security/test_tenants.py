"""Organisations are tenants: every administrative route of the OpenAPI document, walked as an
administrator (and a trainer) of organisation B with real ids of organisation A, answers exactly as for
an id that does not exist, and never shows anything of A."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import select

from tests.support.api import Api
from vault.consents.models import GrantRow
from vault.db import unit_of_work
from vault.domain.models import SupervisionLink, User

from .conftest import World


def _a_rows(api: Api, world: World) -> dict[str, str]:
    """Real ids of organisation A: a user, a supervision link and a grant (proposed by A's admin)."""
    h = api.as_(world.a.admin)
    link = api.client.post(
        "/api/v1/supervision-links",
        headers=h,
        json={"trainee_id": str(world.a.trainer.id), "opleider_id": str(world.a.opleider.id)},
    )
    grant = api.client.post(
        "/api/v1/grants",
        headers=h,
        json={
            "user_id": str(world.a.gecommitteerde.id),
            "trainee_id": str(world.a.trainer.id),
            "valid_from": "2026-01-01T00:00:00Z",
            "valid_until": "2099-01-01T00:00:00Z",
        },
    )
    assert link.status_code == grant.status_code == 201, (link.text, grant.text)
    return {
        "user_id": str(world.a.trainer.id),
        "link_id": link.json()["id"],
        "grant_id": grant.json()["id"],
    }


def _body(method: str, path: str, world: World) -> dict[str, Any] | None:
    """A well-formed body that aims at organisation A; every administrative write needs one here."""
    a, b = world.a, world.b
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("post", "/api/v1/users"): {
            "email": f"x-{uuid.uuid4().hex[:6]}@org.example",
            "name": "X",
            "role": "trainer",
            "organisation_id": str(a.id),
        },
        ("patch", "/api/v1/users/{user_id}"): {"active": False, "name": "Overgenomen"},
        ("post", "/api/v1/supervision-links"): {
            "trainee_id": str(a.trainer.id),
            "opleider_id": str(b.opleider.id),
        },
        ("post", "/api/v1/grants"): {
            "user_id": str(b.gecommitteerde.id),
            "trainee_id": str(a.trainer.id),
            "valid_from": "2026-01-01T00:00:00Z",
            "valid_until": "2099-01-01T00:00:00Z",
        },
    }
    if method in ("post", "patch", "put"):
        return bodies.get((method, path), {})
    return None


def _administrative(api: Api) -> list[tuple[str, str]]:
    spec = api.client.app.openapi()  # type: ignore[attr-defined]
    return [
        (method, path)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if "administration" in operation.get("tags", [])
    ]


def test_every_administrative_route_hides_organisation_a_from_b(api: Api, world: World) -> None:
    ids = _a_rows(api, world)
    routes = _administrative(api)
    assert len(routes) >= 12, routes  # the walk covers the whole administration plane
    a_ids = {str(world.a.id), *ids.values(), str(world.a.admin.id), str(world.a.opleider.id)}
    for actor in (world.b.admin, world.b.trainer):
        h = api.as_(actor)
        for method, path in routes:
            body = _body(method, path, world)
            real = path.format(**ids)
            fake = path.format(**dict.fromkeys(ids, str(uuid.uuid4())))
            answer = api.client.request(method, real, headers=h, json=body)
            if "{" not in path and method == "get":  # a listing: B's own rows only
                assert answer.status_code in (200, 403), (actor.role, method, path, answer.text)
            else:
                probe = api.client.request(method, fake, headers=h, json=_body(method, path, world))
                assert answer.status_code in (403, 404), (actor.role, method, path, answer.text)
                if "{" in path:  # the same answer as for an id that does not exist: no oracle
                    assert answer.status_code == probe.status_code, (actor.role, method, path)
            leaked = [i for i in a_ids if i in answer.text]
            assert leaked == [], (actor.role, method, path, answer.text)
    with unit_of_work() as db:  # and nothing of A changed
        trainer = db.get(User, world.a.trainer.id)
        assert trainer is not None
        assert trainer.active
        assert trainer.name != "Overgenomen"
        assert trainer.enrolment_hash is None
        assert db.get(SupervisionLink, uuid.UUID(ids["link_id"])).confirmed_at is None  # type: ignore[union-attr]
        assert db.get(GrantRow, uuid.UUID(ids["grant_id"])).confirmed_at is None  # type: ignore[union-attr]
        assert not db.exec(
            select(SupervisionLink).where(SupervisionLink.opleider_id == world.b.opleider.id)
        ).all()
        assert not db.exec(
            select(GrantRow).where(GrantRow.user_id == world.b.gecommitteerde.id)
        ).all()


def test_an_administrator_lists_only_their_own_organisation(api: Api, world: World) -> None:
    h = api.as_(world.b.admin)
    users = api.client.get("/api/v1/users?limit=500", headers=h).json()["items"]
    assert users
    assert {u["organisation_id"] for u in users} == {str(world.b.id)}
    orgs = api.client.get("/api/v1/organisations", headers=h).json()["items"]
    assert [o["id"] for o in orgs] == [str(world.b.id)]
    assert (
        api.client.post("/api/v1/organisations", headers=h, json={"name": "Nieuw"}).status_code
        == 405
    )


def test_an_administrator_cannot_disable_themselves_nor_cross_the_admin_line(
    api: Api, world: World
) -> None:
    admin = world.a.admin
    h = api.as_(admin)
    own = api.client.patch(f"/api/v1/users/{admin.id}", headers=h, json={"active": False})
    assert own.status_code == 409
    assert "Uw eigen rol of account" in own.json()["detail"]
    demote = api.client.patch(f"/api/v1/users/{admin.id}", headers=h, json={"role": "trainer"})
    assert demote.status_code == 409
    for user, role in ((world.a.trainer, "administrator"), (world.a.officer, "administrator")):
        crossed = api.client.patch(f"/api/v1/users/{user.id}", headers=h, json={"role": role})
        assert crossed.status_code == 422, crossed.text
        assert crossed.json()["field"] == "role"
    other_admin = api.account("administrator", world.a.id)
    to_trainer = api.client.patch(
        f"/api/v1/users/{other_admin.id}", headers=h, json={"role": "opleider"}
    )
    assert to_trainer.status_code == 422
    with unit_of_work() as db:
        assert db.get(User, admin.id).active  # type: ignore[union-attr]
        assert db.get(User, other_admin.id).role == "administrator"  # type: ignore[union-attr]
