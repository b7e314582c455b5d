"""Coding while watching (issue #23): on the trainer's recording page a code's key marks the current
frame, shift and the key mark a span, the timeline under the player draws them per actor, and clicking
one seeks the player to its frame. Real footage, real stream worker, real Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.support.api import Api
from tests.support.browser import Browser
from tests.support.web import _clip_with_video

READY = "() => document.getElementById('video').readyState >= 2"
AT = "(t) => Math.abs(document.getElementById('video').currentTime - t) < 0.001"
FRAME = "() => Math.round(document.getElementById('video').currentTime * 25)"


def _stored(world: dict[str, Any]) -> list[dict[str, Any]]:
    listed = httpx.get(f"{world['server']}/api/v1/recordings/{world['recording_id']}/annotations",
                       headers=world["headers"])  # fmt: skip
    assert listed.status_code == 200, listed.text
    items: list[dict[str, Any]] = listed.json()["items"]
    return items


def test_trainer_codes_with_the_keyboard_and_the_timeline_seeks_to_the_frame(
    api: Api, browser: Browser, server: str, stream_worker: None, tmp_path: Path
) -> None:
    trainer = api.account("trainer")
    world = _clip_with_video(api, trainer, server, tmp_path, "Bad", seconds=2)  # 25 fps
    page = browser.sign_in(api, trainer, offset_steps=1)
    browser.go(f"/opnames/{world['recording_id']}")
    page.wait_for_function(READY, timeout=90_000)
    page.wait_for_function("() => document.getElementById('annotations').dataset.loaded === '1'")

    # Paused on frame 5, the key of "initiatief" (i) marks a point there; 2 chose the parent first.
    for _ in range(5):
        page.keyboard.press(".")
    page.wait_for_function(AT, arg=0.2)
    page.keyboard.press("2")
    page.keyboard.press("i")
    page.locator("#annotation-list tbody tr").first.wait_for()
    stored = _stored(world)
    assert [(a["frame_in"], a["frame_out"], a["code"], a["actor"]) for a in stored] == [
        (5, None, "initiatief", "ouder")
    ]
    assert stored[0]["rate"] == "25/1"
    mark = page.locator(".timeline .lane[data-actor='ouder'] .mark")
    assert mark.count() == 1
    assert (
        mark.evaluate("m => getComputedStyle(m).backgroundColor") == "rgb(44, 160, 44)"
    )  # #2ca02c

    # Shift and a key start a span, shift and the same key end it: frames 20 to 30, for the child.
    page.keyboard.press("1")
    for _ in range(15):
        page.keyboard.press(".")
    page.wait_for_function(AT, arg=0.8)
    page.keyboard.press("Shift+O")
    assert "ontvangen" in page.locator("#annotation-status").inner_text()
    for _ in range(10):
        page.keyboard.press(".")
    page.wait_for_function(AT, arg=1.2)
    page.keyboard.press("Shift+O")
    page.wait_for_function(
        "() => document.querySelectorAll('#annotation-list tbody tr').length === 2"
    )
    spans = [(a["frame_in"], a["frame_out"], a["code"], a["actor"]) for a in _stored(world)]
    assert spans == [(5, None, "initiatief", "ouder"), (20, 30, "ontvangen", "kind")]
    assert page.locator(".timeline .lane[data-actor='kind'] .mark").count() == 1
    assert browser.barriers() == []
    browser.shot("trainer-annotate")

    # Elsewhere in the recording, a click on the point brings the player back to its frame.
    page.keyboard.press(",")
    page.wait_for_function(AT, arg=1.16)
    mark.click()
    page.wait_for_function(AT, arg=0.2)
    assert page.evaluate(FRAME) == 5

    # The list deletes: the server forgets it, the timeline no longer draws it.
    page.get_by_role("button", name="Verwijderen initiatief").click()
    page.wait_for_function(
        "() => document.querySelectorAll('#annotation-list tbody tr').length === 1"
    )
    assert [a["code"] for a in _stored(world)] == ["ontvangen"]
    assert page.locator(".timeline .mark").count() == 1
    assert browser.barriers() == []
