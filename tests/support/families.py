"""A family built through the API as a trainer builds one, and the body of a consent its mother signed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.api import Account, Api


def family_with_recording(api: Api, trainer: Account) -> dict[str, Any]:
    h = api.as_(trainer)
    family = api.client.post("/api/v1/families", headers=h).json()
    child = api.client.post(
        f"/api/v1/families/{family['id']}/people",
        headers=h,
        json={"kind": "child", "birth_date": "2024-01-02"},
    ).json()
    mother = api.client.post(
        f"/api/v1/families/{family['id']}/people", headers=h, json={"kind": "parent"}
    ).json()
    gezag = api.client.post(
        f"/api/v1/families/{family['id']}/authorities",
        headers=h,
        json={"child_id": child["id"], "parent_id": mother["id"]},
    )
    assert gezag.status_code == 201, gezag.text
    trajectory = api.client.post(
        f"/api/v1/families/{family['id']}/trajectories", headers=h, json={"type": "k_vht"}
    ).json()
    phase = api.client.patch(
        f"/api/v1/trajectories/{trajectory['id']}", headers=h, json={"phase": "active"}
    )
    assert phase.json()["phase"] == "active"
    recording = api.client.post(
        f"/api/v1/trajectories/{trajectory['id']}/recordings",
        headers=h,
        json={"recorded_at": "2026-11-20T10:00:00Z", "situation": "bath", "duration_s": 240},
    ).json()
    clip = api.client.post(
        f"/api/v1/recordings/{recording['id']}/clips",
        headers=h,
        json={"start_s": 10, "end_s": 40, "title": "Aansluiten"},
    )
    assert clip.status_code == 201, clip.text
    return {
        "family": family,
        "trajectory": trajectory,
        "recording": recording,
        "clip": clip.json(),
        "headers": h,
        "child": child,
        "mother": mother,
    }


def consent_body(world: dict[str, Any], purpose: str, *, both: bool = True) -> dict[str, Any]:
    signed = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    # The world has one parent with gezag: her signature makes the consent complete.
    signatures = [
        {
            "person_id": world["mother"]["id"],
            "capacity": "parent_with_authority",
            "signed_at": signed,
        }
    ]
    return {
        "purpose": purpose,
        "trajectory_id": world["trajectory"]["id"],
        "valid_from": signed,
        "signatures": signatures if both else [],
    }


def say_in_view(
    api: Api,
    world: dict[str, Any],
    clip_id: str,
    *,
    people: tuple[str, ...] = ("child", "mother"),
    others: bool = False,
) -> dict[str, Any]:
    """The trainer says who is in view in a clip of the world (by the world's keys): before it is shown
    in a WOK (ADR 0017, decision 7). The child and its mother, who signs the world's consents: covered."""
    said = api.client.put(
        f"/api/v1/clips/{clip_id}/in-view",
        headers=world["headers"],
        json={"people": [world[p]["id"] for p in people], "others": others},
    )
    assert said.status_code == 200, said.text
    return said.json()  # type: ignore[no-any-return]  # httpx gives JSON as Any
