"""Wrapped keys: family KEKs (by generation) under the master, object DEKs under the family.

The engine wraps and unwraps; where the wrapped keys are kept is the caller's, behind `KeyRepository`
(the service keeps them in its database: `vault/keyring/`). The repository writes in the caller's
transaction and never commits.
"""

from __future__ import annotations

import os
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keys._errors import KeyDestroyed, TamperedError
from keys._providers import MasterKeyProvider
from keys._secret import FamilyKey, ObjectKey


@dataclass(frozen=True)
class WrappedFamilyKey:
    """A family key-encryption key of one generation, wrapped by the master key provider."""

    family_id: uuid.UUID
    generation: int
    wrapped: bytes = field(repr=False)
    master_version: int


@dataclass(frozen=True)
class WrappedObjectKey:
    """An object's data encryption key, wrapped by its family's KEK; bound to family, object, generation."""

    object_id: uuid.UUID
    dek_id: uuid.UUID
    family_id: uuid.UUID
    generation: int
    wrapped: bytes = field(repr=False)


class KeyRepository(Protocol):
    """Where the wrapped keys are kept. Writes are visible to the next read; nothing is committed.

    The `replace_…` methods are compare-and-set: they change a key only while it still holds `old`'s
    wrapped value, and say whether they did, so a concurrent writer wins and is not overwritten.
    """

    def current_family_key(self, family_id: uuid.UUID) -> WrappedFamilyKey | None:
        """The family's newest live generation, if it has one."""

    def family_key(self, family_id: uuid.UUID, generation: int) -> WrappedFamilyKey | None: ...

    def family_keys(self, family_id: uuid.UUID) -> Sequence[WrappedFamilyKey]: ...

    def family_keys_before(self, master_version: int, limit: int) -> Sequence[WrappedFamilyKey]:
        """Up to `limit` family keys wrapped under a master version older than `master_version`."""

    def add_family_key(self, key: WrappedFamilyKey) -> None: ...

    def replace_family_key(
        self, old: WrappedFamilyKey, wrapped: bytes, master_version: int
    ) -> bool: ...

    def delete_family_key(self, key: WrappedFamilyKey) -> None: ...

    def object_key(self, object_id: uuid.UUID) -> WrappedObjectKey | None: ...

    def object_keys(self, family_id: uuid.UUID) -> Sequence[WrappedObjectKey]: ...

    def add_object_key(self, key: WrappedObjectKey) -> None: ...

    def replace_object_key(
        self, old: WrappedObjectKey, wrapped: bytes, generation: int
    ) -> bool: ...

    def delete_object_key(self, object_id: uuid.UUID) -> None: ...

    def family_has_object_keys(self, family_id: uuid.UUID) -> bool: ...


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

    def __init__(self, repository: KeyRepository, provider: MasterKeyProvider) -> None:
        self.repository = repository
        self.provider = provider
        self._keks: dict[tuple[uuid.UUID, int], FamilyKey] = {}

    def __repr__(self) -> str:
        return f"Keyring(provider={self.provider!r})"

    # Family keys -------------------------------------------------------------------------------

    def _kek(self, row: WrappedFamilyKey) -> FamilyKey:
        cached = self._keks.get((row.family_id, row.generation))
        if cached is None:
            secret = self.provider.unwrap(row.wrapped, _kek_aad(row.family_id, row.generation))
            cached = FamilyKey(row.family_id, row.generation, secret)
            self._keks[(row.family_id, row.generation)] = cached
        return cached

    def _new_kek(self, family_id: uuid.UUID, generation: int) -> FamilyKey:
        kek = FamilyKey(family_id, generation, AESGCM.generate_key(256))
        self.repository.add_family_key(
            WrappedFamilyKey(
                family_id=family_id,
                generation=generation,
                wrapped=self.provider.wrap(kek.secret, _kek_aad(family_id, generation)),
                master_version=self.provider.current_version(),
            )
        )
        self._keks[(family_id, generation)] = kek
        return kek

    def family_key(self, family_id: uuid.UUID) -> FamilyKey:
        """The family's current KEK, created on first use."""
        row = self.repository.current_family_key(family_id)
        return self._kek(row) if row is not None else self._new_kek(family_id, 1)

    # Object keys -------------------------------------------------------------------------------

    def new_object_key(self, family_id: uuid.UUID, object_id: uuid.UUID) -> ObjectKey:
        kek = self.family_key(family_id)
        key = ObjectKey(uuid.uuid4(), AESGCM.generate_key(256))
        self.repository.add_object_key(
            WrappedObjectKey(
                object_id=object_id,
                dek_id=key.dek_id,
                family_id=family_id,
                generation=kek.generation,
                wrapped=_wrap_dek(kek, object_id, key.secret),
            )
        )
        return key

    def object_key(self, object_id: uuid.UUID) -> ObjectKey:
        """The object's DEK; KeyDestroyed once it has been shredded."""
        row = self.repository.object_key(object_id)
        if row is None:
            raise KeyDestroyed()
        kek_row = self.repository.family_key(row.family_id, row.generation)
        if kek_row is None:
            raise KeyDestroyed()
        return ObjectKey(row.dek_id, _unwrap_dek(self._kek(kek_row), object_id, row.wrapped))

    # Rotation ----------------------------------------------------------------------------------

    def rotate_master(self, batch: int = 500) -> int:
        """Rewrap every family KEK under the provider's newest master version. Ciphertext is untouched.

        Each key is replaced with compare-and-set on its old wrapped value, so a concurrent writer wins
        and is not overwritten. Returns the number of keys rewrapped.
        """
        current = self.provider.current_version()
        done = 0
        while True:
            rows = self.repository.family_keys_before(current, batch)
            if not rows:
                return done
            progressed = 0
            for row in rows:
                new = self.provider.rewrap(row.wrapped, _kek_aad(row.family_id, row.generation))
                progressed += self.repository.replace_family_key(row, new, current)
            done += progressed
            if progressed == 0:
                return done

    def rotate_family(self, family_id: uuid.UUID) -> int:
        """Give the family a new KEK generation and rewrap its DEKs under it. Returns the new generation."""
        old_rows = self.repository.family_keys(family_id)
        generation = max((r.generation for r in old_rows), default=0) + 1
        new = self._new_kek(family_id, generation)
        old = {r.generation: self._kek(r) for r in old_rows}
        for row in self.repository.object_keys(family_id):
            if row.generation == generation:
                continue
            dek = _unwrap_dek(old[row.generation], row.object_id, row.wrapped)
            self.repository.replace_object_key(row, _wrap_dek(new, row.object_id, dek), generation)
        for old_row in old_rows:
            self.repository.delete_family_key(old_row)
            self._keks.pop((family_id, old_row.generation), None)
        return generation

    # Shredding ---------------------------------------------------------------------------------

    def shred_object(self, object_id: uuid.UUID) -> None:
        """Destroy an object's DEK: its ciphertext is unreadable everywhere from now on."""
        self.repository.delete_object_key(object_id)

    def shred_family(self, family_id: uuid.UUID) -> None:
        """Destroy every key of a family: all its objects become unreadable."""
        for dek in self.repository.object_keys(family_id):
            self.repository.delete_object_key(dek.object_id)
        for kek in self.repository.family_keys(family_id):
            self.repository.delete_family_key(kek)
            self._keks.pop((family_id, kek.generation), None)

    def family_has_keys(self, family_id: uuid.UUID) -> bool:
        return self.repository.family_has_object_keys(family_id)
