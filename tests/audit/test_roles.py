"""PostgreSQL: the role the service runs as may read and append to the access log, nothing else."""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from tests.support.audit import ALICE
from vault import migrate
from vault.audit import record
from vault.settings import get_settings


def test_the_service_role_cannot_change_or_unprotect_the_log(
    fresh_postgres: str, settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    role, password = f"svc_{uuid.uuid4().hex[:10]}", secrets.token_hex(12)
    admin = create_engine(fresh_postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'"))
    monkeypatch.setenv("BEELDKLUIS_DATABASE_SERVICE_ROLE", role)
    get_settings.cache_clear()
    service = None
    try:
        migrate.upgrade(fresh_postgres)  # as the privileged owner role, like `beeldkluis migrate`
        url = make_url(fresh_postgres).set(username=role, password=password)
        service = create_engine(url)
        with Session(service) as session:  # the service appends, as every request does
            for _ in range(3):
                record(session, action="view", outcome="allowed", actor=ALICE)
            session.commit()
        with service.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_record")).scalar() == 3
            assert (
                conn.execute(text("SELECT count(*) FROM organisation")).scalar() == 0
            )  # the rest it may use
        for attack in (
            "UPDATE audit_record SET user_name = 'Mallory' WHERE seq = 1",
            "DELETE FROM audit_record WHERE seq = 1",
            "TRUNCATE audit_record",
            "ALTER TABLE audit_record DISABLE TRIGGER audit_record_no_change",
            "DROP TRIGGER audit_record_no_change ON audit_record",
            "ALTER TABLE audit_record OWNER TO CURRENT_USER",
            "DELETE FROM audit_checkpoint",
            "ALTER TABLE audit_checkpoint DISABLE TRIGGER audit_checkpoint_no_change",
            "SET ROLE beeldkluis_audit_owner",
        ):
            with (
                service.connect() as conn,
                pytest.raises(Exception, match="permission denied|must be owner"),
            ):
                conn.execute(text(attack))
        with admin.connect() as conn:
            owner = conn.execute(
                text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_record'")
            ).scalar()
        assert owner == "beeldkluis_audit_owner"
    finally:
        monkeypatch.delenv("BEELDKLUIS_DATABASE_SERVICE_ROLE")
        get_settings.cache_clear()  # later tests migrate without the role
        if service is not None:
            service.dispose()
        db_admin = create_engine(fresh_postgres, isolation_level="AUTOCOMMIT")
        with db_admin.connect() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
        db_admin.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP ROLE {role}"))
        admin.dispose()
