"""audit checkpoints kept outside the bucket; the access log owned by a role the service does not run as

Revision ID: 0012_audit
Revises: 0008
Create Date: 2026-12-02 07:30:00

On PostgreSQL, when `migrate` runs as a role that may create roles (the owner role of a production install,
or a superuser), `audit_record` and `audit_checkpoint` and their append-only trigger functions are given to
the NOLOGIN role `beeldkluis_audit_owner`. With BEELDKLUIS_DATABASE_SERVICE_ROLE set, that role (the one
`serve` and `worker` run as) gets the other tables in full and the two audit tables with SELECT and INSERT
only: it can neither update nor delete a record, nor drop or disable the trigger (docs/operator-guide.md).
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
import sqlmodel
from alembic import op

from vault.settings import get_settings

revision = '0012_audit'
down_revision = '0011_stream'
branch_labels = None
depends_on = None

OWNER = "beeldkluis_audit_owner"
AUDIT_TABLES = ("audit_record", "audit_checkpoint")

CHECKPOINT_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION audit_checkpoint_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_checkpoint is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_checkpoint_no_change BEFORE UPDATE OR DELETE ON audit_checkpoint
  FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_append_only();
"""
SQLITE_APPEND_ONLY = """
CREATE TRIGGER audit_checkpoint_no_{what} BEFORE {what} ON audit_checkpoint
BEGIN SELECT RAISE(ABORT, 'audit_checkpoint is append-only'); END;
"""

log = logging.getLogger(__name__)


def _privileges() -> tuple[bool, bool]:
    """(superuser, may create roles) of the role running the migration."""
    row = op.get_bind().execute(
        sa.text("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user")
    ).one()
    return bool(row[0]), bool(row[1])


def _protect() -> None:
    superuser, createrole = _privileges()
    if not (superuser or createrole):
        log.warning("audit_record stays owned by %s: run `migrate` as the owner role (docs/operator-guide.md)",
                    "the current role")
        return
    op.execute(f"""DO $$ BEGIN CREATE ROLE {OWNER} NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$""")
    if not superuser:  # giving a table away needs membership of the new owner, for a moment
        op.execute(f"GRANT {OWNER} TO CURRENT_USER")
    for table in AUDIT_TABLES:
        op.execute(f"ALTER TABLE {table} OWNER TO {OWNER}")
        op.execute(f"ALTER FUNCTION {table}_append_only() OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
        op.execute(f"GRANT SELECT, INSERT ON {table} TO CURRENT_USER")
    if not superuser:
        op.execute(f"REVOKE {OWNER} FROM CURRENT_USER")
    service = get_settings().database_service_role
    if service:
        op.execute(f"GRANT USAGE ON SCHEMA public TO {service}")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {service}")
        op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {service}")
        op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {service}")
        op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {service}")
        for table in (*AUDIT_TABLES, "alembic_version"):
            op.execute(f"REVOKE ALL ON {table} FROM {service}")
        for table in AUDIT_TABLES:
            op.execute(f"GRANT SELECT, INSERT ON {table} TO {service}")
        op.execute(f"GRANT SELECT ON alembic_version TO {service}")


def upgrade() -> None:
    op.create_table('audit_checkpoint',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('tree_size', sa.Integer(), nullable=False),
    sa.Column('root_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('written_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(CHECKPOINT_APPEND_ONLY)
        _protect()
    else:
        for what in ("UPDATE", "DELETE"):
            op.execute(SQLITE_APPEND_ONLY.format(what=what))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        superuser, createrole = _privileges()
        if superuser:
            op.execute("ALTER TABLE audit_record OWNER TO CURRENT_USER")
            op.execute("ALTER FUNCTION audit_record_append_only() OWNER TO CURRENT_USER")
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoint_no_change ON audit_checkpoint")
        op.execute("DROP FUNCTION IF EXISTS audit_checkpoint_append_only()")
    op.drop_table('audit_checkpoint')
