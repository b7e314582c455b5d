"""administration plane: single-use enrolment links, links and grants confirmed by a second person

Revision ID: 0010_admin
Revises: 0008
Create Date: 2026-12-02 07:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0010_admin'
down_revision = '0009_export'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enrolment_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('enrolment_expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_unique_constraint('uq_user_account_enrolment_hash', ['enrolment_hash'])
    for table in ('supervision_link', 'grant'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('proposed_by', sa.Uuid(), nullable=True))
            batch_op.add_column(sa.Column('confirmed_by', sa.Uuid(), nullable=True))
            batch_op.add_column(sa.Column('confirmed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
            batch_op.create_foreign_key(f'fk_{table}_proposed_by', 'user_account', ['proposed_by'], ['id'])
            batch_op.create_foreign_key(f'fk_{table}_confirmed_by', 'user_account', ['confirmed_by'], ['id'])
        # Links and grants made before this rule stay in effect (ADR 0002): they count as confirmed
        # when the rule came in, and the privacy officer finds them in the log as before.
        op.execute(sa.text(f'UPDATE "{table}" SET confirmed_at = CURRENT_TIMESTAMP'))


def downgrade() -> None:
    for table in ('grant', 'supervision_link'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'fk_{table}_confirmed_by', type_='foreignkey')
            batch_op.drop_constraint(f'fk_{table}_proposed_by', type_='foreignkey')
            batch_op.drop_column('confirmed_at')
            batch_op.drop_column('confirmed_by')
            batch_op.drop_column('proposed_by')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint('uq_user_account_enrolment_hash', type_='unique')
        batch_op.drop_column('enrolment_expires_at')
        batch_op.drop_column('enrolment_hash')
