"""`beeldkluis ingest PATH --trajectory ID`: import a camera card into the vault."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import httpx
import typer

from vault.i18n import _
from vault.ingest.client import Stopped, ingest


def command(
    path: Annotated[
        Path,
        typer.Argument(
            help=_("De gekoppelde kaart of map."),
            exists=True,
            file_okay=False,
        ),
    ],
    trajectory: Annotated[str, typer.Option(help=_("Traject-id."))],
    server: Annotated[str, typer.Option(help=_("Adres van Beeldkluis."))] = "http://127.0.0.1:8420",
    delete_verified: Annotated[
        bool,
        typer.Option(
            "--delete-verified",
            help=_("Wis gecontroleerde bestanden van de kaart."),
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
    """Where the server reports an organisation's identity provider: a code to confirm in the web app
    (where the trainer signs in through that provider); elsewhere e-mail, password and code here."""
    methods = _call("GET", f"{server}/api/v1/auth/methods")
    try:
        providers = methods.json().get("providers") if methods.status_code == 200 else None
    except ValueError:  # not Beeldkluis, or one from before /auth/methods: the prompt
        providers = None
    return _device_sign_in(server) if providers else _password_sign_in(server)


def _call(method: str, url: str, **kwargs: Any) -> httpx.Response:
    try:
        return httpx.request(method, url, timeout=30, **kwargs)
    except httpx.HTTPError:
        server = url.split("/api/", 1)[0]
        typer.echo(_("Beeldkluis is niet bereikbaar op %(server)s.") % {"server": server}, err=True)
        raise typer.Exit(2) from None


def _refused(response: httpx.Response) -> NoReturn:
    """The server's own message (Dutch), one line, exit 2."""
    try:
        said = str(response.json().get("detail") or "")
    except ValueError:
        said = ""
    typer.echo(said or _("Aanmelden mislukt."), err=True)
    raise typer.Exit(2)


def _password_sign_in(server: str) -> dict[str, Any]:
    """Ask for e-mail, password and the authenticator code, and sign in (nothing is stored)."""
    email = typer.prompt(_("E-mailadres"))
    password = typer.prompt(_("Wachtwoord"), hide_input=True)
    code = typer.prompt(_("Code uit de authenticator-app"))
    response = _call(
        "POST",
        f"{server}/api/v1/auth/sign-in",
        json={"email": email, "password": password, "totp": code},
    )
    if response.status_code != 200:
        _refused(response)
    return dict(response.json())


def _device_sign_in(server: str) -> dict[str, Any]:
    """RFC 8628's device flow against Beeldkluis itself (ADR 0006): show the code, poll until the trainer
    confirms it in the web app, slow down when asked. Nothing is stored."""
    started = _call("POST", f"{server}/api/v1/auth/device")
    if started.status_code != 200:
        _refused(started)
    grant = started.json()
    typer.echo(
        _(
            "Meld u aan in de webapp: ga naar %(verification_uri)s en vul deze code in: %(user_code)s"
        )
        % {"verification_uri": grant["verification_uri"], "user_code": grant["user_code"]}
    )
    typer.echo(
        _("Of open meteen %(verification_uri_complete)s")
        % {"verification_uri_complete": grant["verification_uri_complete"]}
    )
    typer.echo(_("De code werkt tien minuten. Wachten op uw bevestiging..."))
    interval = int(grant["interval"])
    while True:
        time.sleep(interval)
        answer = _call(
            "POST", f"{server}/api/v1/auth/device/token", json={"device_code": grant["device_code"]}
        )
        if answer.status_code == 200:
            typer.echo(_("Aangemeld."))
            return dict(answer.json())
        body = answer.json() if answer.headers.get("content-type", "").endswith("json") else {}
        if body.get("code") not in ("authorization_pending", "slow_down"):
            _refused(answer)
        interval = int(body.get("interval") or interval)
