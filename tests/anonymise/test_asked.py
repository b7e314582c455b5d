"""The anonymised copy asked for, as its trainer sees it (ADR 0017, decision 9): "making" from the moment
it is queued until the job ends, one job however often she asks meanwhile, and "failed" when the job
could not make it (a damaged original), with the failure in the audit log; asked again, it is queued
again. On production's database and the real MinIO; the job runs in-process."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from tests.support.api import Api, free_port
from tests.support.families import say_in_view
from tests.support.store import tamper
from tests.support.web import _cookie_sign_in
from vault.anonymise.tasks import make_anonymised
from vault.audit import AuditRecord
from vault.db import unit_of_work
from vault.media import SourceUnreadable
from vault.recordings.models import Clip
from vault.settings import Settings, get_settings
from vault.worker import celery_app, configure


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """On the embedded SQLite default too (its times come back without a zone), and on production's
    database with the real MinIO."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    request.getfixturevalue("s3_env")
    return str(request.getfixturevalue("fresh_postgres"))


def _queued() -> int:
    """Anonymising jobs waiting in the test's broker (Celery's filesystem transport: a file each)."""
    folder = get_settings().broker_folder
    return sum(b"vault.media.anonymise" in f.read_bytes() for f in folder.rglob("*") if f.is_file())


def test_asking_again_while_the_copy_is_made_queues_no_second_job(
    api: Api, footage_clip: dict[str, Any]
) -> None:
    h, clip_id = footage_clip["headers"], footage_clip["clip_id"]
    clip = f"/api/v1/clips/{clip_id}"
    say_in_view(api, footage_clip, str(clip_id), people=("child",), others=True)
    before = _queued()

    asked = api.client.post(f"{clip}/anonymise", headers=h)
    assert asked.status_code == 202, asked.text
    assert asked.json()["anonymised"] == "making"
    again = api.client.post(f"{clip}/anonymise", headers=h)
    assert again.status_code == 200
    assert again.json()["anonymised"] == "making"
    assert _queued() - before == 1  # one job, however often she asks
    assert api.client.get(clip, headers=h).json()["anonymised"] == "making"

    # A job lost with its broker: after an hour she may ask again, and a job is queued again.
    with unit_of_work() as db:
        row = db.get_one(Clip, clip_id)
        row.anonymise_asked_at = datetime.now(UTC) - timedelta(hours=2)
        db.add(row)
    assert api.client.post(f"{clip}/anonymise", headers=h).status_code == 202
    assert _queued() - before == 2

    # The job makes the copy (both queued jobs may run: the second finds it and keeps it).
    assert make_anonymised(clip_id) == "made"
    made = api.client.get(clip, headers=h).json()
    assert made["anonymised"] == "made"
    assert made["anonymised_asked_at"] is None
    assert make_anonymised(clip_id) == "exists"
    assert api.client.get(clip, headers=h).json()["anonymised"] == "made"


def test_a_copy_that_could_not_be_made_is_failed_and_may_be_asked_for_again(
    api: Api, footage_clip: dict[str, Any]
) -> None:
    h, clip_id = footage_clip["headers"], footage_clip["clip_id"]
    clip = f"/api/v1/clips/{clip_id}"
    tamper(
        footage_clip["original"], 0.5
    )  # a stored chunk inside the fragment no longer authenticates
    assert api.client.post(f"{clip}/anonymise", headers=h).status_code == 202

    with pytest.raises(SourceUnreadable):
        make_anonymised(clip_id)

    failed = api.client.get(clip, headers=h).json()
    assert failed["anonymised"] == "failed"
    assert failed["anonymised_asked_at"] is None
    with unit_of_work() as db:
        logged = db.exec(
            select(AuditRecord).where(
                AuditRecord.object_id == str(clip_id), AuditRecord.outcome == "failure"
            )
        ).all()
    assert [(r.action, r.reason, r.object_type) for r in logged] == [
        ("create", "anonymised", "clip")
    ]
    # The page says so, in Dutch, and offers to try again.
    _cookie_sign_in(api, footage_clip["trainer"], offset_steps=1)
    page = api.client.get(f"/fragmenten/{clip_id}/anonimiseren", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "mislukt" in page.text
    assert "Geanonimiseerde versie maken" in page.text
    again = api.client.post(f"{clip}/anonymise", headers=h)
    assert again.status_code == 202
    assert again.json()["anonymised"] == "making"


def test_a_clip_that_is_gone_leaves_nothing_to_settle(api: Api) -> None:
    assert make_anonymised(uuid.uuid4()) == "missing"


def test_a_broker_out_of_reach_leaves_nothing_making(
    api: Api, footage_clip: dict[str, Any], tmp_path: Path
) -> None:
    h, clip = footage_clip["headers"], f"/api/v1/clips/{footage_clip['clip_id']}"
    configure(
        celery_app, Settings(broker_url=f"redis://127.0.0.1:{free_port()}/0", data_dir=tmp_path)
    )
    try:
        refused = api.client.post(f"{clip}/anonymise", headers=h)
    finally:
        configure(celery_app, get_settings())
    assert refused.status_code == 503
    assert "wachtrij" in refused.json()["detail"]
    assert api.client.get(clip, headers=h).json()["anonymised"] == "none"  # never queued
    assert api.client.post(f"{clip}/anonymise", headers=h).status_code == 202
