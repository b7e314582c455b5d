"""a fragment may have an anonymised copy: faces blurred, a sealed object derived from the original
(issue #24, ADR 0017)

Revision ID: 0021_clip_anonymised
Revises: 0020_annotation_comments
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0021_clip_anonymised"
down_revision = "0020_annotation_comments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clip") as batch:
        batch.add_column(sa.Column("anonymised_object_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clip") as batch:
        batch.drop_column("anonymised_object_id")
