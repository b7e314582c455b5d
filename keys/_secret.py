"""Key material wrappers whose repr never shows the secret."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ObjectKey:
    """A data encryption key (DEK) for one stored object."""

    dek_id: uuid.UUID
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) != 32:
            raise ValueError("an object key is 32 bytes")


@dataclass(frozen=True)
class FamilyKey:
    """A family key-encryption key (KEK) of one generation."""

    family_id: uuid.UUID
    generation: int
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) != 32:
            raise ValueError("a family key is 32 bytes")
