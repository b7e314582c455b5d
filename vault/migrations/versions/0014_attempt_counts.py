"""attempt counts: failed sign-ins per address counted in the database, shared by every API process

Revision ID: 0014_attempts
Revises: 0013_device
Create Date: 2026-12-02 11:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0014_attempts'
down_revision = '0013_device'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attempt_count',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('window', sa.Integer(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', 'window')
    )


def downgrade() -> None:
    op.drop_table('attempt_count')
