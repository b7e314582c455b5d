"""tus behind two API processes (issue #20): an upload's state lives in the database and the object
store, never in one process. On the full stack (PostgreSQL, Redis, MinIO, a Celery worker): PATCHes
alternating between two uvicorn processes behind a round-robin balancer complete and verify, and an API
process killed with SIGKILL in the middle of a PATCH leaves an upload the other process finishes."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tusclient import client as tus

from tests.support.api import Api, RoundRobin, start_api
from tests.support.families import family_with_recording
from tests.support.streaming import database_url as database_url  # PostgreSQL and MinIO only
from tests.support.tus import digest
from vault.db import unit_of_work
from vault.ingest.models import Upload
from vault.media.scratch import root
from vault.settings import get_settings
from vault.store import CheckReport, StoredObject, open_store

PATCH = {"Tus-Resumable": "1.0.0", "Content-Type": "application/offset+octet-stream"}


@pytest.fixture
def two_apis(
    api: Api, worker: None
) -> Iterator[tuple[list[subprocess.Popen[bytes]], list[str], RoundRobin]]:
    env = {
        **os.environ,
        "BEELDKLUIS_DATABASE_URL": get_settings().effective_database_url,
        "BEELDKLUIS_UPLOAD_CLAIM_S": "3",
    }
    started = [start_api(env) for _ in range(2)]
    balancer = RoundRobin([base for _, base in started])
    handler = balancer.httpd.RequestHandlerClass
    handler.do_PATCH = handler.do_HEAD = handler.do_DELETE = handler.do_OPTIONS = handler.do_POST  # type: ignore[attr-defined]
    yield [proc for proc, _ in started], [base for _, base in started], balancer
    for proc, _ in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    balancer.httpd.shutdown()
    balancer.httpd.server_close()


def created(base: str, headers: dict[str, str], trajectory: str, path: Path) -> str:
    meta = ",".join(
        f"{k} {base64.b64encode(v.encode()).decode()}"
        for k, v in {
            "trajectory": trajectory,
            "filename": path.name,
            "sha256": digest(path),
        }.items()
    )
    answer = httpx.post(
        f"{base}/api/v1/uploads",
        headers={
            **headers,
            "Tus-Resumable": "1.0.0",
            "Upload-Length": str(path.stat().st_size),
            "Upload-Metadata": meta,
        },
    )
    assert answer.status_code == 201, answer.text
    return str(answer.headers["Location"])


def verified(base: str, headers: dict[str, str], location: str) -> dict:  # type: ignore[type-arg]
    """The status once the worker has checked the upload (polled; the worker decides, not the clock)."""
    for _ in range(600):
        status = httpx.get(f"{base}{location}", headers=headers).json()
        if status["status"] not in ("uploading", "verifying"):
            return status  # type: ignore[no-any-return]
        time.sleep(0.2)
    raise AssertionError(f"upload still {status['status']}")


def plaintext_of(location: str) -> bytes:
    with unit_of_work() as db:
        upload = db.get(Upload, uuid.UUID(location.rsplit("/", 1)[-1]))
        assert upload is not None
        stored = db.get(StoredObject, upload.object_id)
        assert stored is not None
        return b"".join(open_store(db, get_settings()).iter_plaintext(stored.id))


def no_plaintext_at_rest(sample: bytes) -> None:
    """No file of this test's data directory, the scratch tmpfs or this test's buckets holds the sample."""
    settings = get_settings()
    minio = Path(os.environ["BEELDKLUIS_TEST_SERVICES_DIR"], "minio", "data")
    places = [
        settings.data_dir,
        root(),
        *(minio / b for b in (settings.bucket, settings.worm_bucket)),
    ]
    for place in places:
        for path in Path(place).rglob("*") if Path(place).exists() else []:
            if path.is_file():
                assert sample not in path.read_bytes(), path


def test_tus_patches_alternating_between_two_apis_complete_and_verify(
    two_apis: tuple[list[subprocess.Popen[bytes]], list[str], RoundRobin],
    api: Api,
    videos: dict[str, Path],
) -> None:
    _, _, balancer = two_apis
    world = family_with_recording(api, api.account("trainer"))
    h, trajectory = world["headers"], world["trajectory"]["id"]
    path = videos["big"]
    data = path.read_bytes()

    # tuspy, as the CLI uses it, with PATCHes that end in the middle of a sealed chunk
    client = tus.TusClient(f"{balancer.url}/api/v1/uploads", headers=h)
    with open(path, "rb") as stream:
        uploader = client.uploader(
            file_stream=stream,
            chunk_size=7 * 1024 * 1024 + 12345,
            metadata={"trajectory": trajectory, "filename": path.name, "sha256": digest(path)},
        )
        uploader.upload()
    by_tuspy = "/api/v1/" + str(uploader.url).split("/api/v1/", 1)[1]

    # raw PATCHes, each at the offset the previous answer gave
    by_hand = created(balancer.url, h, trajectory, path)
    offset, step = 0, 3 * 1024 * 1024 + 777
    while offset < len(data):
        answer = httpx.patch(
            f"{balancer.url}{by_hand}",
            headers={**h, **PATCH, "Upload-Offset": str(offset)},
            content=data[offset : offset + step],
            timeout=120,
        )
        assert answer.status_code == 204, answer.text
        assert int(answer.headers["Upload-Offset"]) > offset
        offset = int(answer.headers["Upload-Offset"])
        head = httpx.head(f"{balancer.url}{by_hand}", headers={**h, "Tus-Resumable": "1.0.0"})
        assert int(head.headers["Upload-Offset"]) == offset  # the other process says the same
    assert offset == len(data)

    patches = [(p, k) for p, k, _ in balancer.log if p in (by_tuspy, by_hand)]
    assert {k for _, k in patches} == {0, 1}  # both processes took PATCHes of the same uploads
    assert [s for p, _, s in balancer.log if p in (by_tuspy, by_hand)].count(409) == 0
    for location in (by_tuspy, by_hand):
        status = verified(balancer.url, h, location)
        assert status["status"] == "stored", status
        assert status["sha256"] == digest(path)
        assert plaintext_of(location) == data
    no_plaintext_at_rest(data[1000:1064])
    assert settled_store().clean  # no tail or carry left behind


def settled_store() -> CheckReport:
    """The store check once the worker's own work on these uploads (their proxies) has landed: a
    proxy being written is an object whose row comes when it is done. A leftover never settles."""
    for _ in range(600):
        with unit_of_work() as db:
            report = open_store(db, get_settings()).check()
        if report.clean:
            return report
        time.sleep(0.2)
    return report


def test_an_api_killed_mid_patch_leaves_an_upload_the_other_finishes(
    two_apis: tuple[list[subprocess.Popen[bytes]], list[str], RoundRobin],
    api: Api,
    videos: dict[str, Path],
) -> None:
    procs, bases, _ = two_apis
    world = family_with_recording(api, api.account("trainer"))
    h, trajectory = world["headers"], world["trajectory"]["id"]
    path = videos["big"]
    data = path.read_bytes()
    location = created(bases[0], h, trajectory, path)
    first = httpx.patch(
        f"{bases[1]}{location}",
        headers={**h, **PATCH, "Upload-Offset": "0"},
        content=data[: 5 * 1024 * 1024 + 3],
        timeout=120,
    )
    assert first.status_code == 204
    offset = int(first.headers["Upload-Offset"])

    sent, hang = threading.Event(), threading.Event()

    def body() -> Iterator[bytes]:
        for start in range(offset, offset + 20 * 1024 * 1024, 1024 * 1024):
            yield data[start : start + 1024 * 1024]
        sent.set()
        hang.wait(60)

    cut: list[object] = []

    def send() -> None:
        try:
            cut.append(
                httpx.patch(
                    f"{bases[0]}{location}",
                    headers={**h, **PATCH, "Upload-Offset": str(offset)},
                    content=body(),
                    timeout=120,
                )
            )
        except httpx.HTTPError as exc:
            cut.append(exc)

    sender = threading.Thread(target=send)
    sender.start()
    assert sent.wait(120)
    procs[0].send_signal(signal.SIGKILL)  # a machine dying in the middle of a PATCH
    procs[0].wait(timeout=10)
    hang.set()
    sender.join(60)
    assert len(cut) == 1, cut
    assert isinstance(cut[0], httpx.HTTPError), cut  # the connection dropped

    # The client asks the survivor where to go on, and goes on there (423 while the dead claim lasts).
    statuses = []
    for _ in range(120):
        head = httpx.head(f"{bases[1]}{location}", headers={**h, "Tus-Resumable": "1.0.0"})
        assert head.status_code == 200
        at = int(head.headers["Upload-Offset"])
        assert at >= offset
        answer = httpx.patch(
            f"{bases[1]}{location}",
            headers={**h, **PATCH, "Upload-Offset": str(at)},
            content=data[at:],
            timeout=120,
        )
        statuses.append(answer.status_code)
        if answer.status_code == 204:
            break
        assert answer.status_code == 423, answer.text
        time.sleep(0.5)
    assert statuses[-1] == 204, statuses
    assert int(answer.headers["Upload-Offset"]) == len(data)
    status = verified(bases[1], h, location)
    assert status["status"] == "stored", status
    assert plaintext_of(location) == data
    no_plaintext_at_rest(data[1000:1064])
    assert settled_store().clean


def _claim_of(location: str) -> tuple[str, int]:
    with unit_of_work() as db:
        upload = db.get(Upload, uuid.UUID(location.rsplit("/", 1)[-1]))
        assert upload is not None
        return upload.claim, upload.claim_until


# The first PATCH leaves a 3 MiB tail. The stalled PATCH holds just under one part (16 MiB) when it
# stalls, so its first bytes after the stall would cut part 1; the client's next PATCH has stored part 1
# by then, cut elsewhere (at its end, 15 MiB).
STALLED_FIRST, AGAIN_FIRST = 12 * 1024 * 1024 + 900 * 1024 + 5, 12 * 1024 * 1024 + 777


def test_a_patch_stalled_past_its_claim_cannot_interleave_and_the_client_goes_on(
    two_apis: tuple[list[subprocess.Popen[bytes]], list[str], RoundRobin],
    api: Api,
    videos: dict[str, Path],
) -> None:
    """A PATCH whose client stalls longer than the claim (3 s here) loses the upload to the client's
    next try (HEAD, then PATCH from the offset actually committed, on the other process). When the stalled
    PATCH's bytes come after all, it stores nothing and ends (423): the upload is the new PATCH's, and
    it completes with every byte once, verified."""
    _, bases, _ = two_apis
    world = family_with_recording(api, api.account("trainer"))
    h, trajectory = world["headers"], world["trajectory"]["id"]
    path = videos["big"]
    data = path.read_bytes()
    location = created(bases[0], h, trajectory, path)
    first = httpx.patch(
        f"{bases[1]}{location}",
        headers={**h, **PATCH, "Upload-Offset": "0"},
        content=data[: 3 * 1024 * 1024 + 3],
        timeout=120,
    )
    assert first.status_code == 204
    offset = int(first.headers["Upload-Offset"])

    def body(start: int, first: int, go: threading.Event, sent: threading.Event) -> Iterator[bytes]:
        """`first` bytes, a stall until `go`, then the rest of the file."""
        for at in range(start, start + first, 1024 * 1024):
            yield data[at : min(at + 1024 * 1024, start + first)]
        sent.set()
        assert go.wait(120)
        for at in range(start + first, len(data), 1024 * 1024):
            yield data[at : at + 1024 * 1024]

    answers: dict[str, httpx.Response | Exception] = {}

    def send(name: str, base: str, first: int, go: threading.Event, sent: threading.Event) -> None:
        """A PATCH from `offset` whose body stalls after `first` bytes."""
        try:
            answers[name] = httpx.patch(
                f"{base}{location}",
                headers={**h, **PATCH, "Upload-Offset": str(offset)},
                content=body(offset, first, go, sent),
                timeout=120,
            )
        except Exception as exc:  # noqa: BLE001 - recorded for the assertions below
            answers[name] = exc

    stalled_go, stalled_sent = threading.Event(), threading.Event()
    stalled = threading.Thread(
        target=send, args=("stalled", bases[0], STALLED_FIRST, stalled_go, stalled_sent)
    )
    stalled.start()
    assert stalled_sent.wait(120)
    held = ""
    for _ in range(600):  # until the stalled PATCH holds the upload and its claim has run out
        held, until = _claim_of(location)
        if held and until < time.time() * 1000:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the claim never ran out")

    # The client's next try: where are we (the offset actually committed), then on from there, on the
    # other process: a PATCH of 12 MiB that stores and records a part of its own.
    head = httpx.head(f"{bases[1]}{location}", headers={**h, "Tus-Resumable": "1.0.0"})
    assert head.status_code == 200
    assert int(head.headers["Upload-Offset"]) == offset
    again = httpx.patch(
        f"{bases[1]}{location}",
        headers={**h, **PATCH, "Upload-Offset": str(offset)},
        content=data[offset : offset + AGAIN_FIRST],
        timeout=120,
    )
    assert again.status_code == 204, again.text
    moved = int(again.headers["Upload-Offset"])
    assert moved > offset

    stalled_go.set()  # the stalled PATCH's bytes arrive after all
    stalled.join(120)
    late = answers["stalled"]
    assert isinstance(late, httpx.Response), late
    assert late.status_code == 423, late.text

    # The client goes on from the offset the server has, and finishes.
    head = httpx.head(f"{bases[1]}{location}", headers={**h, "Tus-Resumable": "1.0.0"})
    assert int(head.headers["Upload-Offset"]) == moved
    done = httpx.patch(
        f"{bases[1]}{location}",
        headers={**h, **PATCH, "Upload-Offset": str(moved)},
        content=data[moved:],
        timeout=120,
    )
    assert done.status_code == 204, done.text
    assert int(done.headers["Upload-Offset"]) == len(data)
    status = verified(bases[1], h, location)
    assert status["status"] == "stored", status
    assert plaintext_of(location) == data
    no_plaintext_at_rest(data[1000:1064])
    assert settled_store().clean
