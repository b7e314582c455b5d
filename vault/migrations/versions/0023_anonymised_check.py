"""the trainer checks an anonymised fragment before anyone else sees it (issue #24, ADR 0017): who is in
view, the faces the job found and the trainer's boxes, and the approval of the copy

Revision ID: 0023_anonymised_check
Revises: 0022_clip_mute
Create Date: 2026-12-03 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = "0023_anonymised_check"
down_revision = "0022_clip_mute"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clip") as batch:
        batch.add_column(sa.Column("in_view", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("others_in_view", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("faces", sa.Text(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("face_edits", sa.Text(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("anonymised_approved_by", sa.Uuid(), nullable=True))
        batch.add_column(
            sa.Column("anonymised_approved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch.create_foreign_key(
            "fk_clip_anonymised_approved_by", "user_account", ["anonymised_approved_by"], ["id"]
        )
    with op.batch_alter_table("stream_job") as batch:
        batch.add_column(
            sa.Column("anonymised", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("stream_job") as batch:
        batch.drop_column("anonymised")
    with op.batch_alter_table("clip") as batch:
        batch.drop_constraint("fk_clip_anonymised_approved_by", type_="foreignkey")
        for column in (
            "anonymised_approved_at",
            "anonymised_approved_by",
            "face_edits",
            "faces",
            "others_in_view",
            "in_view",
        ):
            batch.drop_column(column)
