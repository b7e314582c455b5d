"""A supervisor plays, steps, slows and seeks a watermarked clip in a real browser (Debian's chromium);
a withdrawal stops the player at the next segment with a Dutch explanation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from tests.support.api import Api
from vault.audit import AuditRecord
from vault.db import unit_of_work


@pytest.fixture
def database_url(fresh_postgres: str) -> str:
    """End to end on production's database only: the embedded SQLite default runs the same paths in
    the API and web tests, and each of these runs takes tens of seconds."""
    return fresh_postgres


PLAYING = """(after) => { const v = document.getElementById('video'); return v.currentTime > after && !v.paused; }"""


def test_supervisor_plays_steps_and_seeks_in_chromium(
    api: Api,
    watched: dict,  # type: ignore[type-arg]  # noqa: F811
    chromium: Any,
    tmp_path: Path,
) -> None:
    w = watched
    opened = httpx.post(f"{w['server']}/api/v1/clips/{w['clip_id']}/stream", headers=w["ho"]).json()
    page = chromium.new_page(locale="nl-NL")  # a Dutch viewer: the player reads in their language
    segments: list[tuple[str, int]] = []
    page.on(
        "response",
        lambda r: (
            segments.append((r.url.rsplit("/", 1)[-1], r.status)) if r.url.endswith(".ts") else None
        ),
    )
    elsewhere: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(w["server"]) else elsewhere.append(r.url))
    page.goto(w["server"] + opened["player"])
    assert page.locator("h1").inner_text() == "Fragment bekijken"
    video = page.locator("#video")
    page.locator("#play").click()
    page.wait_for_function(PLAYING, arg=1.0, timeout=60_000)
    assert page.locator("#play").inner_text() == "Pauze"

    # Frame step: one frame is 1/25 s; the keyboard does the same as the buttons.
    page.keyboard.press(" ")
    before = video.evaluate("v => v.currentTime")
    page.locator("#forward").click()
    page.keyboard.press(".")
    page.wait_for_function(
        "([t]) => Math.abs(document.getElementById('video').currentTime - t - 0.08) < 0.011",
        arg=[before],
    )
    page.keyboard.press(",")
    page.wait_for_function(
        "([t]) => Math.abs(document.getElementById('video').currentTime - t - 0.04) < 0.011",
        arg=[before],
    )

    # Slow motion.
    page.locator("#speed").select_option("0.25")
    assert video.evaluate("v => v.playbackRate") == 0.25
    page.keyboard.press("]")
    assert video.evaluate("v => v.playbackRate") == 0.5

    # Seek to the last segment and play it to the end.
    video.evaluate("v => { v.playbackRate = 1; v.currentTime = 8.2; return v.play(); }")
    page.wait_for_function(
        "() => document.getElementById('video').ended || document.getElementById('video').currentTime > 8.7",
        timeout=60_000,
    )
    page.screenshot(path=str(tmp_path / "player.png"))
    assert ("2.ts", 200) in segments
    assert elsewhere == []  # no third-party requests

    # Withdrawal: the next request is refused and the player says why, in Dutch.
    withdrawn = api.client.post(
        f"/api/v1/consents/{w['consent']['id']}/events",
        headers=w["headers"],
        json={"kind": "withdrawn", "by_person_id": w["mother"]["id"]},
    )
    assert withdrawn.status_code == 201
    page.reload()  # every segment of this short clip is buffered already; a reload asks again
    page.wait_for_function(
        "() => document.getElementById('status').textContent.includes('geen toegang')",
        timeout=30_000,
    )
    page.close()
    with unit_of_work() as db:
        outcomes = {
            r.outcome
            for r in db.exec(
                select(AuditRecord).where(
                    AuditRecord.action == "stream_segment",
                    col(AuditRecord.user_id) == w["opleider"].id,
                )
            )
        }
    assert outcomes == {"allowed", "denied"}


def test_an_expired_link_shows_a_dutch_page(api: Api, server: str, chromium: Any) -> None:
    page = chromium.new_page(locale="nl-NL")  # a Dutch viewer: the player reads in their language
    response = page.goto(f"{server}/kijken/not-a-token")
    assert response is not None
    assert response.status == 401
    assert "De kijklink is verlopen" in page.locator("#status").inner_text()
    page.close()
