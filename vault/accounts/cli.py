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
from vault.i18n import t
from vault.settings import get_settings

app = typer.Typer(help=t("Accounts beheren.", "Manage accounts."), no_args_is_help=True)


def _link(token: str) -> None:
    settings = get_settings()
    typer.echo(t(f"Geef deze link aan de persoon zelf; die kiest een wachtwoord en koppelt de eigen "
                 f"authenticator-app. De link werkt één keer, {ENROLMENT_HOURS} uur lang:",
                 f"Hand this link to the person; they choose a password and enrol their own authenticator "
                 f"app. It works once, for {ENROLMENT_HOURS} hours:"))  # fmt: skip
    typer.echo(enrolment_url(settings.public_url or f"http://{settings.host}:{settings.port}", token))


@app.command(
    help=t(
        "Maak een account aan (met --admin de eerste beheerder); toont een eenmalige inschrijflink.",
        "Create an account (--admin: the first administrator); prints a single-use enrolment link.",
    )
)
def create(
    email: Annotated[str, typer.Argument(help=t("E-mailadres.", "Email address."))],
    admin: Annotated[
        bool, typer.Option("--admin", help=t("Als beheerder.", "As administrator."))
    ] = False,
    role: Annotated[str, typer.Option(help=t("Rol.", "Role."))] = Role.trainer.value,
    name: Annotated[str, typer.Option(prompt=t("Naam", "Name"))] = "",
    organisation: Annotated[str, typer.Option(prompt=t("Organisatie", "Organisation"))] = "",
) -> None:
    try:
        with unit_of_work() as db:
            org = first_organisation(db, organisation)
            user, token = invite_user(db, organisation_id=org.id, email=email, name=name,
                                      role=Role.administrator if admin else role)  # fmt: skip
            role_name = user.role
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    typer.echo(
        t(f"Account aangemaakt: {email} ({role_name}).", f"Account created: {email} ({role_name}).")
    )
    _link(token)


@app.command("list", help=t("Toon alle accounts.", "List all accounts."))
def list_users() -> None:
    with unit_of_work() as db:
        orgs = {o.id: o.name for o in db.exec(select(Organisation))}
        for user in db.exec(select(User).order_by(User.email)):
            state = t("actief", "active") if user.active else t("uitgeschakeld", "disabled")
            typer.echo(
                f"{user.email:40} {user.role:16} {orgs.get(user.organisation_id, '?'):24} {state}"
            )


@app.command(help=t("Schakel een account uit.", "Disable an account."))
def disable(email: str) -> None:
    with unit_of_work() as db:
        set_active(db, email, False)
    typer.echo(t(f"Account {email} is uitgeschakeld.", f"Account {email} disabled."))


@app.command(help=t("Schakel een account weer in.", "Enable an account again."))
def enable(email: str) -> None:
    with unit_of_work() as db:
        set_active(db, email, True)
    typer.echo(t(f"Account {email} is ingeschakeld.", f"Account {email} enabled."))


@app.command(
    "reset-totp",
    help=t("Geef een account een nieuwe inschrijflink (wachtwoord en code opnieuw).",
           "Give an account a new enrolment link (password and code anew)."),
)
def reset(email: str) -> None:
    with unit_of_work() as db:
        token = reset_totp(db, email)
    _link(token)
