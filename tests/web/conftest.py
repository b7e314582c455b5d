"""The web app in a real browser (Debian's chromium through Playwright) against a real server, on the
embedded default (SQLite, local store, filesystem broker) and on the full stack (PostgreSQL, MinIO,
Redis). Each page is watched for requests to anywhere else and for Content-Security-Policy breaches.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

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
