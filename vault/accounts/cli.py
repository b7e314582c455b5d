"""`beeldkluis users`: the first administrator, and account management from the terminal."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlmodel import select

from vault.accounts._users import create_user, first_organisation, reset_totp, set_active
from vault.db import unit_of_work
from vault.domain.models import Organisation, Role, User
from vault.i18n import t

app = typer.Typer(help=t("Accounts beheren.", "Manage accounts."), no_args_is_help=True)


@app.command(
    help=t(
        "Maak een account aan (met --admin de eerste beheerder).",
        "Create an account (--admin: the first administrator).",
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
    password: Annotated[
        str,
        typer.Option(prompt=t("Wachtwoord", "Password"), hide_input=True, confirmation_prompt=True),
    ] = "",
) -> None:
    try:
        with unit_of_work() as db:
            org = first_organisation(db, organisation)
            user, uri = create_user(
                db,
                organisation_id=org.id,
                email=email,
                name=name,
                role=Role.administrator if admin else role,
                password=password,
            )
            role_name = user.role
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    typer.echo(
        t(f"Account aangemaakt: {email} ({role_name}).", f"Account created: {email} ({role_name}).")
    )
    typer.echo(t("Voeg deze sleutel eenmalig toe aan een authenticator-app (wordt niet opnieuw getoond):",
                 "Add this key to an authenticator app once (it is not shown again):"))  # fmt: skip
    typer.echo(uri)


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
    help=t("Geef een account een nieuwe TOTP-sleutel.", "Give an account a new TOTP key."),
)
def reset(email: str) -> None:
    with unit_of_work() as db:
        uri = reset_totp(db, email)
    typer.echo(uri)
