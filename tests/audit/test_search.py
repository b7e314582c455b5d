"""Searching the log (the privacy officer's log page): filters, newest first, pages, one organisation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from tests.factories import FamilyFactory, OrganisationFactory, UserFactory, bound
from vault import migrate
from vault.audit import Principal, anomalies, denied_report, record, search
from vault.db import engine_for

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(database_url: str) -> dict[str, object]:
    """Two organisations, a trainer in each, a family of the first, and a known log."""
    migrate.upgrade(database_url)
    with Session(engine_for(database_url)) as session, bound(session):
        ours, theirs = OrganisationFactory(name="Ons"), OrganisationFactory(name="Ander")
        ann = UserFactory(organisation_id=ours.id, name="Ann")
        bob = UserFactory(organisation_id=theirs.id, name="Bob")
        family = FamilyFactory(organisation_id=ours.id, created_by=ann.id)
        a = Principal(ann.id, ann.name, ann.role, ours.id)
        b = Principal(bob.id, bob.name, bob.role, theirs.id)
        for day in range(5):  # seq 0..4: Ann views her family, one a day
            record(
                session,
                action="view",
                outcome="allowed",
                actor=a,
                family_id=family.id,
                occurred_at=START + timedelta(days=day),
            )
        # seq 5: Bob (other organisation) is refused our family: ours to see
        record(
            session,
            action="view",
            outcome="denied",
            reason="not_assigned",
            actor=b,
            family_id=family.id,
            occurred_at=START + timedelta(days=5),
        )
        # seq 6: Bob signs in at home: not ours
        record(session, action="sign_in", outcome="success", actor=b, occurred_at=START)
        # seq 7: the system purges something of our family
        record(session, action="purge", outcome="success", family_id=family.id, occurred_at=START)
        # seq 8 and 9: the system creates Ann's account (ours) and Bob's (theirs)
        for user in (ann, bob):
            record(
                session,
                action="create",
                outcome="success",
                object_type="user",
                object_id=user.id,
                occurred_at=START,
            )
        session.commit()
        return {
            "url": database_url,
            "ours": ours.id,
            "theirs": theirs.id,
            "ann": ann.id,
            "bob": bob.id,
            "family": family.id,
        }


def seqs(w: dict[str, object], **filters: object) -> tuple[list[int], int]:
    with Session(engine_for(str(w["url"]))) as session:
        rows, total = search(session, **filters)  # type: ignore[arg-type]  # filters of several types
        return [r.seq for r in rows], total


def test_newest_first_within_one_organisation(world: dict[str, object]) -> None:
    assert seqs(world, organisation_id=world["ours"]) == ([8, 7, 5, 4, 3, 2, 1, 0], 8)
    assert seqs(world, organisation_id=world["theirs"]) == ([9, 6, 5], 3)
    assert seqs(world) == ([9, 8, 7, 6, 5, 4, 3, 2, 1, 0], 10)


def test_filters_combine(world: dict[str, object]) -> None:
    ours = world["ours"]
    assert seqs(world, organisation_id=ours, outcome="denied") == ([5], 1)
    assert seqs(world, organisation_id=ours, user_id=world["bob"]) == ([5], 1)
    assert seqs(world, organisation_id=ours, action="purge") == ([7], 1)
    assert seqs(world, organisation_id=ours, family_id=world["family"], action="view") == (
        [5, 4, 3, 2, 1, 0],
        6,
    )
    assert seqs(world, organisation_id=ours, seq=3) == ([3], 1)
    assert seqs(world, organisation_id=ours, family_id=uuid.uuid4()) == ([], 0)


def test_period_is_from_inclusive_until_exclusive(world: dict[str, object]) -> None:
    window = {"since": START + timedelta(days=1), "until": START + timedelta(days=3)}
    assert seqs(world, organisation_id=world["ours"], action="view", **window) == ([2, 1], 2)


def test_pages(world: dict[str, object]) -> None:
    ours = world["ours"]
    assert seqs(world, organisation_id=ours, limit=3, offset=0) == ([8, 7, 5], 8)
    assert seqs(world, organisation_id=ours, limit=3, offset=7) == ([0], 8)


def test_denied_and_signals_keep_to_the_organisation(world: dict[str, object]) -> None:
    with Session(engine_for(str(world["url"]))) as session:
        assert [r.seq for r in denied_report(session, world["ours"])] == [5]
        assert [r.seq for r in denied_report(session, world["theirs"])] == [5]
        assert denied_report(session, uuid.uuid4()) == []
        ann = Principal(world["ann"], "Ann", "trainer", world["ours"])  # type: ignore[arg-type]  # the test's world: a dict of its rows and ids
        record(session, action="download", outcome="allowed", actor=ann, family_id=world["family"])  # type: ignore[arg-type]  # the test's world: a dict of its rows and ids
        session.commit()
        assert [s["signal"] for s in anomalies(session, organisation_id=world["ours"])] == [
            "download"
        ]
        assert anomalies(session, organisation_id=world["theirs"]) == []
        assert len(anomalies(session)) == 1
