"""`beeldkluis ingest PATH --trajectory ID`: import a camera card into the vault."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from vault.i18n import t
from vault.ingest.client import Stopped, ingest


def command(
    path: Annotated[
        Path,
        typer.Argument(
            help=t("De gekoppelde kaart of map.", "The mounted card or folder."),
            exists=True,
            file_okay=False,
        ),
    ],
    trajectory: Annotated[str, typer.Option(help=t("Traject-id.", "Trajectory id."))],
    server: Annotated[
        str, typer.Option(help=t("Adres van Beeldkluis.", "Beeldkluis address."))
    ] = "http://127.0.0.1:8420",
    delete_verified: Annotated[
        bool,
        typer.Option(
            "--delete-verified",
            help=t(
                "Wis gecontroleerde bestanden van de kaart.", "Delete verified files from the card."
            ),
        ),
    ] = False,
) -> None:
    # A token from the environment (scripts), else the trainer signs in here: e-mail, password, code.
    # A signed-in session is refreshed for as long as the import takes; a token from the environment is not.
    server = server.rstrip("/")
    token = os.environ.get("BEELDKLUIS_TOKEN", "")
    session = {"access_token": token} if token else _sign_in(server)
    try:
        outcome = ingest(
            path,
            trajectory,
            server=server,
            token=str(session["access_token"]),
            refresh_token=str(session.get("refresh_token") or ""),
            expires_at=datetime.fromisoformat(str(session["expires_at"]))
            if session.get("expires_at")
            else None,
            say=typer.echo,
            delete_verified=delete_verified,
        )
    except Stopped as exc:
        typer.echo(f"{exc} Wis de kaart nog NIET.", err=True)
        raise typer.Exit(2) from None
    raise typer.Exit(0 if outcome.card_may_be_wiped else 1)


def _sign_in(server: str) -> dict[str, Any]:
    """Ask for e-mail, password and the authenticator code, and sign in (nothing is stored)."""
    import httpx

    email = typer.prompt(t("E-mailadres", "Email"))
    password = typer.prompt(t("Wachtwoord", "Password"), hide_input=True)
    code = typer.prompt(t("Code uit de authenticator-app", "Authenticator code"))
    try:
        response = httpx.post(f"{server}/api/v1/auth/sign-in",
                              json={"email": email, "password": password, "totp": code}, timeout=30)  # fmt: skip
    except httpx.HTTPError:
        typer.echo(
            t(
                f"Beeldkluis is niet bereikbaar op {server}.",
                f"Beeldkluis cannot be reached at {server}.",
            ),
            err=True,
        )
        raise typer.Exit(2) from None
    if response.status_code != 200:
        try:
            said = str(response.json().get("detail") or "")
        except ValueError:
            said = ""
        typer.echo(said or t("Aanmelden mislukt.", "Sign-in failed."), err=True)
        raise typer.Exit(2)
    return dict(response.json())
