"""live stream jobs and their segments (ADR 0007)

Revision ID: 0011_stream
Revises: 0008
Create Date: 2026-12-02 07:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0011_stream'
down_revision = '0010_admin'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stream_job',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('viewer', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('shown_id', sa.Uuid(), nullable=False),
    sa.Column('whole', sa.Boolean(), nullable=False),
    sa.Column('first', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.Column('ready', sa.Integer(), nullable=False),
    sa.Column('asked', sa.Integer(), nullable=False),
    sa.Column('asked_at', sa.Float(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('beat_at', sa.Float(), nullable=False),
    sa.Column('started_at', sa.Float(), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stream_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stream_job_viewer'), ['viewer'], unique=False)
        batch_op.create_index(batch_op.f('ix_stream_job_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stream_job_state'), ['state'], unique=False)

    op.create_table('stream_segment',
    sa.Column('job_id', sa.Uuid(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('object_id', sa.Uuid(), nullable=False),
    sa.Column('ready', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('job_id', 'n')
    )


def downgrade() -> None:
    op.drop_table('stream_segment')
    with op.batch_alter_table('stream_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stream_job_state'))
        batch_op.drop_index(batch_op.f('ix_stream_job_user_id'))
        batch_op.drop_index(batch_op.f('ix_stream_job_viewer'))
    op.drop_table('stream_job')
