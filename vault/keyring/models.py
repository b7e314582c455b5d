"""The key tables: wrapped family KEKs, wrapped object DEKs, and the master key's rotations."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlmodel import Field, SQLModel


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


class MasterRotation(SQLModel, table=True):
    """When each master key version became current, and when the versions below it were trimmed."""

    __tablename__ = "master_rotation"

    version: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    rotated_at: datetime
    trimmed_at: datetime | None = None
