"""The web app in a real browser (Debian's chromium through Playwright) against a real server, on the
embedded default (SQLite, local store, filesystem broker) and on the full stack (PostgreSQL, MinIO,
Redis). Each page is watched for requests to anywhere else and for Content-Security-Policy breaches.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import redis

from tests.factories import SupervisionLinkFactory, bound
from tests.support.api import Api
from tests.support.families import consent_body
from tests.support.web import _clip_with_video, _name
from vault.db import unit_of_work

# Words that give away English left in a Dutch page (issue #22); text marked lang="en" (the English
# beside the Dutch in the parents' package) and code (commands, file names) are not read.
# ("download" and "upload" are not among them: they are Dutch too, as noun and imperative.)


@pytest.fixture(params=["embedded", "full"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """Overrides the shared fixture: `embedded` is `make run`'s default, `full` is production's parts."""
    if request.param == "embedded":
        return f"sqlite:///{tmp_path / 'web.db'}"
    request.getfixturevalue("s3_env")
    broker = request.getfixturevalue("redis_db")(3)
    redis.Redis.from_url(broker).flushdb()  # nothing left over from an earlier test's tasks
    monkeypatch.setenv("BEELDKLUIS_BROKER_URL", broker)
    return str(request.getfixturevalue("fresh_postgres"))


@pytest.fixture
def supervised(api: Api, server: str, stream_worker: None, tmp_path: Path) -> dict[str, Any]:
    """An opleider linked to a trainer whose family gave supervision consent for a 9 s clip."""
    trainer, opleider = api.account("trainer"), api.account("opleider")
    with unit_of_work() as db, bound(db):
        SupervisionLinkFactory(trainee_id=trainer.id, opleider_id=opleider.id)
    world = _clip_with_video(api, trainer, server, tmp_path, "Bad", seconds=9)
    given = api.client.post(
        f"/api/v1/families/{world['family']['id']}/consents",
        headers=world["headers"],
        json=consent_body(world, "supervision"),
    )
    assert given.status_code == 201, given.text
    return {
        **world,
        "trainer": trainer,
        "opleider": opleider,
        "trainer_name": _name(trainer),
        "opleider_name": _name(opleider),
    }
