"""a fragment may have spans to be silent in its anonymised copy: names are spoken (issue #24, ADR 0017)

Revision ID: 0022_clip_mute
Revises: 0021_clip_anonymised
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0022_clip_mute"
down_revision = "0021_clip_anonymised"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clip") as batch:
        batch.add_column(sa.Column("mute", sa.Text(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("clip") as batch:
        batch.drop_column("mute")
