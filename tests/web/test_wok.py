"""WOK in the browser: an opleider plans a session and invites trainers of other organisations, a trainer
shares a clip of a family that gave WOK consent, and a participant watches it (watermarked player)
during the session only; afterwards the access seam refuses in Dutch."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from sqlmodel import select

from tests.factories import WokSessionFactory, bound
from tests.support.api import Account, Api
from tests.support.browser import Browser
from tests.support.families import consent_body, family_with_recording, say_in_view
from tests.support.media import make_video
from tests.support.tus import tus_upload, upload_id
from tests.support.web import _sign_out
from vault.consents.models import WokSessionRow
from vault.db import unit_of_work
from vault.ingest.tasks import verify_upload

PLAYING = """(after) => { const v = document.getElementById('video'); return v.currentTime > after && !v.paused; }"""


def playable_clip(api: Api, server: str, trainer: Account, tmp_path: Path) -> dict:  # type: ignore[type-arg]
    """A family with WOK consent and a real 9-second clip (as `watched` in tests/streaming)."""
    world = family_with_recording(api, trainer)
    video = make_video(tmp_path / "bad.mp4", 9)
    url = tus_upload(server, world["headers"], video, world["trajectory"]["id"])
    assert verify_upload(upload_id(url)) == "stored"
    status = httpx.get(f"{server}/api/v1/uploads/{upload_id(url)}", headers=world["headers"]).json()
    clip = httpx.post(
        f"{server}/api/v1/recordings/{status['recording_id']}/clips",
        headers=world["headers"],
        json={"start_s": 0, "end_s": 9, "title": "Samen in bad"},
    ).json()
    given = api.client.post(
        f"/api/v1/families/{world['family']['id']}/consents",
        headers=world["headers"],
        json=consent_body(world, "wok"),
    )
    assert given.json()["status"] == "given"
    say_in_view(api, world, clip["id"])
    return {**world, "clip_id": clip["id"]}


def test_a_participant_watches_a_shared_clip_only_during_the_session(
    api: Api, browser: Browser, server: str, stream_worker: None, tmp_path: Path
) -> None:
    owner = api.account("trainer")
    organiser = api.account("opleider", api.organisation("Opleidingen Noord"))
    peer = api.account("trainer", api.organisation("Andere organisatie"))
    world = playable_clip(api, server, owner, tmp_path)

    # The opleider plans the session (Dutch time in the form) and invites both trainers.
    page = browser.sign_in(api, organiser)
    page = browser.go("/wok")
    local = datetime.now(ZoneInfo("Europe/Amsterdam"))
    page.get_by_label("Titel").fill("WOK Noord, november")
    page.get_by_label("Begint").fill((local - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Eindigt").fill((local + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.locator(f"#p-{owner.id}").check()
    page.locator(f"#p-{peer.id}").check()
    page.get_by_role("button", name="Plannen").click()
    assert page.get_by_role("status").inner_text() == "De bijeenkomst is gepland."
    assert "nu bezig" in page.get_by_role("heading", name="WOK Noord, november").inner_text()
    _sign_out(browser)

    # The trainer shares a clip of a family with WOK consent.
    page = browser.sign_in(api, owner, offset_steps=1)
    page = browser.go("/wok")
    page.get_by_label("Eigen fragment delen").select_option(world["clip_id"])
    page.get_by_role("button", name="Delen").click()
    assert page.get_by_role("status").inner_text() == "Het fragment is gedeeld in de bijeenkomst."
    _sign_out(browser)

    # The participant from another organisation sees it during the window and plays it.
    page = browser.sign_in(api, peer)
    page = browser.go("/wok")
    assert page.get_by_role("heading", level=1).inner_text() == "WOK-bijeenkomsten"
    assert "Samen in bad" in page.locator("ul.clips").inner_text()
    assert page.get_by_label("Eigen fragment delen").count() == 0  # nothing of her own to share
    browser.shot("wok")
    page.get_by_role("button", name="Bekijken: Samen in bad").click()
    page.wait_for_url("**/kijken/**")
    assert page.locator("h1").inner_text() == "Fragment bekijken"
    page.locator("#play").click()
    page.wait_for_function(PLAYING, arg=0.5, timeout=90_000)
    page.get_by_role("link", name="← Terug").click()  # back to the sessions
    page.wait_for_url(f"{browser.server}/wok")

    # After the session the seam refuses, in Dutch, on the page and when opening the player.
    with unit_of_work() as db:
        for row in db.exec(select(WokSessionRow)):
            row.starts_at = datetime.now(UTC) - timedelta(hours=3)
            row.ends_at = datetime.now(UTC) - timedelta(hours=1)
            db.add(row)
    page = browser.go("/wok")
    assert "afgelopen" in page.get_by_role("heading", name="WOK Noord, november").inner_text()
    assert (
        page.locator("ul.clips").inner_text().strip() == "De WOK-bijeenkomst is niet (meer) bezig."
    )
    assert page.get_by_role("button", name="Bekijken: Samen in bad").count() == 0
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    refused = page.request.post(
        f"{browser.server}/wok/fragmenten/{world['clip_id']}/bekijken",
        form={"csrf": csrf or ""},
        headers={"accept": "text/html"},
        max_redirects=0,
    )
    assert refused.status == 403
    assert "De WOK-bijeenkomst is niet (meer) bezig." in refused.text()


def test_only_an_opleider_plans_and_a_trainer_shares_only_where_invited(api: Api) -> None:
    from tests.support.web import _signed_in

    csrf = _signed_in(api, "trainer")
    planned = api.client.post(
        "/wok",
        data={"csrf": csrf, "starts_at": "2026-12-01T10:00", "ends_at": "2026-12-01T12:00"},
        headers={"accept": "text/html"},
    )
    assert planned.status_code == 403
    shared = api.client.post(
        f"/wok/{uuid.uuid4()}/delen",
        data={"csrf": csrf, "clip_id": str(uuid.uuid4())},
        headers={"accept": "text/html"},
    )
    assert shared.status_code == 409
    assert "alleen delen in een bijeenkomst waaraan u deelneemt" in shared.text


def test_a_trainer_reads_what_they_can_do_in_a_wok_and_shares_only_a_wok_clip(api: Api) -> None:
    """Only an opleider plans a WOK: the trainer's page says what a trainer does instead (share a
    fragment into a session an opleider plans). Once invited, the choice holds the fragments this
    trainer may share there (made for the WOK or for review, with WOK consent), named in Dutch."""
    from tests.support.web import _cookie_sign_in

    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)  # a K-VHT trajectory with the clip "Aansluiten"
    given = api.client.post(
        f"/api/v1/families/{world['family']['id']}/consents",
        headers=world["headers"],
        json=consent_body(world, "wok"),
    )
    assert given.json()["status"] == "given"
    say_in_view(api, world, world["clip"]["id"])
    for title, purpose in (
        ("Voor de WOK", "wok"),
        ("Alleen supervisie", "supervision"),
        ("Wie is in beeld?", "wok"),  # not said: not shared outside the family (ADR 0017)
    ):
        made = api.client.post(
            f"/api/v1/recordings/{world['recording']['id']}/clips",
            headers=world["headers"],
            json={"start_s": 0, "end_s": 5, "title": title, "purpose": purpose},
        )
        assert made.status_code == 201, made.text
        if title != "Wie is in beeld?":
            say_in_view(api, world, made.json()["id"])

    _cookie_sign_in(api, trainer, offset_steps=1)
    empty = api.client.get("/wok", headers={"accept": "text/html"})
    assert empty.status_code == 200
    assert "U organiseert geen" not in empty.text
    assert "Een opleider plant een WOK-bijeenkomst en nodigt u uit." in empty.text
    assert "Daarna deelt u hier een eigen fragment in die bijeenkomst." in empty.text

    organiser = api.account("opleider")
    now = datetime.now(UTC)
    with unit_of_work() as db, bound(db):
        WokSessionFactory(
            title="WOK december",
            starts_at=now + timedelta(days=1),
            ends_at=now + timedelta(days=1, hours=2),
            organiser_id=organiser.id,
            participant_ids=json.dumps([str(trainer.id)]),
        )
    page = api.client.get("/wok", headers={"accept": "text/html"})
    options = re.findall(r"<option value=\"[0-9a-f-]{36}\">([^<]*)</option>", page.text)
    titles = sorted(o.split(" · ")[0] for o in options)
    assert titles == ["Aansluiten", "Voor de WOK"], options
    assert all("K-VHT (kortdurend)" in o for o in options), options
    assert "K_VHT" not in page.text
