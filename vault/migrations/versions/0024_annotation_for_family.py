"""an annotation may be marked for the family: it goes into the parents' package (issue #23, ADR 0011)

Revision ID: 0024_annotation_for_family
Revises: 0023_anonymised_check
Create Date: 2026-12-04 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0024_annotation_for_family"
down_revision = "0023_anonymised_check"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("annotation") as batch:
        batch.add_column(
            sa.Column("for_family", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("annotation") as batch:
        batch.drop_column("for_family")
