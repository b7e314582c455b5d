"""factory_boy factories for the vault's rows, flushed into the session a test binds them to.

    with unit_of_work() as db, bound(db):
        family = FamilyFactory(organisation_id=org_id)  # and its creator, a trainer of that organisation

A factory fills in what a test does not care about (a name, an e-mail address, the rows a row points
to) and leaves every field a test names to the test. The rows go through the same session, and so the
same transaction, as the test's own writes; nothing is committed here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlmodel import Session

from vault.consents.models import ConsentRecordRow, GrantRow, WokSessionRow
from vault.domain.models import Organisation, SupervisionLink, User
from vault.families.models import Family, Trajectory
from vault.recordings.models import Clip, Recording

_session: ContextVar[Session | None] = ContextVar("factory_session", default=None)


@contextmanager
def bound(session: Session) -> Iterator[Session]:
    """Bind every factory to `session` for the block (its rows are flushed, never committed)."""
    token = _session.set(session)
    try:
        yield session
    finally:
        _session.reset(token)


def _current() -> Session:
    session = _session.get()
    if session is None:
        raise RuntimeError("no session: build rows inside `with bound(db):` (tests/factories.py)")
    return session


def _now() -> datetime:
    return datetime.now(UTC)


def _get(model: type[Any], row_id: uuid.UUID) -> Any:
    row = _current().get(model, row_id)
    assert row is not None, f"no {model.__name__} {row_id}"
    return row


class _Factory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = _current
        sqlalchemy_session_persistence = "flush"

    def __new__(
        cls, *args: Any, **kwargs: Any
    ) -> Any:  # for mypy: a call gives the row (factory_boy's metaclass)
        raise TypeError("a factory is called, never instantiated")


class OrganisationFactory(_Factory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")


class UserFactory(_Factory):
    """An account without password or TOTP: it cannot sign in (`Api.account` makes one that can)."""

    class Meta:
        model = User

    organisation_id = factory.LazyFunction(lambda: OrganisationFactory().id)
    email = factory.LazyFunction(lambda: f"{uuid.uuid4().hex[:10]}@org.example")
    name = factory.Sequence(lambda n: f"Medewerker {n}")
    role = "trainer"


class FamilyFactory(_Factory):
    """A family, created by a trainer of its organisation."""

    class Meta:
        model = Family

    organisation_id = factory.LazyFunction(lambda: OrganisationFactory().id)
    created_by = factory.LazyAttribute(lambda o: UserFactory(organisation_id=o.organisation_id).id)


class TrajectoryFactory(_Factory):
    """A K-VHT trajectory of a family, with the family's creator as its trainer."""

    class Meta:
        model = Trajectory

    family_id = factory.LazyFunction(lambda: FamilyFactory().id)
    type = "k_vht"
    trainer_id = factory.LazyAttribute(lambda o: _get(Family, o.family_id).created_by)


class RecordingFactory(_Factory):
    class Meta:
        model = Recording

    trajectory_id = factory.LazyFunction(lambda: TrajectoryFactory().id)
    recorded_at = factory.LazyFunction(_now)


class ClipFactory(_Factory):
    """A minute of a recording, made by the trajectory's trainer."""

    class Meta:
        model = Clip

    recording_id = factory.LazyFunction(lambda: RecordingFactory().id)
    start_s = 0.0
    end_s = 60.0
    created_by = factory.LazyAttribute(
        lambda o: _get(Trajectory, _get(Recording, o.recording_id).trajectory_id).trainer_id
    )


class ConsentRecordFactory(_Factory):
    """A consent record of a trajectory (without signatures: add them where the test needs them)."""

    class Meta:
        model = ConsentRecordRow

    trajectory_id = factory.LazyFunction(lambda: TrajectoryFactory().id)
    family_id = factory.LazyAttribute(lambda o: _get(Trajectory, o.trajectory_id).family_id)
    purpose = "supervision"
    valid_from = factory.LazyFunction(_now)
    recorded_by = factory.LazyAttribute(lambda o: _get(Trajectory, o.trajectory_id).trainer_id)


class SupervisionLinkFactory(_Factory):
    """A trainee's link to an opleider, confirmed by the trainee (in effect)."""

    class Meta:
        model = SupervisionLink

    trainee_id = factory.LazyFunction(lambda: UserFactory().id)
    opleider_id = factory.LazyFunction(lambda: UserFactory(role="opleider").id)
    confirmed_at = factory.LazyFunction(_now)


class GrantFactory(_Factory):
    """A gecommitteerde's grant for a trainee, confirmed, running from now for 30 days."""

    class Meta:
        model = GrantRow

    user_id = factory.LazyFunction(lambda: UserFactory(role="gecommitteerde").id)
    trainee_id = factory.LazyFunction(lambda: UserFactory().id)
    valid_from = factory.LazyFunction(_now)
    valid_until = factory.LazyAttribute(lambda o: o.valid_from + timedelta(days=30))
    confirmed_at = factory.LazyFunction(_now)


class WokSessionFactory(_Factory):
    """A WOK meeting of an opleider, from now for an hour, without participants or clips."""

    class Meta:
        model = WokSessionRow

    starts_at = factory.LazyFunction(_now)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    organiser_id = factory.LazyFunction(lambda: UserFactory(role="opleider").id)
