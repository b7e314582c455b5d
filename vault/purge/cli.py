"""`beeldkluis retention`: the plan in Dutch, the purge, legal holds."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Annotated

import typer
from sqlmodel import select

from vault import audit
from vault.db import unit_of_work
from vault.i18n import _, terminal
from vault.purge import words
from vault.purge._service import family_plan
from vault.purge.models import LegalHoldRow
from vault.purge.tasks import run_all
from vault.store import StoredObject

app = typer.Typer(help=_("Bewaartermijnen en verwijderen."), no_args_is_help=True)
holds = typer.Typer(help=_("Bewaarplichten (legal holds)."), no_args_is_help=True)
app.add_typer(holds, name="hold")


@app.command(help=_("Toon wat wanneer verwijderd wordt (droog)."))
def plan(
    family: Annotated[uuid.UUID | None, typer.Option(help=_("Eén gezin."))] = None,
    on: Annotated[str | None, typer.Option(help=_("Datum (JJJJ-MM-DD)."))] = None,
) -> None:
    day = date.fromisoformat(on) if on else datetime.now(UTC).date()
    with unit_of_work() as db:
        families = (
            [family]
            if family
            else sorted({o.family_id for o in db.exec(select(StoredObject))}, key=str)
        )
        for family_id in families:
            typer.echo(_("Gezin %(family_id)s:") % {"family_id": family_id})
            for line in words.describe(family_plan(db, family_id, day), terminal()):
                typer.echo(f"  {line}")


@app.command(help=_("Voer de verschuldigde verwijderingen uit."))
def run() -> None:
    count = run_all()
    typer.echo(
        _("%(count)s gezin(nen) opgeschoond; certificaten staan in de WORM-opslag.")
        % {"count": count}
    )


@holds.command("add", help=_("Leg een bewaarplicht op."))
def add(
    family: uuid.UUID, reason: str, until: str | None = None, review: str | None = None
) -> None:
    with unit_of_work() as db:
        hold = LegalHoldRow(
            family_id=family,
            reason=reason,
            placed_on=datetime.now(UTC).date(),
            until=date.fromisoformat(until) if until else None,
            review_on=date.fromisoformat(review) if review else None,
        )
        db.add(hold)
        db.flush()
        audit.record(
            db,
            action="configuration_change",
            outcome="success",
            reason="legal_hold_placed",
            family_id=family,
            object_id=hold.id,
            object_type="legal_hold",
        )
        typer.echo(str(hold.id))


@holds.command("release", help=_("Hef een bewaarplicht op."))
def release(hold_id: uuid.UUID) -> None:
    with unit_of_work() as db:
        hold = db.get(LegalHoldRow, hold_id)
        if hold is None:
            typer.echo(_("Bewaarplicht niet gevonden."), err=True)
            raise typer.Exit(1)
        hold.released_on = datetime.now(UTC).date()
        db.add(hold)
        audit.record(
            db,
            action="configuration_change",
            outcome="success",
            reason="legal_hold_released",
            family_id=hold.family_id,
            object_id=hold.id,
            object_type="legal_hold",
        )
    typer.echo(_("Bewaarplicht opgeheven."))


@holds.command("list", help=_("Toon bewaarplichten."))
def list_holds() -> None:
    with unit_of_work() as db:
        for hold in db.exec(select(LegalHoldRow)):
            typer.echo(
                json.dumps(
                    {
                        "id": str(hold.id),
                        "family_id": str(hold.family_id),
                        "reason": hold.reason,
                        "until": str(hold.until),
                        "released_on": str(hold.released_on),
                    }
                )
            )
