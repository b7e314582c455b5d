"""a clip becomes a fragment for the terugkijkgesprek: the codes it shows, a kijkrichting for the parents,
the frames chosen as stills, and its place in the review (ADR 0016)

Revision ID: 0019_clip_kijkrichting
Revises: 0018_event_recorded_by
Create Date: 2026-12-02 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0019_clip_kijkrichting"
down_revision = "0018_event_recorded_by"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clip") as batch:
        batch.add_column(sa.Column("codes", sa.Text(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("kijkrichting", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("stills", sa.Text(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("review_position", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clip") as batch:
        batch.drop_column("review_position")
        batch.drop_column("stills")
        batch.drop_column("kijkrichting")
        batch.drop_column("codes")
