"""Review segments rendered on the Celery workers (ADR 0007), so that any API process serves any request.

The API decides and logs each segment request as before, then asks for the live job of (viewing session,
clip) that covers segment n: a `stream_job` row, made and enqueued on the `stream` queue if none covers it
(a seek starts a new one). A worker runs the job (`vault.media.jobs.Job`: one ffmpeg into a private tmpfs
folder), seals each whole segment into the object store as a short-lived object of kind `segment` under
its own key, and records "segment n of job J is ready" (`stream_segment`). The API waits for that marker
with a bounded timeout, reads and decrypts the segment and returns it. No segment is plaintext at rest and
none passes through the broker. The viewer's position is written on the job row; the worker keeps ffmpeg
a few segments ahead of it (SIGSTOP/SIGCONT), deletes what the viewer has left behind, and stops when the
viewer stops asking. Job state lives in the database, never in one process: a worker that dies stops
beating, and the next request starts the job again elsewhere.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from contextlib import suppress
from dataclasses import dataclass

from sqlmodel import Field, Session, SQLModel, col, func, select

from keys import KeyDestroyed
from vault.db import keep, release, unit_of_work
from vault.domain.models import Organisation, User
from vault.errors import VaultError
from vault.media.jobs import Busy, Job, SegmentFailed, Spec, Unplayable
from vault.media.still import watermark_text
from vault.recordings.models import Clip, Recording
from vault.settings import Settings, get_settings
from vault.store import BlobNotFound, ObjectKind, ObjectStore, StoredObject, object_name, open_store
from vault.worker import celery_app

log = logging.getLogger("vault.media")

AHEAD = (
    3  # the worker stays this many segments ahead of the viewer; a request further ahead is a seek
)
KEEP_BEHIND = 2  # sealed segments kept behind the viewer (hls.js asks again)
IDLE_S = 30.0  # a job nobody asked anything of for this long stops
BEAT_S = 1.0  # a running job writes that it lives this often
STALE_S = (
    6.0  # a running job silent this long has lost its worker: the next request starts it again
)
QUEUE_WAIT_S = (
    8.0  # a job no worker has taken this long: the viewer is told to wait (503, Retry-After)
)
QUEUE_LOST_S = 120.0  # a job still not taken after this long is made again (its message was lost)
WAIT_S = 40.0  # the longest one segment request waits
POLL_S = 0.05
LIFETIME_S = 600.0  # no segment object lives longer than this, whatever happened to its job
LIVE = ("queued", "running")


class StreamJob(SQLModel, table=True):
    """One live segment job. Times are epoch seconds, comparable across machines."""

    __tablename__ = "stream_job"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    viewer: str = Field(max_length=64, index=True)  # the viewing session
    user_id: uuid.UUID = Field(index=True)
    shown_id: uuid.UUID  # the clip, or the recording for a whole-recording link
    whole: bool = False
    anonymised: bool = False  # the clip's anonymised copy is rendered, not its original (ADR 0017)
    first: int
    last: int
    ready: int  # the newest segment sealed (first - 1: none yet)
    asked: int  # the furthest segment the viewer asked for
    asked_at: float
    state: str = Field(
        default="queued", max_length=16, index=True
    )  # queued running done failed stopped
    beat_at: float = 0.0
    started_at: float = 0.0  # when a worker took it (the queue's share of the first segment)
    created_at: float


class StreamSegment(SQLModel, table=True):
    """Segment n of a job: written (without `ready`) before its object is stored, so that no segment
    object ever exists without a row that names it, then marked ready once the object is there."""

    __tablename__ = "stream_segment"

    job_id: uuid.UUID = Field(primary_key=True)
    n: int = Field(primary_key=True)
    object_id: uuid.UUID
    ready: bool = False
    created_at: float


class TooManyStreams(VaultError):
    status = 429
    code = "too_many_streams"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"U bekijkt al {limit} fragmenten tegelijk; sluit er een en probeer het opnieuw.",
            f"You are already watching {limit} clips at once; close one and retry.",
            retry_after=5,
        )


# The API side --------------------------------------------------------------------------------------


def fetch(
    db: Session,
    *,
    viewer: str,
    user_id: uuid.UUID,
    shown_id: uuid.UUID,
    whole: bool,
    n: int,
    count: int,
    anonymised: bool = False,
) -> bytes:
    """Segment n for this viewing session: from the job that covers it, started if need be. The caller
    has decided and logged the request and committed; every wait here commits, so no transaction (on
    SQLite, a lock) stays open while a worker renders."""
    deadline = time.monotonic() + WAIT_S
    shown = Shown(shown_id, whole, anonymised)
    job = _job_for(db, viewer, user_id, shown, n, count)
    while True:
        segment = db.get(StreamSegment, (job.id, n))
        if segment is not None and segment.ready:
            store = open_store(db, get_settings())
            try:
                data = b"".join(store.iter_plaintext(segment.object_id))
            except (
                BlobNotFound,
                KeyDestroyed,
            ):  # swept between the marker and the read: make it again
                data = b""
            release(db)
            if data:
                return data
        now = time.time()
        if time.monotonic() > deadline:
            keep(db)
            raise SegmentFailed()
        if job.state == "failed":
            raise Unplayable()
        if job.state == "done" and (segment is None or not segment.ready) and n > job.ready:
            raise Unplayable()  # ffmpeg ended well, and the footage ends before this segment
        lost = job.state == "running" and now - job.beat_at > STALE_S
        lost |= job.state == "queued" and now - job.created_at > QUEUE_LOST_S
        if job.state == "stopped":  # the viewer left, or moved on (a seek, another clip) meanwhile
            keep(db)
            raise SegmentFailed()
        if job.state == "done" or lost:  # its worker died (or this segment was left behind): again
            job = _job_for(db, viewer, user_id, shown, n, count)
            continue
        if job.state == "queued" and now - job.created_at > QUEUE_WAIT_S:
            keep(db)
            raise Busy()  # every stream worker is busy; the job keeps its place in the queue
        release(db)
        time.sleep(POLL_S)
        db.expire_all()
        job = db.get(StreamJob, job.id) or job


def _covers(db: Session, job: StreamJob, n: int, now: float) -> bool:
    if n < job.first:
        return False
    if n <= job.ready:
        return db.get(StreamSegment, (job.id, n)) is not None  # not yet left behind
    if job.state not in LIVE:
        return False
    alive = (
        job.state == "queued" and now - job.created_at <= QUEUE_LOST_S
    ) or now - job.beat_at <= STALE_S
    return alive and n <= job.ready + AHEAD


@dataclass(frozen=True)
class Shown:
    """What a job renders: a clip, its anonymised copy (from 0) or a whole recording."""

    id: uuid.UUID
    whole: bool = False
    anonymised: bool = False


def _job_for(
    db: Session, viewer: str, user_id: uuid.UUID, shown: Shown, n: int, count: int
) -> StreamJob:
    """The job of this viewing session that covers n (told how far the viewer got), or a new one."""
    now = time.time()
    mine = db.exec(
        select(StreamJob).where(
            StreamJob.viewer == viewer, col(StreamJob.state).in_((*LIVE, "done"))
        )
    ).all()
    for job in mine:
        same = (job.shown_id, job.whole, job.anonymised) == (
            shown.id,
            shown.whole,
            shown.anonymised,
        )
        if same and _covers(db, job, n, now):
            job.asked, job.asked_at = max(job.asked, n), now
            db.add(job)
            release(db)
            return job
    for job in mine:  # one live job per viewing session: the viewer moved on
        if job.state in LIVE:
            job.state = "stopped"
            db.add(job)
    limit = get_settings().stream_max_jobs
    others = db.exec(
        select(func.count())
        .select_from(StreamJob)
        .where(
            StreamJob.user_id == user_id,
            StreamJob.viewer != viewer,
            col(StreamJob.state).in_(LIVE),
            col(StreamJob.asked_at) > now - IDLE_S,
        )
    ).one()
    if others >= limit:
        keep(db)
        raise TooManyStreams(limit)
    job = StreamJob(
        viewer=viewer,
        user_id=user_id,
        shown_id=shown.id,
        whole=shown.whole,
        anonymised=shown.anonymised,
        first=n,
        last=count - 1,
        ready=n - 1,
        asked=n,
        asked_at=now,
        created_at=now,
    )
    db.add(job)
    release(db)
    render.apply_async(args=[str(job.id)])
    return job


def stop(db: Session, viewer: str, shown_id: uuid.UUID) -> None:
    """The viewer left: a live job stops at its worker's next beat (which deletes its segments); the
    segments of a finished one go now."""
    store = open_store(db, get_settings())
    for job in db.exec(
        select(StreamJob).where(StreamJob.viewer == viewer, StreamJob.shown_id == shown_id)
    ).all():
        if job.state in LIVE:
            job.state = "stopped"
            db.add(job)
        else:
            _forget(db, store, job.id)
            db.delete(job)


# The worker side -----------------------------------------------------------------------------------


@celery_app.task(name="vault.stream.render", acks_late=True)
def render(job_id: str) -> str:
    return run(uuid.UUID(job_id))


def _spec(db: Session, job: StreamJob, settings: Settings) -> tuple[Spec, uuid.UUID]:
    """What the job renders, and the family its segments belong to; the source's key is unwrapped now."""
    clip = None
    if job.whole:
        recording = db.get(Recording, job.shown_id)
        start, end = 0.0, float(recording.duration_s or 0) if recording else 0.0
    else:
        clip = db.get(Clip, job.shown_id)
        recording = db.get(Recording, clip.recording_id) if clip else None
        start, end = (clip.start_s, clip.end_s) if clip else (0.0, 0.0)
    if recording is None or recording.original_object_id is None:
        raise Unplayable()
    copy = clip.anonymised_object_id if clip is not None and job.anonymised else None
    if job.anonymised and copy is None:
        raise Unplayable()  # the copy went (a change of spans or faces, a purge): never the original
    user = db.get(User, job.user_id)
    org = db.get(Organisation, user.organisation_id) if user else None
    mark = watermark_text(
        user.name if user else "", org.name if org else "", job.created_at, job.viewer
    )
    info = json.loads(recording.probe or "{}")
    interlaced = (
        bool(info.get("interlaced")) and recording.proxy_object_id is None and copy is None
    )  # the proxy and the anonymised copy are progressive
    source = copy or recording.proxy_object_id or recording.original_object_id
    container = (
        "mov"  # the proxy and the anonymised copy are (fragmented) MP4
        if copy or recording.proxy_object_id
        else str(info.get("container") or "mov")
    )
    if copy is not None:
        start, end = 0.0, end - start
    store = open_store(db, settings)
    size, read = store.range_reader(source)
    spec = Spec(
        size,
        read,
        interlaced,
        info.get("audio_codec") is not None,
        start,
        end,
        mark,
        settings.watermark_corner,
        settings.ffmpeg,
        container,
    )
    return spec, store.get(source).family_id


