"""`beeldkluis users`: the first administrator, and account management from the terminal."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlmodel import select

from consent import Role
from vault.accounts._users import (
    ENROLMENT_HOURS,
    enrolment_url,
    first_organisation,
    invite_user,
    reset_totp,
    set_active,
)
from vault.db import unit_of_work
from vault.domain.models import Organisation, User
from vault.i18n import _
from vault.settings import get_settings

app = typer.Typer(help=_("Accounts beheren."), no_args_is_help=True)


def _link(token: str) -> None:
    settings = get_settings()
    typer.echo(
        _(
            "Geef deze link aan de persoon zelf; die kiest een wachtwoord en koppelt de eigen authenticator-app. De link werkt één keer, %(ENROLMENT_HOURS)s uur lang:"
        )
        % {"ENROLMENT_HOURS": ENROLMENT_HOURS}
    )
    typer.echo(
        enrolment_url(settings.public_url or f"http://{settings.host}:{settings.port}", token)
    )


@app.command(
    help=_(
        "Maak een account aan (met --admin de eerste beheerder); toont een eenmalige inschrijflink."
    )
)
def create(
    email: Annotated[str, typer.Argument(help=_("E-mailadres."))],
    admin: Annotated[bool, typer.Option("--admin", help=_("Als beheerder."))] = False,
    role: Annotated[str, typer.Option(help=_("Rol."))] = Role.trainer.value,
    name: Annotated[str, typer.Option(prompt=_("Naam"))] = "",
    organisation: Annotated[str, typer.Option(prompt=_("Organisatie"))] = "",
) -> None:
    try:
        with unit_of_work() as db:
            org = first_organisation(db, organisation)
            user, token = invite_user(
                db,
                organisation_id=org.id,
                email=email,
                name=name,
                role=Role.administrator if admin else role,
            )
            role_name = user.role
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    typer.echo(
        _("Account aangemaakt: %(email)s (%(role_name)s).")
        % {"email": email, "role_name": role_name}
    )
    _link(token)


@app.command("list", help=_("Toon alle accounts."))
def list_users() -> None:
    with unit_of_work() as db:
        orgs = {o.id: o.name for o in db.exec(select(Organisation))}
        for user in db.exec(select(User).order_by(User.email)):
            state = _("actief") if user.active else _("uitgeschakeld")
            typer.echo(
                f"{user.email:40} {user.role:16} {orgs.get(user.organisation_id, '?'):24} {state}"
            )


@app.command(help=_("Schakel een account uit."))
def disable(email: str) -> None:
    with unit_of_work() as db:
        set_active(db, email, False)
    typer.echo(_("Account %(email)s is uitgeschakeld.") % {"email": email})


@app.command(help=_("Schakel een account weer in."))
def enable(email: str) -> None:
    with unit_of_work() as db:
        set_active(db, email, True)
    typer.echo(_("Account %(email)s is ingeschakeld.") % {"email": email})


@app.command(
    "reset-totp",
    help=_("Geef een account een nieuwe inschrijflink (wachtwoord en code opnieuw)."),
)
def reset(email: str) -> None:
    with unit_of_work() as db:
        token = reset_totp(db, email)
    _link(token)
