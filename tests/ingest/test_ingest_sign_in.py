"""`beeldkluis ingest` without a token, on a server whose organisation signs in through its identity
provider: the command line shows a code, the trainer confirms it in the web app, the import runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import select

from tests.support.api import Account, Api
from tests.support.device import confirm, web_sign_in
from tests.support.families import family_with_recording
from tests.support.ingest import card_with
from vault.audit import AuditRecord
from vault.db import unit_of_work
from vault.domain.models import OidcProvider
from vault.settings import get_settings


def test_with_an_identity_provider_the_trainer_confirms_a_code_in_the_web_app(
    api: Api,
    server: str,
    worker: None,
    videos: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    with unit_of_work() as db:  # the organisation signs in through its identity provider
        db.add(
            OidcProvider(
                organisation_id=trainer.organisation_id,
                issuer="https://idp.example/ggd",
                client_id="beeldkluis",
            )
        )
    monkeypatch.setenv("BEELDKLUIS_DEVICE_POLL_SECONDS", "1")
    get_settings.cache_clear()
    card = card_with(tmp_path, {"MVI_0001.MP4": videos["good"]})
    env = {k: v for k, v in os.environ.items() if k != "BEELDKLUIS_TOKEN"} | {"LANG": "nl_NL.UTF-8"}
    argv = [
        sys.executable,
        "-m",
        "vault.cli",
        "ingest",
        str(card),
        "--trajectory",
        world["trajectory"]["id"],
        "--server",
        server,
    ]
    proc = subprocess.Popen(
        argv,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,  # noqa: S603
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _confirm_and_finish(api, trainer, proc, server)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def _confirm_and_finish(
    api: Api, trainer: Account, proc: subprocess.Popen[str], server: str
) -> None:
    assert proc.stdout is not None
    said: list[str] = []
    code = None
    deadline = time.monotonic() + 120
    while code is None and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        said.append(line)
        found = re.search(r"vul deze code in: ([A-Z]{4}-[A-Z]{4})", line)
        code = found.group(1) if found else None
    assert code, "".join(said)
    done = confirm(api, web_sign_in(api, trainer, offset_steps=1), code)
    assert "De opdrachtregel is aangemeld als u" in done.text
    rest = proc.stdout.read()  # to its end (communicate() would skip what readline() has buffered)
    proc.wait(timeout=60)
    assert proc.returncode == 0, "".join(said) + rest
    assert "Traceback" not in rest
    assert "De kaart mag nu worden gewist" in rest
    assert f"{server}/apparaat?code={code}" in rest  # a link to open, too
    with unit_of_work() as db:
        device = db.exec(
            select(AuditRecord).where(
                AuditRecord.action == "sign_in", AuditRecord.reason == "device"
            )
        ).one()
        uploads = db.exec(select(AuditRecord).where(AuditRecord.action == "upload")).all()
    assert device.user_id == trainer.id
    assert device.session_id in {u.session_id for u in uploads}  # the import ran on that session
