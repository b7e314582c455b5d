"""Key handling in the service, in one place.

The engine (`keys/`) wraps, unwraps, rotates and shreds; this package keeps what it needs:

- `models.py`: the key tables (wrapped family KEKs, wrapped object DEKs, master rotations);
- `repository.py`: `keys.KeyRepository` on those tables, and the keys of the settings (the keyring on
  the master key, and the signing key of checkpoints and deletion certificates);
- `rotation.py`: the master key schedule (rotate, then trim what no backup needs any more);
- `cli.py`: `beeldkluis keys` (rotate-master, rotate-family, trim).

Only the first two are imported here: the schedule and the commands sit floors higher (they write the
audit log) and are imported by their own module names.
"""

from vault.keyring.models import FamilyKekRow, MasterRotation, ObjectDekRow
from vault.keyring.repository import (
    SqlKeys,
    keyring_from_settings,
    master_key_provider,
    signing_key,
    signing_public_key,
)

__all__ = [
    "FamilyKekRow",
    "MasterRotation",
    "ObjectDekRow",
    "SqlKeys",
    "keyring_from_settings",
    "master_key_provider",
    "signing_key",
    "signing_public_key",
]
