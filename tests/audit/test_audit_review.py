"""Systematic log review: a task per period with signals and a sample, a signed-off conclusion in the log, and
an overdue review as a signal of its own."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.api import Api
from vault import audit
from vault.db import unit_of_work
from vault.domain.models import Organisation

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _signals(api: Api, headers: dict[str, str]) -> list[str]:
    return [
        s["signal"]
        for s in api.client.get("/api/v1/audit/anomalies", headers=headers).json()["items"]
    ]


def test_a_review_is_done_signed_off_in_the_log_and_overdue_when_late(api: Api) -> None:
    officer = api.account("privacy_officer")
    headers = api.as_(officer)
    with unit_of_work() as db:
        org = db.get(Organisation, api.organisation_id)
        assert org is not None
        org.created_at = datetime.now(UTC) - timedelta(
            days=10
        )  # a week has passed without a review
        db.add(org)
        trainer = audit.Principal(None, "Tara Trainer", "trainer", api.organisation_id)
        for i in range(3):
            audit.record(
                db,
                action="view",
                outcome="allowed",
                actor=trainer,
                object_id=f"rec-{i}",
                object_type="recording",
            )
    assert "review_overdue" in _signals(api, headers)
    task = api.client.get("/api/v1/audit/review", headers=headers).json()
    assert task["overdue"] is True
    assert {"from", "until", "signals", "sample"} <= set(task)
    assert sorted(r["object_id"] for r in task["sample"]) == [
        "rec-0",
        "rec-1",
        "rec-2",
    ]  # footage accesses only
    done = api.client.post(
        "/api/v1/audit/review",
        headers=headers,
        json={
            "from": task["from"],
            "until": task["until"],
            "sample": [r["seq"] for r in task["sample"]],
            "conclusion": "Geen bijzonderheden; steekproef van 20 toegangen bekeken.",
        },
    )
    assert done.status_code == 200, done.text
    assert done.json()["overdue"] is False
    with unit_of_work() as db:
        row = db.get(audit.AuditRecord, done.json()["seq"])
        assert row is not None
        assert (row.object_type, row.user_name, row.outcome) == (
            "log_review",
            "Privacy_Officer 1",
            "success",
        )
        assert json.loads(row.detail)["conclusion"].startswith("Geen bijzonderheden")
    assert "review_overdue" not in _signals(api, headers)
    next_task = api.client.get("/api/v1/audit/review", headers=headers).json()
    assert next_task["from"] == task["until"]  # the next period starts where this one ended


def test_a_sign_off_needs_a_conclusion_and_a_valid_period(api: Api) -> None:
    headers = api.as_(api.account("privacy_officer"))
    now = datetime.now(UTC)
    short = {
        "from": (now - timedelta(days=7)).isoformat(),
        "until": now.isoformat(),
        "conclusion": "ok",
    }
    assert api.client.post("/api/v1/audit/review", headers=headers, json=short).status_code == 422
    backwards = {
        **short,
        "from": now.isoformat(),
        "until": (now - timedelta(days=1)).isoformat(),
        "conclusion": "Geen bijzonderheden gevonden.",
    }
    refused = api.client.post("/api/v1/audit/review", headers=headers, json=backwards)
    assert refused.status_code == 400
    assert refused.json()["detail"] == "De periode klopt niet."
    trainer = api.as_(api.account("trainer"))
    assert api.client.get("/api/v1/audit/review", headers=trainer).status_code == 403
