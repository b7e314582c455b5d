"""`beeldkluis keys`: master and family key rotation, and trimming old master versions (crypto-shredding in backups)."""

from __future__ import annotations

import uuid

import typer

from vault import audit
from vault.db import unit_of_work
from vault.i18n import t
from vault.keyring.repository import keyring_from_settings
from vault.settings import get_settings

app = typer.Typer(help=t("Sleutelbeheer.", "Key management."), no_args_is_help=True)


@app.command(
    "rotate-master",
    help=t(
        "Nieuwe hoofdsleutelversie; alle gezinssleutels opnieuw verpakt.",
        "New master version; every family key rewrapped.",
    ),
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
        t(
            f"Hoofdsleutel versie {version}; {count} gezinssleutels opnieuw verpakt.",
            f"Master version {version}; {count} family keys rewrapped.",
        )
    )


@app.command(
    "rotate-family",
    help=t("Nieuwe sleutelgeneratie voor één gezin.", "New key generation for one family."),
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
    typer.echo(t(f"Gezinssleutel generatie {generation}.", f"Family key generation {generation}."))


@app.command(
    help=t(
        "Vergeet hoofdsleutelversies ouder dan de huidige (na de bewaartermijn van back-ups).",
        "Forget master versions older than the current one (after the backup retention window).",
    )
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
    typer.echo(
        t(
            f"Hoofdsleutelversies onder {version} zijn vernietigd.",
            f"Master versions below {version} destroyed.",
        )
    )
