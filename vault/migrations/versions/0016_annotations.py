"""codebooks and the trainers' annotations (issue #23)

Revision ID: 0016_annotations
Revises: 0015_tus_stateless
Create Date: 2026-12-02 13:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0016_annotations'
down_revision = '0015_tus_stateless'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('codebook',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('entries', sa.Text(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'version')
    )
    with op.batch_alter_table('codebook', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_codebook_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('annotation',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('recording_id', sa.Uuid(), nullable=False),
    sa.Column('codebook_id', sa.Uuid(), nullable=False),
    sa.Column('frame_in', sa.Integer(), nullable=False),
    sa.Column('frame_out', sa.Integer(), nullable=True),
    sa.Column('rate_num', sa.Integer(), nullable=False),
    sa.Column('rate_den', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('modifiers', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['codebook_id'], ['codebook.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['recording_id'], ['recording.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('annotation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annotation_recording_id'), ['recording_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('annotation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annotation_recording_id'))
    op.drop_table('annotation')
    with op.batch_alter_table('codebook', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_codebook_organisation_id'))
    op.drop_table('codebook')
