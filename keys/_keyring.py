"""Wrapped keys in the database: family KEKs (by generation) under the master, object DEKs under the family.

The keyring flushes, never commits: the caller's unit of work owns the transaction.
"""

from __future__ import annotations

import os
import struct
import uuid
from datetime import UTC, datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import update
from sqlmodel import Field, Session, SQLModel, col, select

from keys._errors import KeyDestroyed, TamperedError
from keys._providers import MasterKeyProvider
from keys._secret import FamilyKey, ObjectKey


def _now() -> datetime:
    return datetime.now(UTC)


class FamilyKekRow(SQLModel, table=True):
    """A family key-encryption key of one generation, wrapped by the master key provider."""

    __tablename__ = "key_family_kek"

    family_id: uuid.UUID = Field(primary_key=True)
    generation: int = Field(primary_key=True)
    wrapped: bytes
    master_version: int
    retired: bool = False
    created_at: datetime = Field(default_factory=_now)


class ObjectDekRow(SQLModel, table=True):
    """An object's data encryption key, wrapped by its family's KEK; bound to family, object, generation."""

    __tablename__ = "key_object_dek"

    object_id: uuid.UUID = Field(primary_key=True)
    dek_id: uuid.UUID = Field(unique=True)
    family_id: uuid.UUID = Field(index=True)
    generation: int
    wrapped: bytes
    created_at: datetime = Field(default_factory=_now)


def _kek_aad(family_id: uuid.UUID, generation: int) -> bytes:
    return b"beeldkluis/kek/v1" + family_id.bytes + struct.pack(">I", generation)


def _dek_aad(family_id: uuid.UUID, object_id: uuid.UUID, generation: int) -> bytes:
    return b"beeldkluis/dek/v1" + family_id.bytes + object_id.bytes + struct.pack(">I", generation)


