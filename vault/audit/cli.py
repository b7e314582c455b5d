"""`beeldkluis audit`: verify the chain, write a checkpoint, print reports."""

from __future__ import annotations

import json
import uuid
from typing import Annotated

import typer

from keys import LocalSigningKey
from vault import audit
from vault.db import unit_of_work
from vault.i18n import t
from vault.settings import get_settings
from vault.store import backend_from_settings

app = typer.Typer(
    help=t("De toegangslog (NEN 7513).", "The access log (NEN 7513)."), no_args_is_help=True
)
report_app = typer.Typer(help=t("Rapportages.", "Reports."), no_args_is_help=True)
app.add_typer(report_app, name="report")


@app.command(
    help=t(
        "Controleer records, boom en ondertekende checkpoints.",
        "Verify records, tree and signed checkpoints.",
    )
)
def verify() -> None:
    settings = get_settings()
    key = LocalSigningKey.open_or_create(settings.signing_key_file)
    with unit_of_work() as db:
        report = audit.verify(db, backend_from_settings(settings), key.public_bytes())
        audit.record(
            db,
            action="audit_read",
            outcome="allowed",
            object_type="verify",
            detail={"ok": str(report.ok)},
        )
    typer.echo(t(f"{report.records} records, {report.checkpoints} checkpoints gecontroleerd.",
                 f"{report.records} records, {report.checkpoints} checkpoints checked."))  # fmt: skip
    if report.ok:
        typer.echo(t("De log is ongeschonden.", "The log is intact."))
        return
    for problem in report.problems:
        typer.echo(problem, err=True)
    if report.first_bad_seq is not None:
        typer.echo(
            t(
                f"Eerste afwijkende record: {report.first_bad_seq}",
                f"First bad record: {report.first_bad_seq}",
            ),
            err=True,
        )
    raise typer.Exit(1)


@app.command(help=t("Schrijf nu een ondertekend checkpoint.", "Write a signed checkpoint now."))
def checkpoint() -> None:
    settings = get_settings()
    key = LocalSigningKey.open_or_create(settings.signing_key_file)
    with unit_of_work() as db:
        head = audit.checkpoint(db, backend_from_settings(settings), key)
    typer.echo(json.dumps(head, indent=1))


def _print(rows: list[audit.AuditRecord], fmt: str) -> None:
    if fmt == "csv":
        typer.echo(audit.to_csv(rows), nl=False)
    elif fmt == "fhir":
        typer.echo(json.dumps([audit.fhir_audit_event(r) for r in rows], indent=1))
    else:
        typer.echo(json.dumps([audit.as_dict(r) for r in rows], indent=1))


Fmt = Annotated[str, typer.Option("--format", help="json | csv | fhir")]


@report_app.command("family", help=t("Alles rond één gezin.", "Everything about one family."))
def family(family_id: uuid.UUID, fmt: Fmt = "json") -> None:
    with unit_of_work() as db:
        rows = audit.family_report(db, family_id)
        audit.record(
            db,
            action="audit_read",
            outcome="allowed",
            object_type="family_report",
            family_id=family_id,
        )
    _print(rows, fmt)


@report_app.command("employee", help=t("Alles van één medewerker.", "Everything one employee did."))
def employee(user_id: uuid.UUID, fmt: Fmt = "json") -> None:
    with unit_of_work() as db:
        rows = audit.employee_report(db, user_id)
        audit.record(
            db,
            action="audit_read",
            outcome="allowed",
            object_type="employee_report",
            object_id=user_id,
        )
    _print(rows, fmt)
