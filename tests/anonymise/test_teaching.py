"""A fragment marked for teaching (ADR 0017, decision 10): the mark is a promise that teaching may show
it, so it is set only where `consent.decide` says so: the family's teaching consent, who is in view said,
and where not everyone in view is covered, an anonymised copy its trainer watched and approved. Never at
creation, never by another trainer; every refusal decided, logged, and told on the page in Dutch."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from tests.support.api import Api
from tests.support.families import consent_body, say_in_view
from tests.support.web import _cookie_sign_in
from vault.anonymise.tasks import make_anonymised
from vault.audit import AuditRecord
from vault.db import unit_of_work


def test_a_fragment_is_marked_for_teaching_only_where_teaching_may_show_it(
    api: Api, footage_clip: dict[str, Any]
) -> None:
    h, clip_id = footage_clip["headers"], str(footage_clip["clip_id"])
    clip, purpose = f"/api/v1/clips/{clip_id}", f"/api/v1/clips/{clip_id}/purpose"
    teaching = {"purpose": "teaching"}

    # Not at creation: who is in view is not known yet.
    made = api.client.post(
        f"/api/v1/recordings/{footage_clip['recording_id']}/clips",
        headers=h,
        json={"start_s": 0.6, "end_s": 3.6, "purpose": "teaching"},
    )
    assert made.status_code == 422
    assert made.json()["field"] == "purpose"
    assert "onderwijs" in made.json()["detail"]

    # No teaching consent; then one, but not said who is in view; then a visitor in view.
    assert api.client.put(purpose, headers=h, json=teaching).json()["reason"] == "no_consent"
    until = (datetime.now(UTC) + timedelta(days=3 * 365)).isoformat()
    given = api.client.post(
        f"/api/v1/families/{footage_clip['family']['id']}/consents",
        headers=h,
        json={**consent_body(footage_clip, "teaching"), "valid_until": until},
    )
    assert given.status_code == 201, given.text
    assert api.client.put(purpose, headers=h, json=teaching).json()["reason"] == "in_view_unknown"
    say_in_view(api, footage_clip, clip_id, people=("child",), others=True)
    refused = api.client.put(purpose, headers=h, json=teaching)
    assert refused.status_code == 403
    assert refused.json()["reason"] == "needs_anonymised"
    assert api.client.get(clip, headers=h).json()["purpose"] == "review"

    # Another trainer may not mark it, whatever the copy.
    other = api.account("trainer")
    assert api.client.put(purpose, headers=api.as_(other), json=teaching).status_code == 403

    # The copy made, watched and approved: now it may be marked, and the mark is logged.
    assert api.client.post(f"{clip}/anonymise", headers=h).status_code == 202
    assert make_anonymised(uuid.UUID(clip_id)) == "made"
    own = api.client.post(f"{clip}/anonymised/stream", headers=h)
    assert api.client.get(own.json()["playlist"]).status_code == 200
    assert api.client.put(f"{clip}/anonymised/approval", headers=h).status_code == 200
    marked = api.client.put(purpose, headers=h, json=teaching)
    assert marked.status_code == 200, marked.text
    assert marked.json()["purpose"] == "teaching"
    with unit_of_work() as db:
        decided = db.exec(
            select(AuditRecord)
            .where(
                AuditRecord.object_id == clip_id, AuditRecord.user_id == footage_clip["trainer"].id
            )
            .order_by(col(AuditRecord.seq))
        ).all()
    asked = [
        (r.outcome, r.reason) for r in decided if r.action == "update" and r.outcome != "success"
    ]
    assert ("denied", "needs_anonymised") in asked
    assert asked[-1] == ("allowed", "allowed")
    assert json.loads([r.detail for r in decided if r.reason == "purpose"][-1]) == teaching

    # Back to the review with the family needs no teaching decision.
    back = api.client.put(purpose, headers=h, json={"purpose": "review"})
    assert back.status_code == 200
    assert back.json()["purpose"] == "review"
    assert api.client.put(purpose, headers=h, json={"purpose": "research"}).status_code == 422


def test_the_check_page_marks_for_teaching_or_says_why_not(
    api: Api, footage_clip: dict[str, Any]
) -> None:
    h, clip_id = footage_clip["headers"], str(footage_clip["clip_id"])
    page, html = f"/fragmenten/{clip_id}/anonimiseren", {"Accept": "text/html"}
    csrf = _cookie_sign_in(api, footage_clip["trainer"], offset_steps=1)
    shown = api.client.get(page, headers=html).text
    assert "Markeren voor onderwijs kan nu niet: geen toestemming van het gezin." in shown

    until = (datetime.now(UTC) + timedelta(days=3 * 365)).isoformat()
    api.client.post(
        f"/api/v1/families/{footage_clip['family']['id']}/consents",
        headers=h,
        json={**consent_body(footage_clip, "teaching"), "valid_until": until},
    )
    say_in_view(api, footage_clip, clip_id, people=("child", "mother"))
    marked = api.client.post(
        f"/fragmenten/{clip_id}/onderwijs", data={"csrf": csrf}, follow_redirects=False
    )
    assert marked.status_code == 303
    shown = api.client.get(marked.headers["location"], headers=html).text
    assert "Gemarkeerd voor onderwijs." in shown
    assert "Markering opheffen" in shown

    # A visitor turns out to be in view: the mark stays, but the page says it cannot be shown now.
    say_in_view(api, footage_clip, clip_id, people=("child", "mother"), others=True)
    shown = api.client.get(page, headers=html).text
    assert "Tonen kan nu niet: alleen de geanonimiseerde versie." in shown
    undone = api.client.post(
        f"/fragmenten/{clip_id}/onderwijs/opheffen", data={"csrf": csrf}, follow_redirects=False
    )
    assert (
        "De markering voor onderwijs is opgeheven"
        in api.client.get(undone.headers["location"], headers=html).text
    )
    refused = api.client.post(f"/fragmenten/{clip_id}/onderwijs", data={"csrf": csrf})
    assert refused.status_code == 403
    assert "Markeren voor onderwijs kan nu niet: alleen de geanonimiseerde versie." in refused.text
