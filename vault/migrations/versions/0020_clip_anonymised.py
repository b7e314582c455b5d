"""a fragment may have an anonymised copy: faces blurred, a sealed object derived from the original
(issue #24, ADR 0020)

Revision ID: 0020_clip_anonymised
Revises: 0019_clip_kijkrichting
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0020_clip_anonymised"
down_revision = "0019_clip_kijkrichting"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clip") as batch:
        batch.add_column(sa.Column("anonymised_object_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clip") as batch:
        batch.drop_column("anonymised_object_id")
