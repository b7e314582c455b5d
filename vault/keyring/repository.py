"""The wrapped keys in the database (`keys.KeyRepository` on SQLModel), and the keyring of the settings.

Every write is flushed at once and never committed: the caller's unit of work owns the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import update
from sqlmodel import Session, col, select

from keys import (
    Keyring,
    LocalMasterKey,
    LocalSigningKey,
    MasterKeyProvider,
    SigningKey,
    TransitMasterKey,
    WrappedFamilyKey,
    WrappedObjectKey,
)
from vault.keyring.models import FamilyKekRow, ObjectDekRow
from vault.settings import KeyProviderKind, Settings


def _family(row: FamilyKekRow) -> WrappedFamilyKey:
    return WrappedFamilyKey(row.family_id, row.generation, row.wrapped, row.master_version)


def _object(row: ObjectDekRow) -> WrappedObjectKey:
    return WrappedObjectKey(row.object_id, row.dek_id, row.family_id, row.generation, row.wrapped)


class SqlKeys:
    """`keys.KeyRepository` in the tables `key_family_kek` and `key_object_dek`."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __repr__(self) -> str:
        return "SqlKeys()"

    # Family keys -------------------------------------------------------------------------------

    def current_family_key(self, family_id: uuid.UUID) -> WrappedFamilyKey | None:
        row = self.session.exec(
            select(FamilyKekRow)
            .where(FamilyKekRow.family_id == family_id, col(FamilyKekRow.retired).is_(False))
            .order_by(col(FamilyKekRow.generation).desc())
        ).first()
        return None if row is None else _family(row)

    def family_key(self, family_id: uuid.UUID, generation: int) -> WrappedFamilyKey | None:
        row = self.session.get(FamilyKekRow, (family_id, generation))
        return None if row is None else _family(row)

    def family_keys(self, family_id: uuid.UUID) -> Sequence[WrappedFamilyKey]:
        rows = self.session.exec(select(FamilyKekRow).where(FamilyKekRow.family_id == family_id))
        return [_family(row) for row in rows]

    def family_keys_before(self, master_version: int, limit: int) -> Sequence[WrappedFamilyKey]:
        rows = self.session.exec(
            select(FamilyKekRow).where(FamilyKekRow.master_version < master_version).limit(limit)
        )
        return [_family(row) for row in rows]

    def add_family_key(self, key: WrappedFamilyKey) -> None:
        self.session.add(
            FamilyKekRow(
                family_id=key.family_id,
                generation=key.generation,
                wrapped=key.wrapped,
                master_version=key.master_version,
            )
        )
        self.session.flush()

    def replace_family_key(
        self, old: WrappedFamilyKey, wrapped: bytes, master_version: int
    ) -> bool:
        result = self.session.execute(
            update(FamilyKekRow)
            .where(
                col(FamilyKekRow.family_id) == old.family_id,
                col(FamilyKekRow.generation) == old.generation,
                col(FamilyKekRow.wrapped) == old.wrapped,
            )
            .values(wrapped=wrapped, master_version=master_version)
            .execution_options(synchronize_session=False)
        )
        self._expire(FamilyKekRow, (old.family_id, old.generation))
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # Result of an UPDATE is a CursorResult

    def delete_family_key(self, key: WrappedFamilyKey) -> None:
        row = self.session.get(FamilyKekRow, (key.family_id, key.generation))
        if row is not None:
            self.session.delete(row)
            self.session.flush()

    # Object keys -------------------------------------------------------------------------------

    def object_key(self, object_id: uuid.UUID) -> WrappedObjectKey | None:
        row = self.session.get(ObjectDekRow, object_id)
        return None if row is None else _object(row)

    def object_keys(self, family_id: uuid.UUID) -> Sequence[WrappedObjectKey]:
        rows = self.session.exec(select(ObjectDekRow).where(ObjectDekRow.family_id == family_id))
        return [_object(row) for row in rows]

    def add_object_key(self, key: WrappedObjectKey) -> None:
        self.session.add(
            ObjectDekRow(
                object_id=key.object_id,
                dek_id=key.dek_id,
                family_id=key.family_id,
                generation=key.generation,
                wrapped=key.wrapped,
            )
        )
        self.session.flush()

    def replace_object_key(self, old: WrappedObjectKey, wrapped: bytes, generation: int) -> bool:
        result = self.session.execute(
            update(ObjectDekRow)
            .where(
                col(ObjectDekRow.object_id) == old.object_id,
                col(ObjectDekRow.wrapped) == old.wrapped,
            )
            .values(wrapped=wrapped, generation=generation)
            .execution_options(synchronize_session=False)
        )
        self._expire(ObjectDekRow, old.object_id)
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # Result of an UPDATE is a CursorResult

    def delete_object_key(self, object_id: uuid.UUID) -> None:
        row = self.session.get(ObjectDekRow, object_id)
        if row is not None:
            self.session.delete(row)
            self.session.flush()

    def family_has_object_keys(self, family_id: uuid.UUID) -> bool:
        found = self.session.exec(
            select(ObjectDekRow.object_id).where(ObjectDekRow.family_id == family_id)
        ).first()
        return found is not None

    def _expire(self, table: type[FamilyKekRow] | type[ObjectDekRow], key: object) -> None:
        """A compare-and-set went around the session: the next read of that row goes to the database,
        whether the swap won or a concurrent writer did."""
        loaded = self.session.identity_map.get(self.session.identity_key(table, key))
        if loaded is not None:
            self.session.expire(loaded)


def master_key_provider(settings: Settings) -> MasterKeyProvider:
    """The configured master key: Vault/OpenBao transit, or the local key file (created on first use)."""
    if settings.key_provider is KeyProviderKind.transit:
        return TransitMasterKey(
            settings.transit_url, settings.transit_token.get_secret_value(), settings.transit_key
        )
    return LocalMasterKey.open_or_create(settings.effective_master_key_file)


def signing_key(settings: Settings) -> SigningKey:
    """The service's signing key (audit checkpoints, deletion certificates), created on first use."""
    return LocalSigningKey.open_or_create(settings.signing_key_file)


def signing_public_key(settings: Settings) -> bytes | None:
    """The public half of an existing signing key; None when there is none (a verifier never creates one)."""
    if not settings.signing_key_file.exists():
        return None
    return LocalSigningKey.open(settings.signing_key_file).public_bytes()


def keyring_from_settings(session: Session, settings: Settings) -> Keyring:
    """The keyring for one unit of work, on the configured master key."""
    return Keyring(SqlKeys(session), master_key_provider(settings))