def run(job_id: uuid.UUID) -> str:
    """Run one job until the clip ends, the viewer goes, or the job is stopped; returns how it ended."""
    settings = get_settings()
    with unit_of_work() as db:
        job = db.get(StreamJob, job_id, with_for_update=True)
        now = time.time()
        if job is None or job.state not in LIVE:
            return "gone"
        if job.state == "running" and now - job.beat_at <= STALE_S:
            return "taken"  # a redelivered twin: the job has its worker
        if now - job.asked_at > IDLE_S:
            job.state = "stopped"
            db.add(job)
            return "idle"  # the viewer gave up while it waited in the queue
        try:
            spec, family_id = _spec(db, job, settings)
        except Exception:  # noqa: BLE001 - a clip gone, a key shredded: this job can never play
            log.warning("stream job cannot start", exc_info=True)
            job.state = "failed"
            db.add(job)
            return "failed"
        job.state, job.beat_at, job.started_at = "running", now, job.started_at or now
        start, asked, asked_at = job.ready + 1, job.asked, job.asked_at
        db.add(job)
    outcome, live = "stopped", None
    try:
        live = Job(spec, start)
        nxt, beat, paused = start, time.monotonic(), False
        while True:
            code = live.proc.poll()
            for (
                n
            ) in live.whole():  # sealed up to AHEAD past the viewer; once ffmpeg is done, all of it
                if n == nxt and (code == 0 or nxt - 1 <= asked + AHEAD):
                    _seal(settings, job_id, family_id, n, live.take(n))
                    nxt += 1
            if live.broken:
                log.warning("%s", live.failure())
                outcome = "failed"
                break
            if code == 0:
                outcome = "done"
                break
            if time.monotonic() - beat >= BEAT_S:
                beat = time.monotonic()
                with unit_of_work() as db:
                    job = db.get(StreamJob, job_id)
                    if job is None or job.state != "running":
                        break
                    job.beat_at = time.time()
                    asked, asked_at = job.asked, job.asked_at
                    db.add(job)
                    _forget(db, open_store(db, settings), job_id, below=asked - KEEP_BEHIND)
                if time.time() - asked_at > IDLE_S:
                    break
            if (nxt - 1 > asked + AHEAD) != paused:
                paused = not paused
                live.pause(paused)
            time.sleep(POLL_S)
    except BaseException:
        outcome = "stopped"
        raise
    finally:
        if live is not None:
            live.stop()
        with unit_of_work() as db:
            job = db.get(StreamJob, job_id)
            if job is not None and job.state == "running":
                job.state = outcome
                db.add(job)
            if outcome == "stopped" or job is None:
                _forget(db, open_store(db, settings), job_id)
    return outcome


