"""`beeldkluis export TRAJECTORY --to /media/USB --as EMAIL`: the parents' package onto a mounted stick,
as a plain folder or (with --zip) as an AES-256 ZIP whose passphrase is shown once."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import select

from vault import audit
from vault.accounts import principal_of
from vault.db import unit_of_work
from vault.domain.models import User
from vault.export.package import ZipSink, export_to_folder, new_secret, prepare, write
from vault.i18n import t
from vault.settings import get_settings


def _zip(
    principal: audit.Principal, trajectory: uuid.UUID, to: Path
) -> tuple[Path, str, dict[str, object]]:
    settings = get_settings()
    with unit_of_work() as db:
        package = prepare(db, settings, principal, trajectory)
    target = to / f"{package.folder_name}.zip"
    passphrase = new_secret(6)
    try:
        with open(target, "xb") as out:
            result = write(
                package, ZipSink(out, package.folder_name, passphrase), settings
            )
    except FileExistsError:
        typer.echo(t(f"{target} bestaat al.", f"{target} already exists."), err=True)
        raise typer.Exit(2) from None
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    with unit_of_work() as db:
        audit.record(db, action="export", outcome="success", actor=principal, family_id=package.family_id,
                     object_id=trajectory, object_type="export_package", detail={"to": "zip", "encrypted": "true"})  # fmt: skip
    return target, passphrase, result


def command(
    trajectory: Annotated[uuid.UUID, typer.Argument(help=t("Traject-id.", "Trajectory id."))],
    to: Annotated[Path, typer.Option("--to", help=t("De gekoppelde stick of map.", "The mounted stick or folder."),
                                     exists=True, file_okay=False)],
    as_: Annotated[str, typer.Option("--as", help=t("E-mailadres van de trainer.", "The trainer's email."))],
    zip_: Annotated[bool, typer.Option("--zip", help=t("Versleutelde ZIP (AES-256) in plaats van een map.",
                                                       "An encrypted ZIP (AES-256) instead of a folder."))] = False,
) -> None:  # fmt: skip
    with unit_of_work() as db:
        user = db.exec(select(User).where(User.email == as_.strip().lower())).first()
        if user is None:
            typer.echo(t("Onbekende trainer.", "Unknown trainer."), err=True)
            raise typer.Exit(2)
        principal = principal_of(user, network="cli")
    if zip_:
        target, passphrase, result = _zip(principal, trajectory, to)
        typer.echo(t(f"Versleuteld pakket klaar: {target} ({result['recordings']} opname(s)).",
                     f"Encrypted package ready: {target} ({result['recordings']} recording(s))."))  # fmt: skip
        typer.echo(t(f"Wachtwoord (wordt maar één keer getoond; geef het apart door): {passphrase}",
                     f"Passphrase (shown once only; pass it on separately): {passphrase}"))  # fmt: skip
        return
    folder = export_to_folder(get_settings(), principal, trajectory, to)
    typer.echo(t(f"Pakket klaar in {folder['folder']}: {folder['recordings']} opname(s), gecontroleerd met SHA256SUMS.",
                 f"Package ready in {folder['folder']}: {folder['recordings']} recording(s), checked with SHA256SUMS."))  # fmt: skip
