"""The Celery app: queues per kind of work, tasks that take ids only, enqueued after the commit."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery, Task
from celery.signals import worker_init, worker_process_init
from kombu import Connection, Queue
from kombu import pools as kombu_pools
from kombu.exceptions import OperationalError as KombuOperationalError
from sqlmodel import Session

from vault.db import after_commit
from vault.errors import ServiceUnavailable
from vault.settings import Settings, get_settings

QUEUES = ("ingest", "media", "export", "purge", "default", "stream")

# Modules whose tasks a worker loads at start; one per domain that has background work.
TASK_MODULES = [
    "vault.tasks",
    "vault.audit.tasks",
    "vault.purge.tasks",
    "vault.keyring.tasks",
    "vault.ingest.tasks",
    "vault.export.tasks",
    "vault.media.tasks",
    "vault.media.live",
    "vault.anonymise.tasks",
]


def _transport_options(settings: Settings) -> dict[str, Any]:
    if not settings.effective_broker_url.startswith("filesystem"):
        return {}
    # The embedded default: a real broker in the data dir, so tasks run in a real worker process.
    folder = settings.broker_folder
    for sub in ("out", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "control_folder": str(folder / "control"),
        "data_folder_in": str(folder / "out"),
        "data_folder_out": str(folder / "out"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
        "polling_interval": 0.1,  # a segment job waits for this (the default 1 s shows in time to first segment)
    }


def _result_backend(settings: Settings) -> str:
    if settings.effective_broker_url.startswith("filesystem"):
        results = settings.data_dir / "results"
        results.mkdir(parents=True, exist_ok=True)
        return f"file://{results}"
    return settings.effective_broker_url


def broker_connection(settings: Settings) -> Connection:
    """A fresh connection to the configured broker (health checks; not the app's pool)."""
    return Connection(settings.effective_broker_url, transport_options=_transport_options(settings))


def make_celery(settings: Settings | None = None) -> Celery:
    app = Celery("beeldkluis")
    configure(app, settings or get_settings())
    return app


def configure(app: Celery, settings: Settings) -> None:
    """(Re)apply the settings to an app; drops its connection pools so the next send uses them.

    kombu keeps pools in a process-wide registry keyed by broker URL: a pool closed here would be
    handed out again, closed, the next time the same URL is configured. So the registry is emptied too.
    """
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    kombu_pools.reset()
    app.conf.update(
        broker_url=settings.effective_broker_url,
        broker_transport_options=_transport_options(settings),
        broker_connection_retry_on_startup=True,
        result_backend=_result_backend(settings),
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue="default",
        task_queues=[Queue(name) for name in QUEUES],
        task_routes={
            "vault.ingest.*": {"queue": "ingest"},
            "vault.media.*": {"queue": "media"},
            "vault.export.*": {"queue": "export"},
            "vault.purge.*": {"queue": "purge"},
            "vault.stream.*": {"queue": "stream"},
        },
        timezone="UTC",
        enable_utc=True,
        worker_hijack_root_logger=False,
    )
    app.conf.imports = TASK_MODULES
    app.conf.beat_schedule = {
        "audit-checkpoint": {
            "task": "vault.audit.checkpoint",
            "schedule": float(settings.audit_checkpoint_seconds),
        },
        "purge": {"task": "vault.purge.run", "schedule": 3600.0},
        "master-key-schedule": {"task": "vault.purge.master_schedule", "schedule": 86400.0},
        "export-sweep": {"task": "vault.export.sweep", "schedule": 3600.0},
        "store-sweep": {"task": "vault.store_sweep", "schedule": 3600.0},
        "segment-sweep": {"task": "vault.segments.sweep", "schedule": 60.0},
    }


celery_app = make_celery()


@worker_init.connect
@worker_process_init.connect
def _sweep_scratch(**_: Any) -> None:
    """What a killed worker left in tmpfs (a half-made package, segments) goes before any new work."""
    from vault.media.scratch import sweep

    sweep()


def niceness(queues: str, settings: Settings | None = None) -> int:
    """The nice value of a worker for `queues` (comma separated): the lowest of their budgets."""
    budget = (settings or get_settings()).queue_nice
    return min((budget.get(q.strip(), 0) for q in queues.split(",") if q.strip()), default=0)


def lower_priority(queues: str, settings: Settings | None = None) -> int:
    """Run this process (and what it starts) at the CPU budget of `queues`; returns its nice value.
    Only ever lowers the priority: an unprivileged process cannot raise it again."""
    wanted = max(0, min(19, niceness(queues, settings)))
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if wanted > current:
        os.setpriority(os.PRIO_PROCESS, 0, wanted)
    return max(wanted, current)


def enqueue_after_commit(session: Session, task: Task, *args: Any, **kwargs: Any) -> None:
    """Queue `task` with JSON-able ids once the unit of work has committed; never before."""
    after_commit(session, lambda: send(task, *args, **kwargs))


class BrokerUnavailable(ServiceUnavailable):
    code = "broker_unavailable"

    def __init__(self) -> None:
        super().__init__(
            "De takenwachtrij is tijdelijk niet bereikbaar; uw wijziging is bewaard, maar de verwerking "
            "is niet gestart. Probeer het over een minuut opnieuw.",
            "The task queue is temporarily unavailable; your change was saved but processing did not "
            "start. Retry in a minute.",
            retry_after=60,
        )


def send(task: Task, *args: Any, **kwargs: Any) -> None:
    """Queue a task, trying the broker briefly; BrokerUnavailable (503) when it cannot be reached."""
    try:
        task.apply_async(args=args, kwargs=kwargs, retry_policy=_SEND_RETRY)
    except (KombuOperationalError, OSError):
        raise BrokerUnavailable() from None


_SEND_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
