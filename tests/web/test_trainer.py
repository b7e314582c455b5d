"""The trainer's pages: start a trajectory, import a camera card in the browser over tus (verified end
to end before the card may be wiped), look at a recording and make a clip with in and out points."""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.support.api import PASSWORD, Account, Api
from tests.support.browser import Browser
from tests.support.families import family_with_recording
from tests.support.media import make_video
from vault.db import unit_of_work
from vault.purge import LegalHoldRow
from vault.recordings.models import Recording

READY = "() => document.getElementById('video').readyState >= 2"
THUMBNAIL = "() => { const i = document.querySelector('img.thumbnail'); return i && i.complete && i.naturalWidth > 0; }"
LISTED = (
    "() => { const l = [...document.querySelectorAll('td.thumb img')];"
    " return l.length === 2 && l.every(i => i.complete && i.naturalWidth > 0); }"
)
AT = "(t) => Math.abs(document.getElementById('video').currentTime - t) < 0.001"


CARD_TIME = datetime(2026, 11, 15, 8, 30, tzinfo=UTC)  # 09:30 in Amsterdam


def _card(root: Path, videos: dict[str, Path]) -> Path:
    """A camera card as a camera leaves it: footage, a thumbnail, and a hidden system folder."""
    folder = root / "DCIM" / "100CANON"
    folder.mkdir(parents=True)
    shutil.copy(videos["good"], folder / "MVI_0001.MP4")
    make_video(folder / "MVI_0002.MOV", seconds=2)
    os.utime(
        folder / "MVI_0002.MOV", (CARD_TIME.timestamp(), CARD_TIME.timestamp())
    )  # no camera time inside
    (folder / "MVI_0001.THM").write_bytes(b"\xff\xd8 thumbnail")
    (root / ".Trashes").mkdir()
    (root / ".Trashes" / "MVI_0000.MP4").write_bytes(b"deleted earlier")
    return root


def _outcome(page: Any) -> str:
    page.locator("#outcome-card").wait_for(state="visible", timeout=180_000)
    return str(page.locator("#outcome").inner_text())


