"""exports: error detail, left-out recordings, build lease, link used vs downloaded

Revision ID: 0009_export
Revises: 0008
Create Date: 2026-12-02 06:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0009_export'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('export', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_detail', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('skip_failed', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('skipped', sa.Text(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('heartbeat_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('attempt', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('partial_object_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('link_used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('download_failed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    # A link used before this revision was spent when its download started.
    op.execute("UPDATE export SET link_used_at = downloaded_at WHERE downloaded_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('export', schema=None) as batch_op:
        batch_op.drop_column('download_failed_at')
        batch_op.drop_column('link_used_at')
        batch_op.drop_column('partial_object_id')
        batch_op.drop_column('attempt')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('skipped')
        batch_op.drop_column('skip_failed')
        batch_op.drop_column('error_detail')
