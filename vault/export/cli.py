"""`beeldkluis export TRAJECTORY --to /media/USB --as EMAIL`: the parents' package onto a mounted stick."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import select

from vault.accounts import principal_of
from vault.db import unit_of_work
from vault.domain.models import User
from vault.export.package import build_package
from vault.i18n import t
from vault.settings import get_settings


def command(
    trajectory: Annotated[uuid.UUID, typer.Argument(help=t("Traject-id.", "Trajectory id."))],
    to: Annotated[
        Path,
        typer.Option(
            "--to",
            help=t("De gekoppelde stick of map.", "The mounted stick or folder."),
            exists=True,
            file_okay=False,
        ),
    ],
    as_: Annotated[
        str, typer.Option("--as", help=t("E-mailadres van de trainer.", "The trainer's email."))
    ],
) -> None:
    with unit_of_work() as db:
        user = db.exec(select(User).where(User.email == as_.strip().lower())).first()
        if user is None:
            typer.echo(t("Onbekende trainer.", "Unknown trainer."), err=True)
            raise typer.Exit(2)
        result = build_package(
            db, get_settings(), principal_of(user, network="cli"), trajectory, to
        )
    typer.echo(t(f"Pakket klaar in {result['folder']}: {result['recordings']} opname(s), gecontroleerd met SHA256SUMS.",
                 f"Package ready in {result['folder']}: {result['recordings']} recording(s), checked with SHA256SUMS."))  # fmt: skip
