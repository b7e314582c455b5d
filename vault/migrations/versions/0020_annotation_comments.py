"""comment threads on annotations: an opleider comments through a clip, the trainer answers

Revision ID: 0020_annotation_comments
Revises: 0019_clip_kijkrichting
Create Date: 2026-12-02 16:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0020_annotation_comments"
down_revision = "0019_clip_kijkrichting"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "annotation_comment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("annotation_id", sa.Uuid(), nullable=False),
        sa.Column("clip_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["annotation_id"], ["annotation.id"]),
        sa.ForeignKeyConstraint(["clip_id"], ["clip.id"]),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_annotation_comment_annotation_id", "annotation_comment", ["annotation_id"])


def downgrade() -> None:
    op.drop_index("ix_annotation_comment_annotation_id", table_name="annotation_comment")
    op.drop_table("annotation_comment")
