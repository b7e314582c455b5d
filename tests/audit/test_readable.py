"""The parents' access report: Dutch, Dutch time, one line per viewing session, grouped by purpose, no codes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from tests.factories import (
    ClipFactory,
    ConsentRecordFactory,
    FamilyFactory,
    OrganisationFactory,
    RecordingFactory,
    TrajectoryFactory,
    UserFactory,
    bound,
)
from vault import migrate
from vault.audit import Principal, record
from vault.audit._readable import access_report, access_report_html
from vault.db import engine_for

START = datetime(2026, 12, 2, 13, 5, tzinfo=UTC)  # 14:05 in Amsterdam


@pytest.fixture
def world(database_url: str) -> dict[str, object]:
    migrate.upgrade(database_url)
    with Session(engine_for(database_url)) as db, bound(db):
        org = OrganisationFactory(name="Stichting X")
        olga = UserFactory(organisation_id=org.id, name="Olga Opleider", role="opleider")
        family = FamilyFactory(organisation_id=org.id, created_by=olga.id)
        trajectory = TrajectoryFactory(family_id=family.id, trainer_id=olga.id)
        rec = RecordingFactory(trajectory_id=trajectory.id, recorded_at=START - timedelta(days=3))
        clip = ClipFactory(recording_id=rec.id, start_s=0, end_s=60, title="Samen spelen")
        consent = ConsentRecordFactory(
            trajectory_id=trajectory.id, valid_from=datetime(2026, 12, 1, 9, tzinfo=UTC)
        )
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
