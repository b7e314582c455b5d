"""Celery tasks of the service core. Domain tasks live beside their domain and are named vault.<queue>.*."""

from __future__ import annotations

from vault import __version__
from vault.worker import celery_app


@celery_app.task(name="vault.ping", acks_late=True, ignore_result=False)
def ping(token: str) -> str:
    """A round trip through broker and worker, used by health checks and tests."""
    return f"pong:{token}:{__version__}"
