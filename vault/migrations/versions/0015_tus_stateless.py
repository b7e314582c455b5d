"""tus without process state: the tail object and the claim of the PATCH going on (ADR 0008)

Revision ID: 0015_tus_stateless
Revises: 0014_attempts
Create Date: 2026-12-02 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0015_tus_stateless'
down_revision = '0014_attempts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('upload', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tail', sa.BigInteger(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('carry', sa.BigInteger(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('claim', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('claim_until', sa.BigInteger(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('upload', schema=None) as batch_op:
        batch_op.drop_column('claim_until')
        batch_op.drop_column('claim')
        batch_op.drop_column('carry')
        batch_op.drop_column('tail')