def _seal(settings: Settings, job_id: uuid.UUID, family_id: uuid.UUID, n: int, data: bytes) -> None:
    """Segment n into the store, sealed under its own key, then marked ready."""
    object_id = uuid.uuid4()
    with unit_of_work() as db:
        old = db.get(StreamSegment, (job_id, n))
        if old is not None:  # left by a worker that died while it stored it
            _drop(db, open_store(db, settings), old)
        db.add(StreamSegment(job_id=job_id, n=n, object_id=object_id, created_at=time.time()))
    with unit_of_work() as db:
        store = open_store(db, settings)
        store.put(family_id=family_id, kind=ObjectKind.segment, source=[data], object_id=object_id)
        segment = db.get(StreamSegment, (job_id, n))
        job = db.get(StreamJob, job_id)
        if (
            segment is None or job is None
        ):  # swept meanwhile (the viewer left long ago): keep nothing
            store.delete(object_id)
            return
        segment.ready, job.ready = True, max(job.ready, n)
        db.add(segment)
        db.add(job)


def _drop(db: Session, store: ObjectStore, segment: StreamSegment) -> None:
    if db.get(StoredObject, segment.object_id) is not None:
        with suppress(BlobNotFound):
            store.delete(segment.object_id)
    else:  # stored but never marked: the blob may be there without a row of its own
        store.backend.delete(object_name(ObjectKind.segment, segment.object_id))
        store.shred_key(segment.object_id)
    db.delete(segment)
    db.flush()