def _wrap_dek(kek: FamilyKey, object_id: uuid.UUID, dek: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(kek.secret).encrypt(
        nonce, dek, _dek_aad(kek.family_id, object_id, kek.generation)
    )


def _unwrap_dek(kek: FamilyKey, object_id: uuid.UUID, wrapped: bytes) -> bytes:
    try:
        return AESGCM(kek.secret).decrypt(
            wrapped[:12], wrapped[12:], _dek_aad(kek.family_id, object_id, kek.generation)
        )
    except InvalidTag:
        raise TamperedError("verpakte objectsleutel / wrapped object key") from None


class Keyring:
    """Create, read, rotate and shred keys for one unit of work. Plaintext keys are cached in memory only."""

    def __init__(self, session: Session, provider: MasterKeyProvider) -> None:
        self.session = session
        self.provider = provider
        self._keks: dict[tuple[uuid.UUID, int], FamilyKey] = {}

    def __repr__(self) -> str:
        return f"Keyring(provider={self.provider!r})"

    # Family keys -------------------------------------------------------------------------------

    def _current_kek_row(self, family_id: uuid.UUID) -> FamilyKekRow | None:
        return self.session.exec(
            select(FamilyKekRow)
            .where(FamilyKekRow.family_id == family_id, col(FamilyKekRow.retired).is_(False))
            .order_by(col(FamilyKekRow.generation).desc())
        ).first()

    def _kek(self, row: FamilyKekRow) -> FamilyKey:
        cached = self._keks.get((row.family_id, row.generation))
        if cached is None:
            secret = self.provider.unwrap(row.wrapped, _kek_aad(row.family_id, row.generation))
            cached = FamilyKey(row.family_id, row.generation, secret)
            self._keks[(row.family_id, row.generation)] = cached
        return cached

    def _new_kek(self, family_id: uuid.UUID, generation: int) -> FamilyKey:
        kek = FamilyKey(family_id, generation, AESGCM.generate_key(256))
        self.session.add(
            FamilyKekRow(
                family_id=family_id,
                generation=generation,
                wrapped=self.provider.wrap(kek.secret, _kek_aad(family_id, generation)),
                master_version=self.provider.current_version(),
            )
        )
        self.session.flush()
        self._keks[(family_id, generation)] = kek
        return kek

    def family_key(self, family_id: uuid.UUID) -> FamilyKey:
        """The family's current KEK, created on first use."""
        row = self._current_kek_row(family_id)
        return self._kek(row) if row is not None else self._new_kek(family_id, 1)

    # Object keys -------------------------------------------------------------------------------

    def new_object_key(self, family_id: uuid.UUID, object_id: uuid.UUID) -> ObjectKey:
        kek = self.family_key(family_id)
        key = ObjectKey(uuid.uuid4(), AESGCM.generate_key(256))
        self.session.add(
            ObjectDekRow(
                object_id=object_id,
                dek_id=key.dek_id,
                family_id=family_id,
                generation=kek.generation,
                wrapped=_wrap_dek(kek, object_id, key.secret),
            )
        )
        self.session.flush()
        return key

    def object_key(self, object_id: uuid.UUID) -> ObjectKey:
        """The object's DEK; KeyDestroyed once it has been shredded."""
        row = self.session.get(ObjectDekRow, object_id)
        if row is None:
            raise KeyDestroyed()
        kek_row = self.session.get(FamilyKekRow, (row.family_id, row.generation))
        if kek_row is None:
            raise KeyDestroyed()
        return ObjectKey(row.dek_id, _unwrap_dek(self._kek(kek_row), object_id, row.wrapped))

    # Rotation ----------------------------------------------------------------------------------

    def rotate_master(self, batch: int = 500) -> int:
        """Rewrap every family KEK under the provider's newest master version. Ciphertext is untouched.

        Each row is updated with compare-and-set on its old wrapped value, so a concurrent writer wins
        and is not overwritten. Returns the number of rows rewrapped.
        """
        current = self.provider.current_version()
        done = 0
        while True:
            rows = self.session.exec(
                select(FamilyKekRow).where(FamilyKekRow.master_version < current).limit(batch)
            ).all()
            if not rows:
                return done
            progressed = 0
            for row in rows:
                new = self.provider.rewrap(row.wrapped, _kek_aad(row.family_id, row.generation))
                result = self.session.execute(
                    update(FamilyKekRow)
                    .where(
                        col(FamilyKekRow.family_id) == row.family_id,
                        col(FamilyKekRow.generation) == row.generation,
                        col(FamilyKekRow.wrapped) == row.wrapped,
                    )
                    .values(wrapped=new, master_version=current)
                    .execution_options(synchronize_session=False)
                )
                progressed += result.rowcount  # type: ignore[attr-defined]
            self.session.flush()
            self.session.expire_all()
            done += progressed
            if progressed == 0:
                return done

    def rotate_family(self, family_id: uuid.UUID) -> int:
        """Give the family a new KEK generation and rewrap its DEKs under it. Returns the new generation."""
        old_rows = self.session.exec(
            select(FamilyKekRow).where(FamilyKekRow.family_id == family_id)
        ).all()
        generation = max((r.generation for r in old_rows), default=0) + 1
        new = self._new_kek(family_id, generation)
        old = {r.generation: self._kek(r) for r in old_rows}
        for row in self.session.exec(
            select(ObjectDekRow).where(ObjectDekRow.family_id == family_id)
        ).all():
            if row.generation == generation:
                continue
            dek = _unwrap_dek(old[row.generation], row.object_id, row.wrapped)
            self.session.execute(
                update(ObjectDekRow)
                .where(
                    col(ObjectDekRow.object_id) == row.object_id,
                    col(ObjectDekRow.wrapped) == row.wrapped,
                )
                .values(wrapped=_wrap_dek(new, row.object_id, dek), generation=generation)
                .execution_options(synchronize_session=False)
            )
        for old_row in old_rows:
            self.session.delete(old_row)
            self._keks.pop((family_id, old_row.generation), None)
        self.session.flush()
        self.session.expire_all()
        return generation

    # Shredding ---------------------------------------------------------------------------------

    def shred_object(self, object_id: uuid.UUID) -> None:
        """Destroy an object's DEK: its ciphertext is unreadable everywhere from now on."""
        row = self.session.get(ObjectDekRow, object_id)
        if row is not None:
            self.session.delete(row)
            self.session.flush()

    def shred_family(self, family_id: uuid.UUID) -> None:
        """Destroy every key of a family: all its objects become unreadable."""
        for dek in self.session.exec(
            select(ObjectDekRow).where(ObjectDekRow.family_id == family_id)
        ).all():
            self.session.delete(dek)
        for kek in self.session.exec(
            select(FamilyKekRow).where(FamilyKekRow.family_id == family_id)
        ).all():
            self.session.delete(kek)
            self._keks.pop((family_id, kek.generation), None)
        self.session.flush()

    def family_has_keys(self, family_id: uuid.UUID) -> bool:
        return (
            self.session.exec(
                select(ObjectDekRow.object_id).where(ObjectDekRow.family_id == family_id)
            ).first()
            is not None
        )
