"""exports and proxies

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 08:32:20.151152
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('export',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('trajectory_id', sa.Uuid(), nullable=False),
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('recording_ids', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('encrypted', sa.Boolean(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('passphrase_object_id', sa.Uuid(), nullable=True),
    sa.Column('object_id', sa.Uuid(), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('ready_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('link_token_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('link_code_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('link_expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('link_failures', sa.Integer(), nullable=False),
    sa.Column('downloaded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('handed_over_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('handed_over_how', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('export', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_family_id'), ['family_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_link_token_sha256'), ['link_token_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_trajectory_id'), ['trajectory_id'], unique=False)

    with op.batch_alter_table('recording', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proxy_object_id', sa.Uuid(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('recording', schema=None) as batch_op:
        batch_op.drop_column('proxy_object_id')

    with op.batch_alter_table('export', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_trajectory_id'))
        batch_op.drop_index(batch_op.f('ix_export_link_token_sha256'))
        batch_op.drop_index(batch_op.f('ix_export_family_id'))

    op.drop_table('export')
