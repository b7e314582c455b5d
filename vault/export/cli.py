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
from vault.i18n import _
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
            result = write(package, ZipSink(out, package.folder_name, passphrase), settings)
    except FileExistsError:
        typer.echo(_("%(target)s bestaat al.") % {"target": target}, err=True)
        raise typer.Exit(2) from None
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    with unit_of_work() as db:
        audit.record(
            db,
            action="export",
            outcome="success",
            actor=principal,
            family_id=package.family_id,
            object_id=trajectory,
            object_type="export_package",
            detail={"to": "zip", "encrypted": "true"},
        )
    return target, passphrase, result


def command(
    trajectory: Annotated[uuid.UUID, typer.Argument(help=_("Traject-id."))],
    to: Annotated[
        Path,
        typer.Option("--to", help=_("De gekoppelde stick of map."), exists=True, file_okay=False),
    ],
    as_: Annotated[str, typer.Option("--as", help=_("E-mailadres van de trainer."))],
    zip_: Annotated[
        bool, typer.Option("--zip", help=_("Versleutelde ZIP (AES-256) in plaats van een map."))
    ] = False,
) -> None:
    with unit_of_work() as db:
        user = db.exec(select(User).where(User.email == as_.strip().lower())).first()
        if user is None:
            typer.echo(_("Onbekende trainer."), err=True)
            raise typer.Exit(2)
        principal = principal_of(user, network="cli")
    if zip_:
        target, passphrase, result = _zip(principal, trajectory, to)
        typer.echo(
            _("Versleuteld pakket klaar: %(target)s (%(recordings)s opname(s)).")
            % {"target": target, "recordings": result["recordings"]}
        )
        typer.echo(
            _("Wachtwoord (wordt maar één keer getoond; geef het apart door): %(passphrase)s")
            % {"passphrase": passphrase}
        )
        return
    folder = export_to_folder(get_settings(), principal, trajectory, to)
    typer.echo(
        _("Pakket klaar in %(folder)s: %(recordings)s opname(s), gecontroleerd met SHA256SUMS.")
        % {"folder": folder["folder"], "recordings": folder["recordings"]}
    )
