"""The anonymising job with muted spans, end to end on production's database and the real MinIO: the copy
is silent inside the trainer's spans and not outside; a change of spans removes a copy made without them
(unlinked, deleted through the store, logged), also when it comes while the job is running."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import psutil
from sqlmodel import select

from tests.anonymise.conftest import END, MARGIN, START, audio, decoder_under, loudness, spans
from tests.support.api import Api
from vault.anonymise.tasks import make_anonymised
from vault.audit import AuditRecord
from vault.db import unit_of_work
from vault.keyring.models import ObjectDekRow
from vault.recordings.models import Clip
from vault.settings import get_settings
from vault.store import ObjectKind, StoredObject, backend_from_settings, open_store


def copy_of(clip_id: uuid.UUID) -> uuid.UUID | None:
    with unit_of_work() as db:
        clip = db.get(Clip, clip_id)
        assert clip is not None
        return clip.anonymised_object_id


def copy_audio(object_id: uuid.UUID) -> Any:
    with unit_of_work() as db:
        return audio(b"".join(open_store(db, get_settings()).iter_plaintext(object_id)))


def silent(samples: Any, a: float, b: float) -> bool:
    """Silent from a to b (seconds of the recording), within the margin."""
    return max(loudness(samples, a - START + MARGIN, b - START - MARGIN)) < 1e-4


def sounding(samples: Any, a: float, b: float) -> bool:
    return min(loudness(samples, a - START + MARGIN, b - START - MARGIN)) > 0.03


def gone(object_id: uuid.UUID) -> bool:
    """No row, no key and no stored version of the object."""
    names = {name for name, _ in backend_from_settings(get_settings()).listing()}
    with unit_of_work() as db:
        return (
            db.get(StoredObject, object_id) is None
            and db.get(ObjectDekRow, object_id) is None
            and f"anonymised/{object_id.hex[:2]}/{object_id}" not in names
        )


def test_a_change_of_spans_removes_the_copy_made_without_it(
    api: Api, footage_clip: dict[str, Any]
) -> None:
    h, clip_id = footage_clip["headers"], footage_clip["clip_id"]
    url = f"/api/v1/clips/{clip_id}/mute"
    assert api.client.put(url, headers=h, json=spans((1.0, 1.5))).status_code == 200
    assert make_anonymised(clip_id) == "made"
    first = copy_of(clip_id)
    assert first is not None
    samples = copy_audio(first)
    assert silent(samples, 1.0, 1.5)
    assert sounding(samples, START, 1.0)
    assert sounding(samples, 1.5, END)

    # The same spans again: nothing changes, the copy stays.
    assert api.client.put(url, headers=h, json=spans((1.0, 1.5))).status_code == 200
    assert copy_of(clip_id) == first
    # Another span: the copy made without it is unlinked and deleted through the store, logged.
    changed = api.client.put(url, headers=h, json=spans((1.0, 1.5), (2.5, 3.0)))
    assert changed.status_code == 200, changed.text
    assert copy_of(clip_id) is None
    assert gone(first)
    with unit_of_work() as db:
        deleted = db.exec(
            select(AuditRecord).where(
                AuditRecord.object_id == str(first), AuditRecord.action == "delete"
            )
        ).all()
    assert [(r.reason, r.object_type) for r in deleted] == [("mute_changed", "anonymised")]
    # Made again, with both spans.
    assert make_anonymised(clip_id) == "made"
    second = copy_of(clip_id)
    assert second is not None
    samples = copy_audio(second)
    assert silent(samples, 1.0, 1.5)
    assert silent(samples, 2.5, 3.0)
    assert sounding(samples, 1.5, 2.5)


def test_spans_changed_while_the_job_runs_are_in_the_copy_it_keeps(
    api: Api, footage_clip: dict[str, Any]
) -> None:
    h, clip_id = footage_clip["headers"], footage_clip["clip_id"]
    outcome: list[str] = []
    job = threading.Thread(target=lambda: outcome.append(make_anonymised(clip_id)))
    job.start()
    me, deadline = psutil.Process(), time.monotonic() + 60
    while decoder_under(me) is None:  # the job is decoding: the spans it read are none
        assert time.monotonic() < deadline, "the job never started decoding"
        time.sleep(0.02)
    changed = api.client.put(f"/api/v1/clips/{clip_id}/mute", headers=h, json=spans((2.0, 2.6)))
    assert changed.status_code == 200, changed.text
    job.join(timeout=300)
    assert outcome == ["made"]
    kept = copy_of(clip_id)
    assert kept is not None
    samples = copy_audio(kept)
    assert silent(samples, 2.0, 2.6)  # the copy made without the span was not kept
    assert sounding(samples, START, 2.0)
    with unit_of_work() as db:
        copies = db.exec(
            select(StoredObject).where(StoredObject.kind == ObjectKind.anonymised)
        ).all()
        assert [c.id for c in copies] == [kept]
