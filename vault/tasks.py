"""Celery tasks of the service core. Domain tasks live beside their domain and are named vault.<queue>.*."""

from __future__ import annotations

from vault import __version__
from vault.worker import celery_app


@celery_app.task(name="vault.ping", acks_late=True, ignore_result=False)
def ping(token: str) -> str:
    """A round trip through broker and worker, used by health checks and tests."""
    return f"pong:{token}:{__version__}"


@celery_app.task(name="vault.store_sweep", acks_late=True)
def store_sweep() -> bool:
    """Hourly: clean what a crash left in the object store and the imports (`beeldkluis store check
    --repair` on its own schedule); what needs a person is logged."""
    import logging

    from vault.store._objects import GRACE
    from vault.store.cli import sweep

    return sweep(GRACE, repair=True, say=logging.getLogger("vault.store").warning)
