"""The media task: a normalised proxy of each recording (720p at most, H.264, 25 fps CFR, upright,
deinterlaced, a keyframe every second, metadata stripped), streamed from ffmpeg as fragmented MP4 straight
into the encrypted store: no file, not even in tmpfs. Review segments then start from it."""

from __future__ import annotations

import json
import subprocess
import time
import uuid

from vault import audit
from vault.db import release, unit_of_work
from vault.media.ffmpeg import Process, TookTooLong, input_args, time_limit
from vault.media.rangeserver import serve_range
from vault.recordings.models import Recording
from vault.settings import get_settings
from vault.store import ObjectKind, open_store
from vault.worker import celery_app

PIECE = 1024 * 1024


def proxy_command(
    source_url: str, interlaced: bool, ffmpeg: str = "ffmpeg", container: str = "mov"
) -> list[str]:
    filters = ["yadif"] if interlaced else []
    filters += [
        "scale=-2:'min(720,ih)'",
        "fps=25",
        "format=yuv420p",
    ]  # down, never up; autorotated upright
    return [
        ffmpeg,
        "-hide_banner",
        "-nostdin",
        "-v",
        "error",
        *input_args(source_url, container),
        "-map",
        "0:v:0",
        "-map",
        "0:a:0?",
        "-vf",
        ",".join(filters),
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "20",
        "-g",
        "25",
        "-bf",
        "0",
        "-fps_mode",
        "cfr",
        "-c:a",
        "aac",
        "-ac",
        "2",
        "-b:a",
        "128k",
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        "-sn",
        "-dn",
        "-metadata:s:v",
        "rotate=0",
        "-avoid_negative_ts",
        "disabled",
        "-f",
        "mp4",
        "-movflags",
        "frag_keyframe+empty_moov+default_base_moof",
        "pipe:1",
    ]


def make_proxy(recording_id: uuid.UUID) -> str:
    """Idempotent: a recording that has a proxy, or no original any more, is left alone."""
    settings = get_settings()
    with unit_of_work() as db:
        recording = db.get(Recording, recording_id)
        if recording is None or recording.original_object_id is None:
            return "missing"
        if recording.proxy_object_id is not None:
            return "exists"
        info = json.loads(recording.probe or "{}")
        interlaced, container = bool(info.get("interlaced")), str(info.get("container") or "mov")
        limit = time_limit(float(recording.duration_s or 0), per_second=4.0)
        store = open_store(db, settings)
        size, read = store.range_reader(recording.original_object_id)
        family_id = store.get(recording.original_object_id).family_id
        with (
            serve_range(size, read) as url,
            store.writer(family_id=family_id, kind=ObjectKind.proxy) as out,
        ):
            release(
                db
            )  # keys are unwrapped and the new one stored; no transaction stays open meanwhile
            ffmpeg = Process(
                proxy_command(url, interlaced, settings.ffmpeg, container),
                what="proxy",
                stdout=subprocess.PIPE,
            )
            try:
                assert ffmpeg.proc.stdout is not None  # noqa: S101 - PIPE was asked for
                deadline = time.monotonic() + limit
                while piece := ffmpeg.proc.stdout.read(PIECE):
                    out.write(piece)
                    if time.monotonic() > deadline:
                        raise TookTooLong("proxy")
                ffmpeg.check()  # the writer discards the half-made proxy; serve_range checks the source
            finally:
                ffmpeg.kill()
        db.expire_all()
        recording = db.get(Recording, recording_id, with_for_update=True)
        if recording is None or recording.original_object_id is None:  # purged meanwhile
            store.delete(out.object_id)
            return "missing"
        if recording.proxy_object_id is not None:  # a redelivered twin finished first: keep one
            store.delete(out.object_id)
            return "exists"
        recording.proxy_object_id = out.object_id
        db.add(recording)
        audit.record(
            db,
            action="create",
            outcome="success",
            reason="proxy",
            family_id=family_id,
            object_id=out.object_id,
            object_type="proxy",
        )
    return "made"


@celery_app.task(name="vault.media.proxy", acks_late=True)
def proxy(recording_id: str) -> str:
    return make_proxy(uuid.UUID(recording_id))
