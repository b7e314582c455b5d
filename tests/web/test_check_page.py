"""The check page of an anonymised fragment in Chromium (ADR 0017, decisions 7 and 8): the fragment plays
with what the copy will blur drawn over it; the trainer drags a box over a face the detector missed,
marks a second where a name is spoken as silent, saves both (through the API, decided and logged) and
the copy is asked for again; axe finds no barrier."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.api import Api
from tests.support.browser import Browser
from tests.support.web import _clip_with_video

READY = "() => document.getElementById('video').readyState >= 2"


def test_the_trainer_draws_a_box_over_a_missed_face_and_saves_it(
    api: Api, browser: Browser, server: str, stream_worker: None, tmp_path: Path
) -> None:
    trainer = api.account("trainer")
    world = _clip_with_video(api, trainer, server, tmp_path, "Bad", seconds=3)
    clip = world["clip_id"]
    page = browser.sign_in(api, trainer, offset_steps=1)
    browser.go(f"/fragmenten/{clip}/anonimiseren")
    assert page.locator("h1").inner_text() == "Anonimiseren: Bad"
    page.wait_for_function(READY, timeout=90_000)

    # Drag a box over the middle of the picture, a second into the fragment, for 1.2 seconds.
    page.evaluate("() => { document.getElementById('video').currentTime = 1; }")
    page.get_by_label("Seconden").fill("1.2")
    box = page.locator("#boxes").bounding_box()
    assert box is not None
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + 0.4 * w, y + 0.3 * h)
    page.mouse.down()
    page.mouse.move(x + 0.5 * w, y + 0.45 * h, steps=5)
    page.mouse.up()
    item = page.locator("#edits li").first
    assert item.inner_text().startswith("Vervagen, 0:01,0 tot 0:02,2")

    # A name is spoken half a second in: half a second of silence, on the same timeline.
    page.evaluate("() => { document.getElementById('video').currentTime = 0.5; }")
    page.get_by_label("Seconden").fill("0.5")
    page.get_by_role("button", name="Stilte vanaf hier").click()
    assert page.locator("#edits li").nth(1).inner_text().startswith("Stil, 0:00,5 tot 0:01,0")

    page.get_by_role("button", name="Vakken en stiltes opslaan").click()
    page.wait_for_function(
        "() => document.getElementById('status').textContent.startsWith('Opgeslagen.')"
    )
    faces = api.client.get(f"/api/v1/clips/{clip}/faces", headers=world["headers"]).json()
    (edit,) = faces["edits"]
    assert edit["kind"] == "add"
    assert (edit["start_s"], edit["end_s"]) == (1.0, 2.2)
    assert edit["box"] == pytest.approx([0.4, 0.3, 0.1, 0.15], abs=0.05)  # where it was drawn
    stored = api.client.get(f"/api/v1/clips/{clip}", headers=world["headers"]).json()
    assert stored["mute"] == [{"start_s": 0.5, "end_s": 1.0}]
    assert stored["anonymised"] == "making"
    assert browser.barriers() == []
    browser.shot("trainer-anonimiseren")

    # The saved box comes back with the page.
    browser.go(f"/fragmenten/{clip}/anonimiseren")
    page.wait_for_function("() => document.querySelectorAll('#edits li').length === 2")
