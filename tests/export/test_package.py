"""The parents' package from mixed sources: every file plays anywhere, nothing leaks, checksums verify."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.support.api import Api
from tests.support.export import principal
from tests.support.families import family_with_recording
from tests.support.media import sources
from tests.support.tus import stored, tus_upload, upload_id
from vault.errors import Forbidden
from vault.export.package import export_to_folder
from vault.ingest.tasks import verify_upload
from vault.settings import get_settings


def probe(path: Path) -> dict:  # type: ignore[type-arg]
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            str(path),
        ],
        capture_output=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_package_for_a_family_with_mixed_sources(api: Api, server: str, tmp_path: Path) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    stored(api, server, world, sources(tmp_path))
    stick = tmp_path / "USB"
    stick.mkdir()
    result = export_to_folder(
        get_settings(), principal(trainer.id), uuid.UUID(world["trajectory"]["id"]), stick
    )
    folder = Path(str(result["folder"]))
    assert result["recordings"] == 3
    assert (
        result["remuxed"] == 1
    )  # the H.264 MP4 was copied, the HEVC and the interlaced MTS transcoded
    videos = sorted((folder / "Opnames").iterdir())
    assert [v.name[:5] for v in videos] == ["01 - ", "02 - ", "03 - "]
    upright = []
    for video in videos:
        info = probe(video)
        codecs = {s["codec_type"]: s for s in info["streams"]}
        upright.append(codecs["video"]["height"] > codecs["video"]["width"])
        assert codecs["video"]["codec_name"] == "h264"
        assert codecs["video"]["pix_fmt"] == "yuv420p"
        assert codecs["audio"]["codec_name"] == "aac"
        assert codecs["video"].get("field_order", "progressive") in ("progressive", "unknown")
        assert "rotate" not in json.dumps(codecs["video"].get("tags", {}))
        assert not any(s.get("rotation") for s in codecs["video"].get("side_data_list", []))
        assert "location" not in json.dumps(info["format"].get("tags", {})).lower()
        data = video.read_bytes()
        assert data.find(b"moov") < data.find(b"mdat")  # faststart: plays while downloading
    assert upright.count(True) == 1  # the phone video held upright is turned, not just flagged
    for name in (
        "index.html",
        "LEESMIJ.txt",
        "toestemmingen.json",
        "toestemmingen.html",
        "toegang.json",
        "toegang.html",
        "SHA256SUMS",
    ):
        assert (folder / name).exists()
    page = (folder / "index.html").read_text()
    assert "http://" not in page
    assert "https://" not in page
    assert "<video controls" in page
    # Written as a youth-care professional writes to parents: u-form, never "jullie" or "je".
    readme = (folder / "LEESMIJ.txt").read_text()
    consents = (folder / "toestemmingen.html").read_text()
    assert "<h1>Uw video-opnames</h1>" in page
    assert "Ze zijn van u." in readme
    assert "<h1>Uw toestemmingen</h1>" in consents
    for text in (page, readme, consents):
        assert not re.search(r"\b(jullie|je|jij|jou|jouw)\b", text, re.IGNORECASE), text
    report = (folder / "toegang.html").read_text()
    assert "Wie bekeek de beelden van gezin" in report  # the readable report, not raw log rows
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    access = json.loads((folder / "toegang.json").read_text())
    assert any(
        "zette online" in sentence for sentences in access.values() for sentence in sentences
    )
    for text in (
        report,
        (folder / "toegang.json").read_text(),
    ):  # no addresses, session ids or codes
        assert "127.0.0.1" not in text
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", text)
        assert "stream_segment" not in text


def test_export_refused_for_others_and_leaves_nothing(
    api: Api, server: str, videos: dict[str, Path], tmp_path: Path
) -> None:
    world = family_with_recording(api, api.account("trainer"))
    assert (
        verify_upload(
            upload_id(
                tus_upload(server, world["headers"], videos["good"], world["trajectory"]["id"])
            )
        )
        == "stored"
    )
    opleider = api.account("opleider")
    stick = tmp_path / "USB"
    stick.mkdir()
    with pytest.raises(Forbidden):
        export_to_folder(
            get_settings(), principal(opleider.id), uuid.UUID(world["trajectory"]["id"]), stick
        )
    assert list(stick.iterdir()) == []
