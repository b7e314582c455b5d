"""master key rotations

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 16:11:28.484068
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('master_rotation',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('rotated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('trimmed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('version')
    )


def downgrade() -> None:
    op.drop_table('master_rotation')
