"""consent events name who recorded them: the trainer's account, beside the family member who reported it

Revision ID: 0018_event_recorded_by
Revises: 0017_parents_link
Create Date: 2026-12-02 13:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0018_event_recorded_by'
down_revision = '0017_parents_link'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('consent_event') as batch:
        batch.add_column(sa.Column('recorded_by', sa.Uuid(), nullable=True))
        batch.create_foreign_key('fk_consent_event_recorded_by', 'user_account', ['recorded_by'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('consent_event') as batch:
        batch.drop_constraint('fk_consent_event_recorded_by', type_='foreignkey')
        batch.drop_column('recorded_by')
