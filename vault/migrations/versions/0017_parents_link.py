"""The parents' link counts complete downloads instead of being spent when one starts (ADR 0015)

Revision ID: 0017_parents_link
Revises: 0016_annotations
Create Date: 2026-12-02 13:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017_parents_link'
down_revision = '0016_annotations'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('export', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_downloads', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('export', schema=None) as batch_op:
        batch_op.drop_column('link_downloads')
