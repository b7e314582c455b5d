"""`beeldkluis store`: consistency between the object rows and what the storage really holds, and what
a crash left behind (object keys without objects, storage uploads never finished, stuck imports)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Annotated

import typer

from vault.db import after_commit, unit_of_work
from vault.i18n import _
from vault.settings import get_settings
from vault.store import open_store

app = typer.Typer(help=_("Versleutelde objectopslag."), no_args_is_help=True)

VERIFY_LIMIT = timedelta(hours=2)  # longer than any verification of a card's file takes


def sweep(grace: timedelta, *, repair: bool, say: Callable[[str], None]) -> bool:
    """Report (and with `repair` clean) what is inconsistent; True when nothing needs a person."""
    from vault.ingest import tus

    with unit_of_work() as session:
        store = open_store(session, get_settings())
        abandoned = tus.stuck(session, "uploading", grace)
        waiting = tus.stuck(session, "verifying", min(grace, VERIFY_LIMIT))
        for upload in abandoned:
            say(
                _("Upload zonder voortgang sinds %(updated_at)s: %(id)s")
                % {"updated_at": format(upload.updated_at, "%Y-%m-%d %H:%M"), "id": upload.id}
            )
            if repair:
                tus.abandon(session, upload)
        for upload in waiting:
            say(
                _("Upload wacht sinds %(updated_at)s op controle: %(id)s")
                % {"updated_at": format(upload.updated_at, "%Y-%m-%d %H:%M"), "id": upload.id}
            )
            if repair:
                after_commit(session, partial(tus.verify_again, upload))
        going = tus.unfinished(session)
        keys = [u.object_id for u in going]
        report = store.check(
            grace=grace, keep_keys=keys, keep_uploads=[u.backend_upload_id for u in going]
        )
        for name in report.objects_without_rows:
            say(_("Object zonder registratie: %(name)s") % {"name": name})
        for object_id in report.rows_without_objects:
            say(_("Registratie zonder object: %(object_id)s") % {"object_id": object_id})
        for object_id in report.size_mismatches:
            say(_("Afwijkende grootte: %(object_id)s") % {"object_id": object_id})
        for object_id in report.keys_without_objects:
            say(_("Sleutel zonder object: %(object_id)s") % {"object_id": object_id})
        for name, upload_id in report.unfinished_uploads:
            say(
                _("Onafgemaakte upload in de opslag: %(name)s (%(upload_id)s)")
                % {"name": name, "upload_id": upload_id}
            )
        if repair:
            store.repair(report, grace=grace, keep_keys=keys)
    if repair and (abandoned or waiting or not report.clean):
        say(
            _(
                "Opgeruimd: onafgemaakte uploads, sleutels zonder object en objecten zonder registratie; "
                "uploads die op controle wachten staan opnieuw in de wachtrij."
            )
        )
    left = report.rows_without_objects or report.size_mismatches
    return not left if repair else not (abandoned or waiting or not report.clean)


@app.command(
    help=_(
        "Zoek objecten zonder rij, rijen zonder object, sleutels zonder object en vastgelopen uploads."
    )
)
def check(
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help=_("Ruim op wat een crash achterliet."),
        ),
    ] = False,
    grace_hours: Annotated[
        float,
        typer.Option(
            help=_("Pas na zoveel uur als achtergelaten beschouwen."),
            min=0,
        ),
    ] = 24,
) -> None:
    if not sweep(timedelta(hours=grace_hours), repair=repair, say=typer.echo):
        raise typer.Exit(1)
    typer.echo(_("Opslag is consistent."))


@app.command(
    help=_(
        "Richt de opslag in met de beheerdersgegevens van MinIO: de buckets, en een eigen account voor "
        "Beeldkluis dat in de onveranderbare bucket niets mag verwijderen. Daarna draait Beeldkluis met dat account."
    )
)
def provision(
    app_access_key: Annotated[str, typer.Option(help=_("Naam van het account voor Beeldkluis."))],
) -> None:
    """The root credentials come from BEELDKLUIS_S3_ACCESS_KEY/SECRET_KEY; the app's secret from
    BEELDKLUIS_S3_APP_SECRET_KEY (never a command-line argument)."""
    from vault.settings import StoreBackend
    from vault.store import backend_from_settings
    from vault.store._provision import provision as provision_storage
    from vault.store._s3 import S3Backend

    settings = get_settings()
    secret = settings.s3_app_secret_key.get_secret_value()
    if settings.store is not StoreBackend.s3 or len(secret) < 16:
        typer.echo(
            _("Nodig: BEELDKLUIS_STORE=s3 en BEELDKLUIS_S3_APP_SECRET_KEY (minstens 16 tekens)."),
            err=True,
        )
        raise typer.Exit(2)
    root = backend_from_settings(settings)
    assert isinstance(root, S3Backend)  # noqa: S101 - checked above
    provision_storage(
        root,
        root_keys=(
            settings.s3_access_key.get_secret_value(),
            settings.s3_secret_key.get_secret_value(),
        ),
        secure=settings.s3_secure,
        app_access_key=app_access_key,
        app_secret_key=secret,
    )
    typer.echo(
        _("Opslag ingericht; Beeldkluis draait voortaan als %(app_access_key)s.")
        % {"app_access_key": app_access_key}
    )
