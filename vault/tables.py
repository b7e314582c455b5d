"""Imports every module that defines tables, so SQLModel.metadata (and Alembic) sees the whole schema."""

import vault.accounts._limits  # noqa: F401 - attempts counted per address
import vault.annotations.models  # noqa: F401 - codebooks, the trainers' annotations
import vault.audit  # noqa: F401 - audit_record
import vault.consents.models  # noqa: F401 - consent records, signatures, events, grants, WOK sessions, notes
import vault.domain.models  # noqa: F401 - organisations, accounts
import vault.export.models  # noqa: F401 - the parents' packages
import vault.families.models  # noqa: F401 - families, people, gezag, trajectories
import vault.ingest.models  # noqa: F401 - resumable uploads
import vault.keyring.models  # noqa: F401 - wrapped family KEKs and object DEKs, master key rotations
import vault.media.live  # noqa: F401 - live stream jobs and their segments
import vault.purge.models  # noqa: F401 - legal holds, purge marks, tombstones
import vault.recordings.models  # noqa: F401 - recordings, clips
import vault.store  # noqa: F401 - stored_object
