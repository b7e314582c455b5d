"""Every camera layout is found; thumbnails, proxies, sidecars and hidden files are not; chapters group."""

from __future__ import annotations

from pathlib import Path

import pytest

from vault.ingest.card import CardRemoved, file_sha256, scan_card

LAYOUT = {
    "DCIM/100CANON/MVI_0001.MP4": True,
    "DCIM/100CANON/MVI_0001.THM": False,
    "DCIM/100CANON/._MVI_0001.MP4": False,
    "PRIVATE/M4ROOT/CLIP/C0001.MP4": True,
    "PRIVATE/M4ROOT/CLIP/C0001M01.XML": False,
    "PRIVATE/AVCHD/BDMV/STREAM/00000.MTS": True,
    "PRIVATE/AVCHD/BDMV/CLIPINF/00000.CPI": False,
    "PRIVATE/AVCHD/BDMV/PLAYLIST/00000.MPL": False,
    "DCIM/100GOPRO/GH010042.MP4": True,
    "DCIM/100GOPRO/GH020042.MP4": True,
    "DCIM/100GOPRO/GL010042.LRV": False,
    "DCIM/100GOPRO/GOPR0042.JPG": False,
    "DCIM/Camera/VID_20261124_101500.mp4": True,
    "Opnames/bad.mov": True,
    ".Trashes/501/old.MP4": False,
    "System Volume Information/x.mp4": False,
}


def test_every_layout(tmp_path: Path) -> None:
    for name in LAYOUT:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x" * 10)
    found = {f.path.relative_to(tmp_path).as_posix(): f for f in scan_card(tmp_path)}
    assert set(found) == {name for name, wanted in LAYOUT.items() if wanted}
    chapters = [found["DCIM/100GOPRO/GH010042.MP4"], found["DCIM/100GOPRO/GH020042.MP4"]]
    assert chapters[0].group == chapters[1].group
    assert [c.part for c in chapters] == [1, 2]


def test_a_card_pulled_out_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CardRemoved):
        file_sha256(tmp_path / "gone.MP4")
    with pytest.raises(CardRemoved):
        scan_card(tmp_path / "not-mounted")
