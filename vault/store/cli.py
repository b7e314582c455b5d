"""`beeldkluis store`: consistency between the object rows and what the storage really holds."""

from __future__ import annotations

import typer

from vault.db import unit_of_work
from vault.i18n import t
from vault.settings import get_settings
from vault.store import open_store

app = typer.Typer(
    help=t("Versleutelde objectopslag.", "Encrypted object store."), no_args_is_help=True
)


@app.command(
    help=t(
        "Zoek objecten zonder rij en rijen zonder object.",
        "Find objects without rows and rows without objects.",
    )
)
def check() -> None:
    with unit_of_work() as session:
        report = open_store(session, get_settings()).check()
    for name in report.objects_without_rows:
        typer.echo(t(f"Object zonder registratie: {name}", f"Object without a row: {name}"))
    for object_id in report.rows_without_objects:
        typer.echo(
            t(f"Registratie zonder object: {object_id}", f"Row without an object: {object_id}")
        )
    for object_id in report.size_mismatches:
        typer.echo(t(f"Afwijkende grootte: {object_id}", f"Size mismatch: {object_id}"))
    if not report.clean:
        raise typer.Exit(1)
    typer.echo(t("Opslag is consistent.", "Store is consistent."))
