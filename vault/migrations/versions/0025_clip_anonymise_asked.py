"""the anonymised copy asked for and not made (yet): being made, or failed (issue #24, ADR 0017 decision 9)

Revision ID: 0025_clip_anonymise_asked
Revises: 0024_annotation_for_family
Create Date: 2026-12-04 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = "0025_clip_anonymise_asked"
down_revision = "0024_annotation_for_family"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clip") as batch:
        batch.add_column(sa.Column("anonymise_asked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("anonymise_failed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clip") as batch:
        batch.drop_column("anonymise_failed_at")
        batch.drop_column("anonymise_asked_at")
