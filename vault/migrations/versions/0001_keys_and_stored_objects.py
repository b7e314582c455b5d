"""keys and stored objects

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 15:42:18.421544
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('key_family_kek',
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('wrapped', sa.LargeBinary(), nullable=False),
    sa.Column('master_version', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('family_id', 'generation')
    )
    op.create_table('key_object_dek',
    sa.Column('object_id', sa.Uuid(), nullable=False),
    sa.Column('dek_id', sa.Uuid(), nullable=False),
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('wrapped', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('object_id'),
    sa.UniqueConstraint('dek_id')
    )
    with op.batch_alter_table('key_object_dek', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_key_object_dek_family_id'), ['family_id'], unique=False)

    op.create_table('stored_object',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('ciphertext_size', sa.BigInteger(), nullable=False),
    sa.Column('backend', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stored_object', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_object_family_id'), ['family_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('stored_object', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_object_family_id'))

    op.drop_table('stored_object')
    with op.batch_alter_table('key_object_dek', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_key_object_dek_family_id'))

    op.drop_table('key_object_dek')
    op.drop_table('key_family_kek')
