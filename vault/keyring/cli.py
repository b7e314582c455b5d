"""`beeldkluis keys`: master and family key rotation, and trimming old master versions (crypto-shredding in backups)."""

from __future__ import annotations

import uuid

import typer

from vault import audit
from vault.db import unit_of_work
from vault.i18n import _
from vault.keyring.repository import keyring_from_settings
from vault.settings import get_settings

app = typer.Typer(help=_("Sleutelbeheer."), no_args_is_help=True)


@app.command(
    "rotate-master",
    help=_("Nieuwe hoofdsleutelversie; alle gezinssleutels opnieuw verpakt."),
)
def rotate_master() -> None:
    with unit_of_work() as db:
        keyring = keyring_from_settings(db, get_settings())
        version = keyring.provider.rotate()
        count = keyring.rotate_master()
        audit.record(
            db,
            action="key_rotation",
            outcome="success",
            reason="master_rotated",
            detail={"version": str(version), "rewrapped": str(count)},
        )
    typer.echo(
        _("Hoofdsleutel versie %(version)s; %(count)s gezinssleutels opnieuw verpakt.")
        % {"version": version, "count": count}
    )


@app.command(
    "rotate-family",
    help=_("Nieuwe sleutelgeneratie voor één gezin."),
)
def rotate_family(family_id: uuid.UUID) -> None:
    with unit_of_work() as db:
        generation = keyring_from_settings(db, get_settings()).rotate_family(family_id)
        audit.record(
            db,
            action="key_rotation",
            outcome="success",
            reason="family_rotated",
            family_id=family_id,
            detail={"generation": str(generation)},
        )
    typer.echo(_("Gezinssleutel generatie %(generation)s.") % {"generation": generation})


@app.command(
    help=_("Vergeet hoofdsleutelversies ouder dan de huidige (na de bewaartermijn van back-ups).")
)
def trim() -> None:
    with unit_of_work() as db:
        keyring = keyring_from_settings(db, get_settings())
        if keyring.rotate_master():
            raise typer.Exit(
                1
            )  # rows were still under an old version; they are rewrapped now, run trim again
        version = keyring.provider.current_version()
        keyring.provider.trim(version)
        audit.record(
            db,
            action="key_rotation",
            outcome="success",
            reason="master_trimmed",
            detail={"min_version": str(version)},
        )
    typer.echo(_("Hoofdsleutelversies onder %(version)s zijn vernietigd.") % {"version": version})
