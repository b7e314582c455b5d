"""device grants: the command line signs in by a code confirmed in the web app (ADR 0006)

Revision ID: 0013_device
Revises: 0012_audit
Create Date: 2026-12-02 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0013_device'
down_revision = '0012_audit'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('device_grant',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('device_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_code_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('network', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('interval', sa.Integer(), nullable=False),
    sa.Column('polled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('approved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('denied_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('device_hash'),
    sa.UniqueConstraint('user_code_hash')
    )


def downgrade() -> None:
    op.drop_table('device_grant')
