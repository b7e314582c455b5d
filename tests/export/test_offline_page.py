"""A parent opens the package offline in a real browser (Debian's chromium) and every video plays."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from tests.support.api import Api
from tests.support.export import principal
from tests.support.families import family_with_recording
from tests.support.media import sources
from tests.support.tus import stored
from vault.export.package import export_to_folder
from vault.settings import get_settings


def test_index_html_plays_every_video_offline(
    api: Api, server: str, chromium: Any, tmp_path: Path
) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    mp4, hevc, _ = sources(tmp_path)
    stored(api, server, world, [mp4, hevc])
    stick = tmp_path / "USB"
    stick.mkdir()
    result = export_to_folder(
        get_settings(), principal(trainer.id), uuid.UUID(world["trajectory"]["id"]), stick
    )
    index = Path(str(result["folder"])) / "index.html"

    context = chromium.new_context(offline=True)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(index.as_uri())
    assert page.locator("h1").inner_text() == "Uw video-opnames"
    videos = page.locator("video")
    assert videos.count() == 2
    for n in range(2):
        played = videos.nth(n).evaluate(
            """v => new Promise((done, fail) => {
                v.muted = true;
                setTimeout(() => fail('did not play within 30 s'), 30000);
                v.addEventListener('error', () => fail('error ' + (v.error && v.error.code)));
                v.addEventListener('timeupdate', function once() {
                    if (v.currentTime > 0.5) { v.removeEventListener('timeupdate', once); done([v.currentTime, v.videoWidth, v.videoHeight]); }
                });
                v.play().catch(e => fail(String(e)));
            })"""
        )
        assert played[0] > 0.5
        assert played[1] > 0
        assert played[2] > 0
        # The fragmented MP4 (ADR 0009) declares no duration in its moov: the player must still know it
        # and seek to the end.
        seeked = videos.nth(n).evaluate(
            """v => new Promise((done, fail) => {
                setTimeout(() => fail('did not seek within 30 s'), 30000);
                v.pause();
                v.addEventListener('seeked', () => done([v.duration, v.currentTime]), {once: true});
                v.currentTime = v.duration - 0.5;
            })"""
        )
        assert 2.5 < seeked[0] < 3.5  # the sources last 3 s
        assert seeked[1] > 2.0
    assert requested
    assert all(url.startswith("file://") for url in requested)  # nothing from elsewhere
    context.close()
