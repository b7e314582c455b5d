"""The `beeldkluis` command: serve, worker, migrate, users and, per domain, more subcommands."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from vault import __version__
from vault.i18n import _, english
from vault.settings import get_settings

app = typer.Typer(
    name="beeldkluis",
    help=_("Beeldkluis: privacy-first kluis voor beeldmateriaal van video-hometraining."),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # a traceback never prints a key or a passphrase held in a local
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"beeldkluis {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help=_("Toon de versie en stop."),
        ),
    ] = False,
) -> None:
    """Beeldkluis."""


def _worker_argv(
    queues: str, concurrency: int, beat_schedule: Path | None = None, name: str = "beeldkluis"
) -> list[str]:
    """The worker's argv; with `beat_schedule`, it also runs the periodic tasks (checkpoints, purges,
    the key schedule, the export sweep): the embedded default has no separate beat."""
    beat = ["--beat", "--schedule", str(beat_schedule)] if beat_schedule else []
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "vault.worker:celery_app",
        "worker",
        "--queues",
        queues,
        "--concurrency",
        str(concurrency),
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
        "--hostname",
        f"{name}-{os.getpid()}@%h",
        *beat,
    ]


def _die_with_parent(queues: str) -> Callable[[], None]:
    """In the worker child, before exec: the kernel sends it SIGTERM when `serve` ends, however it ends
    (uvicorn re-raises SIGTERM after its own shutdown, so no `finally` of ours runs then); and it runs
    at its queues' CPU budget."""
    import ctypes

    from vault.worker import niceness

    nice = niceness(queues)

    def before_exec() -> None:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        os.setpriority(os.PRIO_PROCESS, 0, max(nice, os.getpriority(os.PRIO_PROCESS, 0)))

    return before_exec


@app.command(help=_("Start de webservice (met ingebouwde standaarden)."))
def serve(
    host: Annotated[str | None, typer.Option(help=_("Adres om op te luisteren."))] = None,
    port: Annotated[int | None, typer.Option(help=_("Poort."))] = None,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help=_(
                "Proxy-adressen (kommagescheiden) waarvan X-Forwarded-For/-Proto wordt geloofd; anders niemand dan 127.0.0.1."
            )
        ),
    ] = None,
) -> None:
    import uvicorn

    from vault.bootstrap import prepare
    from vault.worker import QUEUES

    settings = get_settings()
    prepare(settings)
    workers = []
    if settings.embedded_worker:
        # Review segments get a worker of their own, so an export or a proxy never starves a viewer.
        background = ",".join(q for q in QUEUES if q != "stream")
        for queues, argv in (
            (background, _worker_argv(background, 2, settings.data_dir / "celerybeat-schedule")),
            ("stream", _worker_argv("stream", settings.stream_workers, name="beeldkluis-stream")),
        ):
            workers.append(subprocess.Popen(argv, preexec_fn=_die_with_parent(queues)))  # noqa: S603, PLW1509 - our own argv; serve is single-threaded here
    host = host or settings.host
    port = port or settings.port
    # The command as this shell can run it (after `make run`, beeldkluis is in .venv/bin, not on PATH).
    me = sys.argv[0] if os.path.basename(sys.argv[0]) == "beeldkluis" else "beeldkluis"
    me = "beeldkluis" if shutil.which("beeldkluis") == os.path.abspath(me) else os.path.relpath(me)
    typer.echo(
        _(
            "Beeldkluis %(__version__)s luistert op http://%(host)s:%(port)s  (gegevens in %(data_dir)s)\nMaak de eerste beheerder aan met: %(me)s users create EMAIL --admin"
        )
        % {
            "__version__": __version__,
            "host": host,
            "port": port,
            "data_dir": settings.data_dir,
            "me": me,
        }
    )
    try:
        uvicorn.run(
            "vault.app:create_app",
            factory=True,
            host=host,
            port=port,
            log_level="info",
            proxy_headers=True,
            forwarded_allow_ips=forwarded_allow_ips or settings.forwarded_allow_ips,
        )
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=45)  # a live segment job ends within its idle time once nobody asks


@app.command(help=_("Start een Celery-worker voor de wachtrijen."))
def worker(
    queues: Annotated[
        str, typer.Option(help=_("Wachtrijen, kommagescheiden."))
    ] = "ingest,media,export,purge,default,stream",
    concurrency: Annotated[int, typer.Option(help=_("Aantal processen."))] = 2,
) -> None:
    from vault.worker import lower_priority

    argv = _worker_argv(queues, concurrency)
    lower_priority(queues)  # the queues' CPU budget, for the worker and every ffmpeg it starts
    os.execv(argv[0], argv)  # noqa: S606 - become the worker, so signals reach it directly


