"""The OpenAPI document does not lie about refusals: every operation under /api/v1 is called with no
sign-in, with a wrong token, as the wrong person (another trainer, an administrator who sees no footage)
on a real family's ids and on ids that do not exist, as a privacy officer on ids that do not exist, and
with input that is not an id; each answer's status must be one the document declares for that
operation. An undeclared status (or a 500) fails here."""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.support.api import Api

PARAMETER = re.compile(r"\{(\w+)\}")


def _operations(document: dict[str, Any]) -> list[tuple[str, str, set[int]]]:
    """Every operation, signing out last (it ends the callers' sessions)."""
    found = [
        (method, path, {int(s) for s in operation["responses"] if s.isdigit()})
        for path, operations in document["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in operations.items()
    ]
    return sorted(found, key=lambda o: o[1] == "/api/v1/auth/sign-out")


def _fill(path: str, ids: dict[str, str], other: str) -> str:
    return PARAMETER.sub(lambda m: "0" if m.group(1) == "n" else ids.get(m.group(1), other), path)


def test_every_refusal_an_operation_gives_is_declared(api: Api) -> None:
    document = api.client.get("/openapi.json").json()
    owner, other = api.account("trainer"), api.account("trainer")
    admin, officer = api.account("administrator"), api.account("privacy_officer")
    h = api.as_(owner)
    family = api.client.post("/api/v1/families", headers=h).json()
    trajectory = api.client.post(
        f"/api/v1/families/{family['id']}/trajectories", headers=h, json={"type": "k_vht"}
    ).json()
    real = {"family_id": family["id"], "trajectory_id": trajectory["id"], "user_id": str(owner.id)}
    callers: list[tuple[str, dict[str, str], dict[str, str]]] = [
        ("no sign-in", {}, {}),
        ("another trainer, real ids", api.as_(other), real),
        ("an administrator, real ids", api.as_(admin), real),
        ("another trainer, unknown ids", api.as_(other), {}),
        ("a wrong token", {"Authorization": "Bearer not-a-token"}, real),
        ("a privacy officer, unknown ids", api.as_(officer), {}),
    ]
    undeclared = []
    calls = 0
    seen: set[tuple[str, int]] = set()
    for method, path, declared in _operations(document):
        for who, headers, ids in callers:
            url = _fill(path, ids, str(uuid.uuid4()))
            for target in (
                (url, _fill(path, {}, "geen-id"))
                if who == "another trainer, unknown ids"
                else (url,)
            ):
                answer = api.client.request(method.upper(), target, headers=headers, json={})
                calls += 1
                seen.add((who, answer.status_code))
                if answer.status_code not in declared:
                    undeclared.append(
                        f"{method} {path} ({who}, {target}): {answer.status_code} {answer.text[:120]}"
                    )
    assert calls > 400
    assert {401, 403, 404, 422} <= {status for _, status in seen}  # the refusals were exercised
    assert undeclared == []
