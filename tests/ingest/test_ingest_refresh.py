"""A long import keeps its session: the client refreshes the access token (rotating refresh token) before it
runs out and, once, after a 401, retrying the same chunk. The audit log shows one sign-in and its refreshes.

No test waits for a clock: the access-token lifetime is set shorter than the client's refresh margin
(so every request needs a fresh token), or the server's signing key changes mid-upload (so the token
the client holds is refused on the next PATCH, whatever the time)."""

from __future__ import annotations

import shutil
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import select

from tests.support.api import Api
from tests.support.families import family_with_recording
from tests.support.media import make_video
from vault.audit import AuditRecord
from vault.db import unit_of_work
from vault.ingest.client import ingest
from vault.settings import get_settings


def _card(tmp_path: Path, files: dict[str, Path]) -> Path:
    folder = tmp_path / "card" / "DCIM" / "100CANON"
    folder.mkdir(parents=True)
    for name, source in files.items():
        shutil.copy(source, folder / name)
    return tmp_path / "card"


def _session_log(session_id: str) -> list[tuple[str, str]]:
    with unit_of_work() as db:
        rows = db.exec(select(AuditRecord).where(AuditRecord.session_id == session_id)).all()
        return [
            (r.action, r.reason)
            for r in rows
            if r.action in ("sign_in", "sign_in_failed", "sign_out")
        ]


def _sign_ins(user_id: uuid.UUID) -> int:
    with unit_of_work() as db:
        rows = db.exec(
            select(AuditRecord).where(
                AuditRecord.user_id == user_id, AuditRecord.action == "sign_in"
            )
        ).all()
        return sum(1 for r in rows if r.reason != "session_refreshed")


def test_tokens_shorter_than_the_import_are_refreshed_not_signed_in_again(
    api: Api,
    server: str,
    worker: None,
    videos: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    # Access tokens of 30 s: shorter than the minute before expiry at which the client refreshes, so
    # every request of this import needs a refreshed token; one that is not refreshed is refused.
    monkeypatch.setenv("BEELDKLUIS_ACCESS_TOKEN_MINUTES", "0.5")
    get_settings.cache_clear()
    signed_in = api.sign_in(trainer, 1)
    other = make_video(tmp_path / "other.MP4", seconds=2)
    card = _card(
        tmp_path,
        {"MVI_0001.MP4": videos["good"], "GH010042.MP4": videos["big"], "MVI_0005.MP4": other},
    )
    lines: list[str] = []
    outcome = ingest(
        card,
        world["trajectory"]["id"],
        server=server,
        token=signed_in["access_token"],
        refresh_token=signed_in["refresh_token"],
        expires_at=datetime.fromisoformat(signed_in["expires_at"]),
        say=lines.append,
        wait_seconds=180,
        part=16 * 1024 * 1024,
    )
    assert sorted(p.name for p in outcome.stored) == [
        "GH010042.MP4",
        "MVI_0001.MP4",
        "MVI_0005.MP4",
    ], lines
    assert outcome.card_may_be_wiped
    log = _session_log(signed_in["session_id"])
    assert log[0] == ("sign_in", "")
    refreshed = [entry for entry in log[1:] if entry == ("sign_in", "session_refreshed")]
    assert len(refreshed) >= 5  # scans, creates, PATCHes, status polls: each after a refresh
    assert len(refreshed) == len(log) - 1  # nothing else: no failure, no sign-out, no reuse
    assert _sign_ins(trainer.id) == 2  # the fixture's own sign-in and this session's: none added


def test_a_token_refused_mid_upload_is_refreshed_once_and_the_same_chunk_sent_again(
    api: Api,
    server: str,
    worker: None,
    videos: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    signed_in = api.sign_in(trainer, 1)
    card = _card(tmp_path, {"GH010042.MP4": videos["big"], "MVI_0001.MP4": videos["good"]})
    rotated: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        if (
            "GH010042.MP4" in line and "%" in line and not rotated
        ):  # after the first of several PATCHes
            # The server's signing key changes (a rotation, a restart with a new key): every access
            # token signed before is refused from now on; the session and its refresh token live on.
            monkeypatch.setenv("BEELDKLUIS_SECRET_KEY", "een-nieuwe-sleutel-" + uuid.uuid4().hex)
            get_settings.cache_clear()
            rotated.append(line)

    lines: list[str] = []
    outcome = ingest(
        card,
        world["trajectory"]["id"],
        server=server,
        token=signed_in["access_token"],
        refresh_token=signed_in["refresh_token"],
        expires_at=datetime.fromisoformat(signed_in["expires_at"]),
        say=say,
        wait_seconds=180,
        part=16 * 1024 * 1024,
    )
    assert rotated
    assert not rotated[0].endswith("100%")
    assert sorted(p.name for p in outcome.stored) == ["GH010042.MP4", "MVI_0001.MP4"], lines
    assert _session_log(signed_in["session_id"]) == [
        ("sign_in", ""),
        ("sign_in", "session_refreshed"),
    ]
    assert _sign_ins(trainer.id) == 2


def test_without_a_refresh_token_a_refused_token_stops_with_the_servers_message(
    api: Api, server: str, videos: dict[str, Path], tmp_path: Path
) -> None:
    from vault.ingest.client import Stopped

    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    card = _card(tmp_path, {"MVI_0001.MP4": videos["good"]})
    with pytest.raises(Stopped, match="meld u opnieuw aan"):
        ingest(card, world["trajectory"]["id"], server=server, token="nonsense", say=lambda _: None)
