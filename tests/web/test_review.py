"""The fragment page and the terugkijkgesprek (issue #23, ADR 0016) in Chromium: the trainer gives a clip
its kijkrichting, codes, stills and place in the review; the review page shows the chosen fragments one at
a time, full screen and without the vault's menu, with slow motion, frame step and a pause at each still.
Real footage, real stream worker; axe on both pages."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.support.api import Api
from tests.support.browser import Browser
from tests.support.media import make_video
from tests.support.tus import tus_upload, upload_id
from tests.support.web import _clip_with_video, _cookie_sign_in
from vault.ingest.tasks import verify_upload

READY = "() => document.getElementById('video').readyState >= 2"
PAUSED_AT = "(t) => { const v = document.getElementById('video'); return v.paused && Math.abs(v.currentTime - t) < 0.001; }"
LOADED = "() => [...document.querySelectorAll('.stills img')].every(i => i.complete && i.naturalWidth > 0)"


def test_the_trainer_prepares_and_holds_a_terugkijkgesprek(
    api: Api, browser: Browser, server: str, stream_worker: None, tmp_path: Path
) -> None:
    trainer = api.account("trainer")
    world = _clip_with_video(
        api, trainer, server, tmp_path, "Bad", seconds=3
    )  # 25 fps: frames 0 to 74
    page = browser.sign_in(api, trainer, offset_steps=1)
    browser.go(f"/fragmenten/{world['clip_id']}")
    assert page.locator("h1").inner_text() == "Fragment Bad"

    # A frame outside the fragment is named, in Dutch, and nothing is saved.
    page.get_by_label("Stilstaande beelden (beeldnummers)").fill("10, 90")
    page.get_by_role("button", name="Opslaan").click()
    assert (
        "Beeld 90 ligt niet in dit fragment (beeld 0 tot en met 74)"
        in page.locator(".error").inner_text()
    )
    assert page.get_by_label("Stilstaande beelden (beeldnummers)").input_value() == "10, 90"

    page.get_by_label("Titel").fill("Samen in bad")
    page.get_by_label("Kijkrichting", exact=True).fill(
        "Kijk hoe Sam naar u kijkt als u zijn naam noemt."
    )
    page.get_by_label("Initiatief").check()
    page.get_by_label("Stilstaande beelden (beeldnummers)").fill("10, 30")
    page.get_by_label("Volgorde in het terugkijkgesprek").fill("1")
    page.get_by_role("button", name="Opslaan").click()
    assert page.locator(".notice").inner_text() == "Opgeslagen."
    saved = httpx.get(f"{server}/api/v1/clips/{world['clip_id']}", headers=world["headers"]).json()
    assert (saved["title"], saved["codes"], saved["stills"], saved["review_position"]) == (
        "Samen in bad",
        ["initiatief"],
        [10, 30],
        1,
    )
    page.wait_for_function(LOADED)
    assert page.locator(".stills img").count() == 2
    assert browser.barriers() == []
    browser.shot("trainer-fragment")

    # The review: nothing of the vault but the fragment, its kijkrichting and stills, and a way out.
    page.get_by_role("link", name="Terugkijkgesprek openen").click()
    page.wait_for_load_state()
    assert page.title() == "Terugkijkgesprek · Beeldkluis"
    assert page.locator("header.top, nav").count() == 0
    assert [a.get_attribute("href") for a in page.locator("a").all()] == [
        f"/trajecten/{world['trajectory']['id']}"
    ]
    assert (
        "Kijk hoe Sam naar u kijkt" in page.locator(".fragment.current .kijkrichting").inner_text()
    )
    assert page.locator("#where").inner_text() == "Fragment 1 van 1"
    page.wait_for_function(READY, timeout=90_000)
    page.wait_for_function(LOADED)

    # A still brings the player to its moment, paused; frame step; slow motion.
    page.locator(".still").nth(1).click()
    page.wait_for_function(PAUSED_AT, arg=30 / 25)
    page.keyboard.press(".")
    page.wait_for_function(PAUSED_AT, arg=31 / 25)
    page.keyboard.press(",")
    page.keyboard.press(",")
    page.wait_for_function(PAUSED_AT, arg=29 / 25)
    page.get_by_label("Snelheid").select_option("0.25")
    assert page.evaluate("() => document.getElementById('video').playbackRate") == 0.25

    # Playing from the start stops by itself at the first still (frame 10: 0.4 s).
    page.evaluate("() => { document.getElementById('video').currentTime = 0; }")
    page.wait_for_function(PAUSED_AT, arg=0)
    page.get_by_role("button", name="Afspelen").click()
    page.wait_for_function(PAUSED_AT, arg=10 / 25, timeout=60_000)
    assert page.locator("#status").inner_text() == "Gestopt bij een stilstaand beeld."
    assert browser.barriers() == []
    browser.shot("trainer-terugkijkgesprek")


def test_progress_shows_each_code_per_minute(
    api: Api, browser: Browser, server: str, tmp_path: Path
) -> None:
    trainer = api.account("trainer")
    world = _clip_with_video(api, trainer, server, tmp_path, "Bad", seconds=3)  # 3 s: 1/20 minute
    for frame, code in ((5, "initiatief"), (20, "initiatief"), (40, "ontvangen")):
        made = httpx.post(
            f"{server}/api/v1/recordings/{world['recording_id']}/annotations",
            headers=world["headers"],
            json={"frame_in": frame, "code": code},
        )
        assert made.status_code == 201, made.text
    page = browser.sign_in(api, trainer, offset_steps=1)
    browser.go(f"/trajecten/{world['trajectory']['id']}")
    page.get_by_role("link", name="Voortgang").click()
    page.wait_for_load_state()
    headers = page.locator("table thead th").all_inner_texts()
    assert headers[3:] == ["initiatief", "ontvangen"]
    cells = page.locator("table tbody tr").first.locator("td").all_inner_texts()
    assert cells[2:] == ["40", "20"]  # 2 and 1 in 3 seconds
    assert page.locator("svg rect").count() == 2
    # The other recording of the trajectory (registered, never imported) is named as left out.
    assert "1 opname staat er niet in" in page.locator("main").inner_text()
    assert page.title() == "Voortgang · Beeldkluis"
    assert browser.barriers() == []
    browser.shot("trainer-voortgang")

    # The same figures for the closing report: a CSV a Dutch spreadsheet opens (BOM, semicolons,
    # decimal commas), in English for an English reader; never for another trainer.
    url = f"{server}/trajecten/{world['trajectory']['id']}/voortgang.csv"
    figures = page.request.get(url)  # the browser's own session
    assert figures.status == 200
    assert figures.headers["content-type"] == "text/csv; charset=utf-8"
    assert figures.headers["cache-control"] == "no-store"
    assert figures.body().startswith("\ufeff".encode())
    lines = figures.text().lstrip("\ufeff").splitlines()
    assert lines[0] == "Opname;Bestand;Gefilmd;Duur (minuten);initiatief;ontvangen"
    assert lines[1].split(";")[3:] == ["0,05", "40", "20"]
    assert len(lines) == 2
    page.context.add_cookies([{"name": "lang", "value": "en", "url": server}])
    english = page.request.get(url)
    assert english.status == 200
    rows = english.text().lstrip("\ufeff").splitlines()
    assert rows[0].startswith("Recording;File;Filmed;Length (minutes);")
    assert rows[1].split(";")[3] == "0.05"
    _cookie_sign_in(api, api.account("trainer"))  # another trainer of the organisation
    refused = api.client.get(url.removeprefix(server))
    assert refused.status_code in (403, 404)
    assert "initiatief" not in refused.text


def test_two_recordings_side_by_side_step_together(
    api: Api, browser: Browser, server: str, stream_worker: None, tmp_path: Path
) -> None:
    trainer = api.account("trainer")
    world = _clip_with_video(api, trainer, server, tmp_path, "Eerste", seconds=3)
    later = make_video(tmp_path / "later.mp4", 2)
    url = tus_upload(server, world["headers"], later, world["trajectory"]["id"])
    assert verify_upload(upload_id(url)) == "stored"
    page = browser.sign_in(api, trainer, offset_steps=1)
    browser.go(f"/trajecten/{world['trajectory']['id']}/voortgang")
    page.get_by_role("link", name="Twee opnames naast elkaar bekijken").click()
    page.wait_for_load_state()
    assert page.locator("video.synced").count() == 2
    page.wait_for_function(
        "() => [...document.querySelectorAll('video.synced')].every(v => v.readyState >= 2)",
        timeout=90_000,
    )
    together = "(t) => [...document.querySelectorAll('video.synced')].every(v => v.paused && Math.abs(v.currentTime - t) < 0.001)"
    for _ in range(3):
        page.keyboard.press(".")
    page.wait_for_function(together, arg=3 / 25)
    page.keyboard.press(",")
    page.wait_for_function(together, arg=2 / 25)
    page.get_by_label("Snelheid").select_option("0.5")
    assert page.evaluate(
        "() => [...document.querySelectorAll('video.synced')].map(v => v.playbackRate)"
    ) == [0.5, 0.5]
    assert page.title() == "Opnames vergelijken · Beeldkluis"
    assert browser.barriers() == []
    browser.shot("trainer-vergelijken")
