"""`beeldkluis audit`: verify the chain, write a checkpoint, print reports."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated

import typer

from keys import key_id, public_pem
from vault import audit
from vault.audit._publish import NoPublicKey
from vault.audit._publish import public_key as public_key_for
from vault.db import unit_of_work
from vault.i18n import _
from vault.keyring.repository import signing_key
from vault.settings import get_settings
from vault.store import backend_from_settings

app = typer.Typer(help=_("De toegangslog (NEN 7513)."), no_args_is_help=True)
report_app = typer.Typer(help=_("Rapportages."), no_args_is_help=True)
app.add_typer(report_app, name="report")


@app.command(
    help=_(
        "Controleer records, boom en de keten van ondertekende checkpoints met de gepubliceerde publieke sleutel."
    )
)
def verify(
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            help=_("Publieke sleutel (PEM); standaard audit-public-key.pem in de datamap."),
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            help=_("Begin bij dit checkpoint (incrementeel)."),
        ),
    ] = None,
    incremental: Annotated[
        bool,
        typer.Option(
            "--incremental",
            help=_("Begin bij het checkpoint van de laatste geslaagde controle."),
        ),
    ] = False,
) -> None:
    settings = get_settings()
    try:
        key = public_key_for(settings, public_key)
    except NoPublicKey as exc:
        typer.echo(f"{exc.message_nl} / {exc.message_en}", err=True)
        raise typer.Exit(2) from None
    with unit_of_work() as db:
        if incremental and start is None:
            start = audit.last_verified(db)
        report = audit.verify(db, backend_from_settings(settings), key, start=start)
        audit.record(
            db,
            action="audit_read",
            outcome="allowed",
            object_type="verify",
            detail=audit.verify_detail(report),
        )
    if report.start:
        typer.echo(_("Begonnen bij checkpoint %(start)s.") % {"start": report.start})
    typer.echo(
        _("%(records)s records, %(checkpoints)s checkpoints gecontroleerd met sleutel %(key)s.")
        % {"records": report.records, "checkpoints": report.checkpoints, "key": key_id(key)}
    )
    for label, found in (
        (_("Laatste goede checkpoint"), report.latest),
        (
            _("Laatste checkpoint volgens de database"),
            report.expected,
        ),
    ):
        if found:
            typer.echo(
                f"{label}: {found['name']} ({found['tree_size']} records, {found['root_hash']})"
            )
    if report.ok:
        typer.echo(_("De log is ongeschonden."))
        return
    typer.echo(_("De log is NIET ongeschonden:"), err=True)
    for problem in report.problems:
        typer.echo(f"- {problem}", err=True)
    if report.first_bad_seq is not None:
        typer.echo(
            _("Eerste afwijkende record: %(first_bad_seq)s")
            % {"first_bad_seq": report.first_bad_seq},
            err=True,
        )
    raise typer.Exit(1)


@app.command(
    "public-key",
    help=_("Toon de publieke sleutel van de checkpoints."),
)
def show_public_key() -> None:
    try:
        key = public_key_for(get_settings())
    except NoPublicKey as exc:
        typer.echo(f"{exc.message_nl} / {exc.message_en}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"key_id {key_id(key)}")
    typer.echo(public_pem(key), nl=False)


@app.command(help=_("Schrijf nu een ondertekend checkpoint."))
def checkpoint() -> None:
    settings = get_settings()
    key = signing_key(settings)
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


@report_app.command("family", help=_("Alles rond één gezin."))
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


@report_app.command("employee", help=_("Alles van één medewerker."))
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