def test_trainer_imports_a_card_and_makes_a_clip_in_chromium(
    api: Api,
    browser: Browser,
    worker: None,
    stream_worker: None,
    videos: dict[str, Path],
    tmp_path: Path,
) -> None:
    trainer = api.account("trainer")
    page = browser.sign_in(api, trainer)
    assert page.url == browser.server + "/trajecten"

    # Start a trajectory: a family with a pseudonym, and the chosen type.
    page.get_by_label("Soort traject").select_option("vib")
    page.get_by_role("button", name="Traject starten").click()
    page.wait_for_url(re.compile(r".*/trajecten/[0-9a-f-]{36}\?klaar=gestart$"))
    trajectory_id = page.url.rsplit("/", 1)[-1].split("?")[0]
    assert page.get_by_role("status").first.inner_text() == "Het traject is gestart."
    code = page.get_by_role("heading", level=1).inner_text().rsplit(" ", 1)[-1]
    assert code.startswith("FAM-")
    assert browser.barriers() == []
    assert (
        page.get_by_role("link", name="Toestemming").get_attribute("href").endswith("/toestemming")
    )
    assert page.get_by_role("link", name="Pakket voor het gezin").get_attribute("href") == (
        f"/trajecten/{trajectory_id}/pakket"
    )

    # Import the card (in the intake phase): only the video goes, it is checked, and then the card may be wiped.
    page.get_by_role("link", name="Kaart importeren").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Kaart importeren"
    page.get_by_label("Situatie van deze opnames").select_option("bath")
    page.get_by_label("De kaart of een map kiezen").set_input_files(
        _card(tmp_path / "card", videos)
    )
    assert "2 videobestand(en) gevonden" in page.locator("#chosen").inner_text()
    # Every tus request carries the CSRF header; the first PATCH is cut off, and the upload resumes.
    sent: list[tuple[str, str | None]] = []
    page.on(
        "request",
        lambda r: (
            sent.append((r.method, r.headers.get("x-csrf-token")))
            if "/api/v1/uploads" in r.url and r.method in ("POST", "HEAD", "PATCH")
            else None
        ),
    )
    cut: list[str] = []

    def cut_once(route: Any) -> None:
        if route.request.method == "PATCH" and not cut:
            cut.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(r".*/api/v1/uploads/[0-9a-f-]{36}$"), cut_once)
    page.get_by_role("button", name="Importeren starten").click()
    outcome = _outcome(page)
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert cut
    assert ("HEAD", csrf) in sent  # asked where to go on
    assert [m for m, _ in sent].count("POST") == 2  # one upload per video, none created twice
    assert {token for _, token in sent} == {csrf}
    assert "Veilig opgeslagen en gecontroleerd" in outcome
    assert "MVI_0001.MP4" in outcome
    assert "MVI_0002.MOV" in outcome
    assert "De kaart mag nu worden gewist." in outcome
    assert page.locator("#total").evaluate("p => p.value") == 1
    assert page.locator("#rate").inner_text() == "Klaar."
    assert page.evaluate(
        "() => Object.keys(localStorage).every(k => !/csrf|token|secret/i.test(localStorage[k]))"
    )

    # A file that is no video is refused with the server's Dutch reason; the card must stay.
    page.reload()
    page.get_by_label("Of losse videobestanden kiezen").set_input_files(videos["jpeg"])
    page.get_by_role("button", name="Importeren starten").click()
    page.wait_for_function(
        "() => /geen videobestand|Wis de kaart/.test(document.getElementById('outcome').innerText)",
        timeout=180_000,
    )
    outcome = _outcome(page)
    assert "Niet opgeslagen: geen videobestand" in outcome
    assert "Wis de kaart nog NIET" in outcome
    assert browser.barriers() == []

    # The start page lists the trajectory with its recording.
    browser.go("/trajecten")
    row = page.get_by_role("row").filter(has_text=code)
    assert "VIB" in row.inner_text()
    assert "Intake" in row.inner_text()
    assert row.get_by_role("cell").last.inner_text() == "2"
    assert browser.barriers() == []
    browser.shot("trainer")

    # The trajectory lists each recording by its card file name, when it was filmed (the camera's
    # time; none known for the second file, and its upload time is not passed off as one) and a
    # picture rendered from the encrypted footage.
    row.get_by_role("link", name=code).click()
    recordings = page.locator("section", has=page.get_by_role("heading", name="Opnames (2)"))
    text = recordings.inner_text()
    assert "In bad" in text
    assert "Gecontroleerd" in text
    assert "h264" not in text
    first = recordings.get_by_role("row").filter(has_text="MVI_0001.MP4")
    assert "20-11-2026 11:00" in first.inner_text()  # 10:00 UTC on the camera, read in Dutch time
    assert "3 s" in first.inner_text()
    # No camera time in the file: the file's own time on the card (never the upload time), in Dutch time.
    assert (
        "15-11-2026 09:30"
        in recordings.get_by_role("row").filter(has_text="MVI_0002.MOV").inner_text()
    )
    page.wait_for_function(LISTED, timeout=60_000)
    assert browser.barriers() == []
    browser.shot("trainer-trajectory")
    recordings.get_by_role("link", name="MVI_0001.MP4").click()

    # In the intake phase footage may come in, but no clips are made: the page says why.
    assert page.get_by_role("heading", level=1).inner_text() == "Opname MVI_0001.MP4"
    page.wait_for_function(THUMBNAIL, timeout=60_000)
    facts = page.locator("dl.facts").first.inner_text()
    assert "20-11-2026 11:00" in facts
    assert "mono" not in facts  # technical details only on request
    page.get_by_text("Technische gegevens").click()
    details = page.locator("details").inner_text()
    for words in ("MP4", "320 × 240", "25 beelden per seconde", "mono", "H.264"):
        assert words in details, words
    assert browser.barriers() == []
    browser.shot("trainer-recording")
    assert (
        "In deze fase van het traject is dit niet toegestaan." in page.locator(".warn").inner_text()
    )
    assert page.locator("video").count() == 0
    page.get_by_role("link", name=f"Traject {code}").click()
    page.get_by_label("Fase", exact=True).select_option("active")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(re.compile(r".*\?klaar=gewijzigd$"))
    assert "Actief" in page.locator("dl.facts").inner_text()
    page.get_by_role("link", name="MVI_0001.MP4").click()

    # The recording: watch it, step frames, take in and out points, make the clip.
    assert page.get_by_role("heading", level=1).inner_text() == "Opname MVI_0001.MP4"
    page.wait_for_function(READY, timeout=90_000)
    for _ in range(5):
        page.get_by_role("button", name="Eén beeldje verder").click()
    page.wait_for_function(AT, arg=0.2)
    page.get_by_role("button", name="Begin hier").click()
    for _ in range(10):
        page.keyboard.press(".")
    page.keyboard.press(",")
    page.wait_for_function(AT, arg=0.56)
    page.keyboard.press("]")
    assert page.get_by_label("Begin (seconden)").input_value() == "0.2"
    assert page.get_by_label("Einde (seconden)").input_value() == "0.56"
    assert "0,36 s" in page.locator("#span").inner_text()
    page.evaluate(
        "() => { window.played = false; document.getElementById('video')"
        ".addEventListener('playing', () => { window.played = true; }); }"
    )
    page.get_by_role(
        "button", name="Keuze afspelen"
    ).click()  # plays the span once, stops at its end
    page.wait_for_function(
        "() => { const v = document.getElementById('video');"
        " return window.played && v.paused && Math.abs(v.currentTime - 0.56) < 0.001; }",
        timeout=60_000,
    )
    assert page.locator("#play").inner_text() == "Afspelen"
    assert browser.barriers() == []
    page.get_by_label("Titel").fill("Samen in bad: aansluiten")
    page.get_by_label("Doel").select_option("review")
    page.get_by_role("button", name="Fragment maken").click()
    page.wait_for_url(re.compile(r".*\?klaar=fragment#fragmenten$"))
    clips = page.locator("#fragmenten")
    assert "Fragmenten (1)" in clips.inner_text()
    clip_row = clips.get_by_role("row").filter(has_text="Samen in bad: aansluiten")
    assert "0,20 – 0,56 s" in clip_row.inner_text()
    assert browser.barriers() == []

    # Taking the other file out again: a confirmation step says what will happen and asks why.
    browser.go(f"/trajecten/{trajectory_id}")
    page.get_by_role("link", name="MVI_0002.MOV").click()
    page.get_by_role("link", name="Opname verwijderen…").click()
    assert "definitief verwijderd" in page.locator("#gevolg").inner_text()
    assert browser.barriers() == []
    browser.shot("trainer-remove")
    page.get_by_label("Per ongeluk geïmporteerd").check()
    page.get_by_role("button", name="Definitief verwijderen").click()
    page.wait_for_url(re.compile(r".*\?klaar=verwijderd$"))
    assert page.get_by_role("status").first.inner_text() == "De opname is verwijderd."
    assert page.get_by_role("heading", name="Opnames (1)").count() == 1
    assert "MVI_0002.MOV" not in page.content()
    page.get_by_role("link", name="MVI_0001.MP4").click()

    # Watching the clip opens the player with a viewing link.
    clip_row.get_by_role("button", name="Bekijken Samen in bad: aansluiten").click()
    page.wait_for_url(re.compile(r".*/kijken/[^/]+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Fragment bekijken"
    assert browser.barriers() == []
    page.get_by_role("link", name="← Terug").click()  # back to the recording the clip was cut from
    page.wait_for_url(re.compile(r".*/opnames/[0-9a-f-]{36}$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Opname MVI_0001.MP4"


def _form_sign_in(api: Api, account: Account, offset_steps: int) -> str:
    """Sign in the TestClient with the form; returns the session's CSRF token."""
    response = api.client.post(
        "/aanmelden",
        data={
            "email": account.email,
            "password": PASSWORD,
            "totp": api.code(account, offset_steps),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = api.client.get("/trajecten")
    match = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text)
    assert match is not None
    return match.group(1)


def test_clip_form_works_without_javascript_and_refuses_nonsense(api: Api) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    csrf = _form_sign_in(api, trainer, offset_steps=1)
    recording = world["recording"]["id"]
    page = api.client.get(f"/opnames/{recording}")
    assert page.status_code == 200
    assert "Aansluiten" in page.text  # the clip the API made
    assert "<video" not in page.text  # no footage stored for this recording: number inputs only
    api.client.cookies.set("lang", "en")
    for path, heading in (
        (f"/opnames/{recording}", "Make a clip"),
        ("/trajecten", "My trajectories"),
        (f"/trajecten/{world['trajectory']['id']}", "Recordings (1)"),
        (f"/trajecten/{world['trajectory']['id']}/importeren", "Import a card"),
    ):
        assert heading in api.client.get(path).text, path
    api.client.cookies.set("lang", "nl")
    # The purpose decides who sees the clip (ADR 0002, decision 15): the trainer chooses it, nothing
    # is chosen for them, and a clip without a purpose is not made.
    form = re.search(r'<select id="purpose".*?</select>', page.text, re.S)
    assert form is not None
    assert "required" in form.group(0)
    assert re.search(r'<option value=""[^>]*selected', form.group(0))
    assert not re.search(r'<option value="[a-z]+"[^>]*selected', form.group(0))
    unchosen = api.client.post(
        f"/opnames/{recording}/fragmenten",
        headers={"accept": "text/html"},
        data={"csrf": csrf, "start_s": "1", "end_s": "2", "title": "Zonder doel"},
    )
    assert unchosen.status_code == 422
    assert "Kies het doel van het fragment" in unchosen.text
    assert 'value="Zonder doel"' in unchosen.text
    assert "Zonder doel</" not in api.client.get(f"/opnames/{recording}").text  # nothing was made
    made = api.client.post(
        f"/opnames/{recording}/fragmenten",
        data={
            "csrf": csrf,
            "start_s": "1,5",
            "end_s": "1:02.25",
            "title": "Zonder script",
            "purpose": "supervision",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    listed = api.client.get(made.headers["location"]).text
    assert "Het fragment is gemaakt." in listed
    assert "1,50 – 62,25 s" in listed
    assert "Supervisie" in listed
    backwards = api.client.post(
        f"/opnames/{recording}/fragmenten",
        headers={"accept": "text/html"},
        data={
            "csrf": csrf,
            "start_s": "20",
            "end_s": "10",
            "title": "Achterstevoren",
            "purpose": "review",
        },
    )
    assert backwards.status_code == 422
    assert "het einde moet na het begin liggen" in backwards.text
    assert 'value="Achterstevoren"' in backwards.text  # nothing to type again
    too_long = api.client.post(
        f"/opnames/{recording}/fragmenten",
        headers={"accept": "text/html"},
        data={"csrf": csrf, "start_s": "200", "end_s": "300", "purpose": "review"},
    )
    assert too_long.status_code == 409
    assert "voorbij het einde van de opname" in too_long.text
    bogus = api.client.post(
        "/trajecten", data={"csrf": csrf, "type": "bogus"}, headers={"accept": "text/html"}
    )
    assert bogus.status_code == 422
    assert "Controleer de ingevulde gegevens." in bogus.text
    no_token = api.client.post(
        f"/opnames/{recording}/fragmenten",
        headers={"accept": "text/html"},
        data={"start_s": "1", "end_s": "2"},
    )
    assert no_token.status_code == 403
    # Once ended, the trajectory stays on the list, but its footage is out of reach.
    trajectory = world["trajectory"]["id"]
    ended = api.client.post(
        f"/trajecten/{trajectory}", data={"csrf": csrf, "phase": "ended"}, follow_redirects=False
    )
    assert ended.status_code == 303
    listed = api.client.get("/trajecten").text
    assert world["family"]["code"] in listed
    assert "Beëindigd" in listed
    closed = api.client.get(f"/opnames/{recording}", headers={"accept": "text/html"})
    assert closed.status_code == 403
    assert "In deze fase van het traject is dit niet toegestaan." in closed.text


def test_another_trainer_is_refused_everywhere(api: Api) -> None:
    owner = api.account("trainer")
    world = family_with_recording(api, owner)
    other = api.account("trainer")
    csrf = _form_sign_in(api, other, offset_steps=0)
    trajectory, recording, clip = (world[k]["id"] for k in ("trajectory", "recording", "clip"))
    html = {"accept": "text/html"}
    assert world["family"]["code"] not in api.client.get("/trajecten").text
    for path in (
        f"/trajecten/{trajectory}",
        f"/trajecten/{trajectory}/importeren",
        f"/opnames/{recording}",
    ):
        refused = api.client.get(path, headers=html)
        assert refused.status_code == 403, path
        assert "U bent niet de trainer van dit traject." in refused.text
        assert world["family"]["code"] not in refused.text
    for path, data in (
        (f"/trajecten/{trajectory}", {"phase": "closed"}),
        (f"/opnames/{recording}/fragmenten", {"start_s": "1", "end_s": "2", "purpose": "review"}),
        (f"/fragmenten/{clip}/kijken", {}),
    ):
        refused = api.client.post(
            path, headers=html, data={"csrf": csrf, **data}, follow_redirects=False
        )
        assert refused.status_code == 403, path
    # Nor through the stream of the whole recording.
    assert (
        api.client.post(
            f"/api/v1/recordings/{recording}/stream", headers={"X-CSRF-Token": csrf}
        ).status_code
        == 403
    )


def test_removal_works_without_javascript_and_is_refused_to_others(api: Api) -> None:
    owner = api.account("trainer")
    world = family_with_recording(api, owner)
    trajectory, recording = world["trajectory"]["id"], world["recording"]["id"]
    other = api.account("trainer")
    html = {"accept": "text/html"}
    csrf = _form_sign_in(api, other, offset_steps=0)
    for method, data in (("GET", None), ("POST", {"csrf": csrf, "reason": "wrong_family"})):
        refused = api.client.request(
            method, f"/opnames/{recording}/verwijderen", headers=html, data=data
        )
        assert refused.status_code == 403, method
        assert "U bent niet de trainer van dit traject." in refused.text
    api.client.post("/afmelden", data={"csrf": csrf})
    csrf = _form_sign_in(api, owner, offset_steps=1)
    page = api.client.get(f"/opnames/{recording}")
    assert "Opname verwijderen…" in page.text
    assert "4 min 0 s" in page.text  # 240 s, in words
    confirm = api.client.get(f"/opnames/{recording}/verwijderen")
    assert confirm.status_code == 200
    assert "De opname en alle fragmenten ervan worden definitief verwijderd" in confirm.text
    for reason in (
        "Verkeerd gezin",
        "Per ongeluk geïmporteerd",
        "Mislukte opname",
        "Dubbel geïmporteerd",
    ):
        assert reason in confirm.text
    api.client.cookies.set("lang", "en")
    assert (
        "The recording and all its clips are removed for good"
        in api.client.get(f"/opnames/{recording}/verwijderen").text
    )
    api.client.cookies.set("lang", "nl")
    no_reason = api.client.post(
        f"/opnames/{recording}/verwijderen", headers=html, data={"csrf": csrf}
    )
    assert no_reason.status_code == 422
    assert "Kies een reden om de opname te verwijderen." in no_reason.text
    # Under a legal hold for the whole family, nothing of it goes: the page says why.
    with unit_of_work() as db:
        hold = LegalHoldRow(
            family_id=uuid.UUID(world["family"]["id"]),
            reason="Klacht",
            placed_on=datetime.now(UTC).date(),
        )
        db.add(hold)
        db.flush()
        hold_id = hold.id
    held = api.client.post(
        f"/opnames/{recording}/verwijderen",
        headers=html,
        data={"csrf": csrf, "reason": "wrong_family"},
    )
    assert held.status_code == 409
    assert "Er geldt een bewaarplicht voor deze opname" in held.text
    with unit_of_work() as db:
        row = db.get(LegalHoldRow, hold_id)
        assert row is not None
        row.released_on = datetime.now(UTC).date()
        db.add(row)
    removed = api.client.post(
        f"/opnames/{recording}/verwijderen",
        data={"csrf": csrf, "reason": "duplicate"},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert removed.headers["location"] == f"/trajecten/{trajectory}?klaar=verwijderd"
    listed = api.client.get(removed.headers["location"]).text
    assert "De opname is verwijderd." in listed
    assert "Opnames (0)" in listed
    assert api.client.get(f"/opnames/{recording}", headers=html).status_code == 404


def test_recording_page_speaks_dutch_numbers_not_ffprobe(api: Api) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    recording = world["recording"]["id"]
    made = api.client.post(
        f"/api/v1/recordings/{recording}/clips",
        headers=api.as_(trainer),
        json={"start_s": 4.49, "end_s": 9.72, "title": "Spiegelen"},
    )
    assert made.status_code == 201, made.text
    with unit_of_work() as db:  # what the ingest stores from ffprobe for a camera's MP4
        row = db.get(Recording, uuid.UUID(recording))
        assert row is not None
        row.probe = json.dumps(
            {
                "container": "mov,mp4,m4a,3gp,3g2,mj2",
                "duration_s": 240.0,
                "video_codec": "h264",
                "width": 1920,
                "height": 1080,
                "rotation": 0,
                "interlaced": False,
                "frame_rate": 29.97002997,
                "variable_frame_rate": False,
                "audio_codec": "aac",
                "audio_channels": 6,
                "creation_time": None,
                "has_location": False,
            }
        )
        db.add(row)
    _form_sign_in(api, trainer, offset_steps=1)  # the API's sign-in used this step's code
    page = api.client.get(f"/opnames/{recording}").text
    assert "mov,mp4" not in page
    assert "MP4/QuickTime" in page
    assert "29,97 beelden per seconde" in page
    assert "6 kanalen" in page
    assert "4,49 – 9,72 s" in page
    assert "5,23 s" in page  # the clip's length
    assert not re.search(r"\d\.\d\d? s", page)  # no decimal point in a Dutch page
    api.client.cookies.set("lang", "en")
    page = api.client.get(f"/opnames/{recording}").text
    assert "29.97 frames per second" in page
    assert "6 channels" in page
    assert "4.49 – 9.72 s" in page


def test_the_no_javascript_hint_names_a_command_the_cli_accepts(api: Api) -> None:
    """Without JavaScript the import page names the command line: the real `beeldkluis ingest`, with
    this trajectory and this server's address, parsed here by the CLI itself."""
    import html
    import shlex

    from typer.testing import CliRunner

    from vault.cli import app

    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    _form_sign_in(api, trainer, offset_steps=1)
    page = api.client.get(f"/trajecten/{world['trajectory']['id']}/importeren")
    assert page.status_code == 200
    hint = re.search(r"<noscript>.*?<code>(.*?)</code>", page.text, re.S)
    assert hint is not None, page.text
    words = shlex.split(html.unescape(hint.group(1)))
    assert words[:2] == ["beeldkluis", "ingest"]
    assert "--trajectory" in words
    assert words[words.index("--trajectory") + 1] == world["trajectory"]["id"]
    assert "--server" in words
    assert words[words.index("--server") + 1] == "http://testserver"
    # The CLI reads the same words (with a card that exists): no unknown option, no missing argument.
    card = words[2]
    parsed = CliRunner().invoke(app, [*words[1:], "--help"])
    assert parsed.exit_code == 0, parsed.output
    assert card.startswith("/")


def test_the_player_speaks_one_language_and_leads_back(api: Api) -> None:
    """/kijken reads in the viewer's language only (no "Laden… / Loading…"), and links back to where
    the viewer came from: a path of this site only, else the start page."""
    from vault.settings import get_settings
    from vault.store import ObjectKind, open_store

    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    with unit_of_work() as db:
        recording = db.get(Recording, uuid.UUID(world["recording"]["id"]))
        assert recording is not None
        stored = open_store(db, get_settings()).put(
            family_id=uuid.UUID(world["family"]["id"]),
            kind=ObjectKind.original,
            source=[b"beelden" * 100],
        )
        recording.original_object_id = stored.id
        db.add(recording)
    opened = api.client.post(
        f"/api/v1/clips/{world['clip']['id']}/stream", headers=world["headers"]
    )
    assert opened.status_code == 200, opened.text
    player = opened.json()["player"]
    back = f"/opnames/{world['recording']['id']}"

    dutch = api.client.get(f"{player}?terug={back}", headers={"accept-language": "nl"})
    assert dutch.status_code == 200
    assert '<html lang="nl">' in dutch.text
    assert "Loading" not in dutch.text
    assert " / " not in re.sub(r"<[^>]+>", "", dutch.text), dutch.text  # no "Dutch / English" pairs
    assert re.search(rf'<a href="{back}"[^>]*>← Terug</a>', dutch.text), dutch.text
    english = api.client.get(f"{player}?terug={back}", headers={"accept-language": "en"})
    assert '<html lang="en">' in english.text
    assert "<h1>Watch the clip</h1>" in english.text
    assert "Laden" not in english.text
    assert re.search(rf'<a href="{back}"[^>]*>← Back</a>', english.text)
    for elsewhere in (
        "//evil.example/x",
        "https://evil.example/",
        "javascript:alert(1)",
        '/a"onmouseover',
    ):
        page = api.client.get(player, params={"terug": elsewhere})
        assert re.search(r'<a href="/"[^>]*>← Terug</a>', page.text), elsewhere
    expired = api.client.get("/kijken/not-a-token", headers={"accept-language": "en"})
    assert expired.status_code == 401
    assert "The viewing link expired" in expired.text
    assert "De kijklink" not in expired.text
