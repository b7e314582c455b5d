"""The parents' access report: Dutch, Dutch time, one line per viewing session, grouped by purpose, no codes."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from vault import migrate
from vault.audit import Principal, record
from vault.audit._readable import access_report, access_report_html
from vault.consents.models import ConsentRecordRow
from vault.db import engine_for
from vault.domain.models import Organisation, User
from vault.families.models import Family, Trajectory
from vault.recordings.models import Clip, Recording

START = datetime(2026, 12, 2, 13, 5, tzinfo=UTC)  # 14:05 in Amsterdam


@pytest.fixture
def world(database_url: str) -> dict[str, object]:
    migrate.upgrade(database_url)
    with Session(engine_for(database_url)) as db:
        org = Organisation(name="Stichting X")
        db.add(org)
        db.flush()
        olga = User(
            organisation_id=org.id,
            email=f"{uuid.uuid4().hex[:6]}@x.nl",
            name="Olga Opleider",
            role="opleider",
            password_hash="x",
            totp_secret="x",
        )
        db.add(olga)
        db.flush()
        family = Family(organisation_id=org.id, created_by=olga.id)
        db.add(family)
        db.flush()
        trajectory = Trajectory(family_id=family.id, type="k_vht", trainer_id=olga.id)
        db.add(trajectory)
        db.flush()
        rec = Recording(trajectory_id=trajectory.id, recorded_at=START - timedelta(days=3))
        db.add(rec)
        db.flush()
        clip = Clip(
            recording_id=rec.id, start_s=0, end_s=60, title="Samen spelen", created_by=olga.id
        )
        consent = ConsentRecordRow(
            family_id=family.id,
            trajectory_id=trajectory.id,
            purpose="supervision",
            valid_from=datetime(2026, 12, 1, 9, tzinfo=UTC),
            recorded_by=olga.id,
        )
        db.add_all([clip, consent])
        db.flush()
        actor = Principal(olga.id, olga.name, "opleider", org.id, "sess-secret-123", "10.9.8.7")
        for i in range(150):  # 10 minutes of 4-second segments
            record(
                db,
                action="stream_segment",
                outcome="allowed",
                actor=actor,
                family_id=family.id,
                object_id=clip.id,
                object_type="clip",
                basis=[f"consent:{consent.id}"],
                occurred_at=START + timedelta(seconds=4 * i),
            )
        record(
            db,
            action="download",
            outcome="denied",
            reason="not_assigned",
            actor=actor,
            family_id=family.id,
            object_id=rec.id,
            object_type="recording",
            occurred_at=START + timedelta(hours=2),
        )
        db.commit()
        return {"url": database_url, "family": family.id}


def test_one_line_per_viewing_session_in_dutch(world: dict[str, object]) -> None:
    with Session(engine_for(str(world["url"]))) as db:
        grouped = access_report(db, world["family"])  # type: ignore[arg-type]  # the test's world: a dict of its rows and ids
    assert grouped["supervisie"] == [
        "2 december 2026, 14:05–14:14: Olga Opleider (opleider, Stichting X) bekeek fragment 'Samen spelen', "
        "op grond van uw toestemming van 1 december 2026"
    ]
    assert grouped["de begeleiding"] == [
        "2 december 2026, 16:05: Olga Opleider (opleider, Stichting X) probeerde de opname van 29 november 2026 "
        "te downloaden — geweigerd"
    ]
    page = access_report_html("gezin AB12", grouped, START)
    for secret in ("10.9.8.7", "sess-secret-123", "stream_segment", "consent:", "not_assigned"):
        assert secret not in page
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", page)  # no ids
