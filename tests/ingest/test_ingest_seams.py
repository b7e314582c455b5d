"""The card is declared wipeable only when every file on it is verified; a refused file is named with
the server's own reason and stays; an unreadable file does not stop the rest; a server that is down,
a wrong token or an unknown trajectory is one clear Dutch line and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from tests.support.api import PASSWORD, Api, free_port
from tests.support.families import family_with_recording
from tests.support.ingest import card_with
from vault.ingest.client import ingest


@pytest.fixture
def database_url(fresh_postgres: str) -> str:
    """End to end on production's database only: the embedded SQLite default runs the same paths in
    the API and web tests, and each of these runs takes tens of seconds."""
    return fresh_postgres


def run_cli(
    card: Path, trajectory: str, server: str, token: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BEELDKLUIS_TOKEN": token, "LANG": "nl_NL.UTF-8"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "vault.cli",
            "ingest",
            str(card),
            "--trajectory",
            trajectory,
            "--server",
            server,
            *extra,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_unresolved_files_keep_the_card_and_are_named(
    api: Api, server: str, worker: None, videos: dict[str, Path], tmp_path: Path
) -> None:
    world = family_with_recording(api, api.account("trainer"))
    token = world["headers"]["Authorization"].split()[1]
    card = card_with(
        tmp_path,
        {
            "MVI_0001.MP4": videos["good"],
            "MVI_0002.MP4": None,
            "MVI_0003.MP4": videos["jpeg"],
            "MVI_0004.MP4": b"",
        },
    )
    folder = card / "DCIM" / "100CANON"
    lines: list[str] = []
    outcome = ingest(
        card,
        world["trajectory"]["id"],
        server=server,
        token=token,
        say=lines.append,
        wait_seconds=120,
        delete_verified=True,
    )
    assert [p.name for p in outcome.stored] == ["MVI_0001.MP4"]  # the rest of the card went on
    rejected = {p.name: reason for p, reason in outcome.rejected}
    assert rejected["MVI_0003.MP4"] == "geen videobestand"
    assert "leeg" in rejected["MVI_0004.MP4"]  # the server's own words
    failed = {p.name: reason for p, reason in outcome.failed}
    assert set(failed) == {"MVI_0002.MP4"}
    assert "niet te lezen" in failed["MVI_0002.MP4"]
    assert not outcome.card_may_be_wiped
    text = "\n".join(lines)
    assert "De kaart mag nu worden gewist" not in text
    assert "NIET" in lines[-1]
    for name in ("MVI_0002.MP4", "MVI_0003.MP4", "MVI_0004.MP4"):
        assert name in text
    for name in ("MVI_0001.MP4", "MVI_0003.MP4", "MVI_0004.MP4"):
        assert (folder / name).exists()  # nothing is deleted while any file is unresolved


def test_delete_verified_deletes_only_what_the_server_holds(
    api: Api, server: str, worker: None, videos: dict[str, Path], tmp_path: Path
) -> None:
    world = family_with_recording(api, api.account("trainer"))
    token = world["headers"]["Authorization"].split()[1]
    card = card_with(tmp_path, {"MVI_0001.MP4": videos["good"]})
    first = run_cli(card, world["trajectory"]["id"], server, token)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "De kaart mag nu worden gewist" in first.stdout
    shutil.copy(videos["truncated"], card / "DCIM" / "100CANON" / "MVI_0002.MP4")
    second = run_cli(card, world["trajectory"]["id"], server, token, "--delete-verified")
    assert second.returncode != 0
    assert "Traceback" not in second.stdout + second.stderr
    assert "MVI_0002.MP4: bestand is afgebroken" in second.stdout
    assert (card / "DCIM" / "100CANON" / "MVI_0001.MP4").exists()
    assert (card / "DCIM" / "100CANON" / "MVI_0002.MP4").exists()
    (card / "DCIM" / "100CANON" / "MVI_0002.MP4").unlink()  # the trainer removes the bad file
    third = run_cli(card, world["trajectory"]["id"], server, token, "--delete-verified")
    assert third.returncode == 0, third.stdout + third.stderr
    assert not (card / "DCIM" / "100CANON" / "MVI_0001.MP4").exists()  # verified earlier: may go


def test_a_server_that_is_down_is_one_clear_line(videos: dict[str, Path], tmp_path: Path) -> None:
    card = card_with(tmp_path, {"MVI_0001.MP4": videos["good"]})
    out = run_cli(card, str(uuid.uuid4()), f"http://127.0.0.1:{free_port()}", "some-token")
    assert out.returncode != 0
    assert "Traceback" not in out.stdout + out.stderr
    assert "niet bereikbaar" in out.stdout + out.stderr
    assert (card / "DCIM" / "100CANON" / "MVI_0001.MP4").exists()


def test_a_wrong_token_or_trajectory_shows_the_servers_own_message(
    api: Api, server: str, videos: dict[str, Path], tmp_path: Path
) -> None:
    world = family_with_recording(api, api.account("trainer"))
    token = world["headers"]["Authorization"].split()[1]
    card = card_with(tmp_path, {"MVI_0001.MP4": videos["good"]})
    said = httpx.get(
        f"{server}/api/v1/uploads", headers={"Authorization": "Bearer nonsense"}
    ).json()
    out = run_cli(card, world["trajectory"]["id"], server, "nonsense")
    assert out.returncode != 0
    assert "Traceback" not in out.stdout + out.stderr
    assert "TusCommunicationError" not in out.stdout + out.stderr
    assert said["detail"] in out.stdout + out.stderr
    other = run_cli(card, str(uuid.uuid4()), server, token)
    assert other.returncode != 0
    assert "Traceback" not in other.stdout + other.stderr
    assert "TusCommunicationError" not in other.stdout + other.stderr
    assert (
        "niet gevonden" in other.stdout + other.stderr
        or "geen toegang" in (other.stdout + other.stderr).lower()
    )


def test_a_trainer_without_a_token_signs_in_at_the_prompt(
    api: Api, server: str, worker: None, videos: dict[str, Path], tmp_path: Path
) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
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
    wrong = subprocess.run(
        argv,
        env=env,
        input=f"{trainer.email}\nniet het wachtwoord\n000000\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # noqa: S603
    assert wrong.returncode == 2
    assert "Traceback" not in wrong.stderr
    right = subprocess.run(
        argv,
        env=env,
        input=f"{trainer.email}\n{PASSWORD}\n{api.code(trainer, 1)}\n",
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # noqa: S603
    assert right.returncode == 0, right.stdout[-1500:] + right.stderr[-1500:]
    assert "De kaart mag nu worden gewist" in right.stdout
