"""Executing retention: holds, the two-phase purge, tombstones and signed deletion certificates."""

from vault.purge._service import (
    CERTIFICATES,
    family_facts,
    family_plan,
    marked_objects,
    purge_family,
    verify_certificate,
)
from vault.purge.models import LegalHoldRow, PurgeMark, Tombstone

__all__ = [
    "CERTIFICATES",
    "LegalHoldRow",
    "PurgeMark",
    "Tombstone",
    "family_facts",
    "family_plan",
    "marked_objects",
    "purge_family",
    "verify_certificate",
]