@app.command(help=_("Start de planner voor periodieke taken (zonder ingebouwde worker)."))
def beat(
    schedule: Annotated[
        Path, typer.Option(help=_("Bestand waarin de planner bijhoudt wat liep."))
    ] = Path("celerybeat-schedule"),
) -> None:
    argv = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "vault.worker:celery_app",
        "beat",
        "--loglevel",
        "INFO",
        "--schedule",
        str(schedule),
    ]
    os.execv(argv[0], argv)  # noqa: S606 - become beat, so signals reach it directly


@app.command(help=_("Gezondheidscontrole voor de container (exitcode 0 = gezond)."))
def health(
    api: Annotated[bool, typer.Option("--api", help=_("De webservice op deze machine."))] = False,
    worker: Annotated[
        bool, typer.Option("--worker", help=_("Een worker op deze machine."))
    ] = False,
    beat: Annotated[
        Path | None, typer.Option("--beat", help=_("Het bestand van de planner."))
    ] = None,
) -> None:
    import socket
    import time

    settings = get_settings()
    healthy = True
    if api:
        import httpx

        try:
            healthy &= (
                httpx.get(f"http://127.0.0.1:{settings.port}/health", timeout=10).status_code == 200
            )
        except httpx.HTTPError:
            healthy = False
    if worker:
        from vault.worker import celery_app

        replies = celery_app.control.ping(timeout=5) or []
        healthy &= any(
            name.endswith(f"@{socket.gethostname()}") for reply in replies for name in reply
        )
    if beat is not None:
        # shelve may add a suffix (.db, .dat) to the name it was given
        files = list(beat.parent.glob(f"{beat.name}*"))
        healthy &= bool(files) and time.time() - max(f.stat().st_mtime for f in files) < 15 * 60
    if not healthy:
        typer.echo(_("ongezond"), err=True)
        raise typer.Exit(1)
    typer.echo(_("gezond"))


@app.command(help=_("Werk het databaseschema bij (of terug)."))
def migrate(
    revision: Annotated[str, typer.Argument(help=_("Doelversie."))] = "head",
    down: Annotated[
        bool,
        typer.Option("--down", help=_("Terug naar deze versie.")),
    ] = False,
) -> None:
    from vault import migrate as migrations

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if down:
        migrations.downgrade(settings.effective_database_url, revision)
    else:
        migrations.upgrade(settings.effective_database_url, revision)
    typer.echo(_("Databaseschema bijgewerkt."))


def _add_domain_commands() -> None:
    """Each domain adds its own sub-commands (users, store, audit, retention, ingest, export)."""
    from vault.accounts.cli import app as users_app
    from vault.audit.cli import app as audit_app
    from vault.keyring.cli import app as keys_app
    from vault.purge.cli import app as retention_app
    from vault.store.cli import app as store_app

    app.add_typer(users_app, name="users")
    app.add_typer(store_app, name="store")
    app.add_typer(audit_app, name="audit")
    app.add_typer(retention_app, name="retention")
    app.add_typer(keys_app, name="keys")
    from vault.export.cli import command as export_command
    from vault.ingest.cli import command as ingest_command

    app.command("ingest", help=_("Importeer een camerakaart."))(ingest_command)
    app.command("export", help=_("Zet het pakket voor de ouders op een stick."))(export_command)


_add_domain_commands()


def main() -> None:
    """Every command: a clear line and an exit code for what a person can fix, never a traceback."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from vault.errors import VaultError

    os.umask(
        0o077
    )  # everything the service writes (database, keys, broker, objects) is for its owner only
    try:
        app()
    except (OperationalError, ProgrammingError) as exc:
        text = str(exc.orig if exc.orig is not None else exc)
        if "no such table" in text or "does not exist" in text and "relation" in text:
            typer.echo(
                _("De database is nog niet ingericht. Voer eerst uit: beeldkluis migrate"), err=True
            )
        else:
            typer.echo(
                _("De database is niet bereikbaar (%(__name__)s).")
                % {"__name__": type(exc.orig or exc).__name__},
                err=True,
            )
        sys.exit(3)
    except VaultError as exc:
        typer.echo(exc.message_en if english() else exc.message_nl, err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