def _forget(db: Session, store: ObjectStore, job_id: uuid.UUID, below: int | None = None) -> int:
    query = select(StreamSegment).where(StreamSegment.job_id == job_id)
    if below is not None:
        query = query.where(StreamSegment.n < below)
    segments = db.exec(query).all()
    for segment in segments:
        _drop(db, store, segment)
    return len(segments)


@celery_app.task(name="vault.segments.sweep")
def sweep_task() -> int:
    return sweep()


def sweep(grace: float = IDLE_S) -> int:
    """Remove the segments and rows of jobs that ended (or lost their worker) and were not asked for in
    `grace` seconds, every segment older than its lifetime, and any segment object without a row."""
    now = time.time()
    removed = 0
    with unit_of_work() as db:
        store = open_store(db, get_settings())
        for job in db.exec(select(StreamJob)).all():
            lost = (job.state == "running" and now - job.beat_at > STALE_S) or job.state == "queued"
            if (job.state not in LIVE or lost) and now - job.asked_at >= grace:
                removed += _forget(db, store, job.id)
                db.delete(job)
        for segment in db.exec(
            select(StreamSegment).where(col(StreamSegment.created_at) < now - LIFETIME_S)
        ).all():
            _drop(db, store, segment)
            removed += 1
        db.flush()
        named = {s.object_id.hex for s in db.exec(select(StreamSegment)).all()}
        for name, _size in list(store.backend.listing(f"{ObjectKind.segment}/")):
            if name.rsplit("/", 1)[-1].replace("-", "") not in named:
                store.backend.delete(name)
                with suppress(ValueError):
                    object_id = uuid.UUID(name.rsplit("/", 1)[-1])
                    if (row := db.get(StoredObject, object_id)) is not None:
                        db.delete(row)
                    store.shred_key(object_id)
                removed += 1
    return removed
