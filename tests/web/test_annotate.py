"""Coding while watching (issue #23): on the trainer's recording page a code's key marks the current
frame, shift and the key mark a span, the timeline under the player draws them per actor, and clicking
one seeks the player to its frame. Real footage, real stream worker, real Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.support.api import Account, Api
from tests.support.browser import Browser
from tests.support.families import family_with_recording
from tests.support.media import make_video
from tests.support.tus import tus_upload, upload_id
from tests.support.web import _audit, _clip_with_video, _sign_out
from vault.ingest.tasks import verify_upload

READY = "() => document.getElementById('video').readyState >= 2"
AT = "(t) => Math.abs(document.getElementById('video').currentTime - t) < 0.001"
FRAME = "() => Math.round(document.getElementById('video').currentTime * 25)"


def _stored(world: dict[str, Any]) -> list[dict[str, Any]]:
    listed = httpx.get(
        f"{world['server']}/api/v1/recordings/{world['recording_id']}/annotations",
        headers=world["headers"],
    )
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


# The frame's own index burnt into its top band as ten bits (32 px blocks of a 320 px wide picture,
# least significant on the left), so the browser can read which frame it shows.
CODED = (
    "geq=lum='if(lt(Y,48),if(mod(floor(N/pow(2,floor(X/32))),2),235,16),lum(X,Y))'"
    ":cb='if(lt(Y,48),128,cb(X,Y))':cr='if(lt(Y,48),128,cr(X,Y))'"
)
SHOWN = """async () => {
  const v = document.getElementById('video');
  if (v.seeking) { await new Promise(r => v.addEventListener('seeked', r, {once: true})); }
  const c = document.createElement('canvas');
  c.width = v.videoWidth; c.height = v.videoHeight;
  const g = c.getContext('2d');
  g.drawImage(v, 0, 0);
  let n = 0;
  for (let b = 0; b < 10; b++) {
    const p = g.getImageData(Math.round((b + 0.5) * c.width / 10), Math.round(c.height * 0.1), 1, 1).data;
    if (p[0] > 128) { n += 1 << b; }
  }
  return n;
}"""
SEEK = """(t) => new Promise(r => { const v = document.getElementById('video');
  v.addEventListener('seeked', () => r(), {once: true}); v.pause(); v.currentTime = t; })"""


def _coded_recording(
    api: Api, trainer: Account, server: str, tmp_path: Path, seconds: int
) -> dict[str, Any]:
    world = family_with_recording(api, trainer)
    video = make_video(tmp_path / "coded.mp4", seconds, extra=["-vf", CODED])
    url = tus_upload(server, world["headers"], video, world["trajectory"]["id"])
    assert verify_upload(upload_id(url)) == "stored"
    status = httpx.get(f"{server}/api/v1/uploads/{upload_id(url)}", headers=world["headers"]).json()
    return {**world, "recording_id": status["recording_id"], "server": server}


def test_the_annotated_frame_is_the_frame_shown_after_seeks_and_steps(
    api: Api, browser: Browser, server: str, stream_worker: None, tmp_path: Path
) -> None:
    """Issue #23: the picture the trainer codes is the frame the annotation stores, in every segment,
    after a seek (a new segment job) and after frame steps both ways, also paused between two frames."""
    trainer = api.account("trainer")
    world = _coded_recording(
        api, trainer, server, tmp_path, seconds=12
    )  # 300 frames, three segments
    page = browser.sign_in(api, trainer, offset_steps=1)
    browser.go(f"/opnames/{world['recording_id']}")
    page.wait_for_function(READY, timeout=90_000)
    page.wait_for_function("() => document.getElementById('annotations').dataset.loaded === '1'")

    checked = []
    # (where to seek in seconds, frame steps after it): a segment's start and middle, a later segment
    # (a seek past what is buffered), back into the first, mid-frame, and the last segment.
    for at, steps in [
        (0.2, 3),
        (2.0, 0),
        (4.0, -1),
        (5.0, 2),
        (9.6, 0),
        (1.0, -2),
        (7.22, 0),
        (10.5, 1),
    ]:
        page.evaluate(SEEK, at)
        key = "." if steps > 0 else ","
        for _ in range(abs(steps)):
            page.keyboard.press(key)
        page.wait_for_function(
            "() => { const v = document.getElementById('video'); return !v.seeking && v.readyState >= 2; }"
        )
        shown = page.evaluate(SHOWN)
        before = {a["id"] for a in _stored(world)}
        page.keyboard.press("i")
        page.wait_for_function(
            f"() => document.querySelectorAll('#annotation-list tbody tr').length === {len(before) + 1}"
        )
        (new,) = [a["frame_in"] for a in _stored(world) if a["id"] not in before]
        checked.append((at, steps, int(at * 25) + steps, shown, new))
    # the frame the player shows is the frame at its time, and the annotation stores that frame
    assert [(expected, expected) for *_, expected, _, _ in checked] == [
        (shown, new) for *_, shown, new in checked
    ], checked


def test_trainer_jumps_between_changes_notes_and_deletes_annotations_by_keyboard(
    api: Api, browser: Browser, server: str, stream_worker: None, tmp_path: Path
) -> None:
    """Issue #23: Page Down/Up jump between annotations and select one, Enter opens it in the form
    (code, who, frames, a note), a delete can be undone once; every write is in the audit log."""
    trainer = api.account("trainer")
    world = _clip_with_video(api, trainer, server, tmp_path, "Bad", seconds=2)
    page = browser.sign_in(api, trainer, offset_steps=1)
    browser.go(f"/opnames/{world['recording_id']}")
    page.wait_for_function(READY, timeout=90_000)
    page.wait_for_function("() => document.getElementById('annotations').dataset.loaded === '1'")
    for frame, key in [(5, "i"), (20, "o"), (40, "b")]:
        page.evaluate(SEEK, frame / 25)
        page.keyboard.press(key)
        page.wait_for_function(
            f"() => document.querySelectorAll('#annotation-list tbody tr').length === {[5, 20, 40].index(frame) + 1}"
        )

    # From the start, Page Down goes to the first and the next, Page Up back; the player follows.
    page.evaluate(SEEK, 0)
    page.keyboard.press("PageDown")
    page.wait_for_function(AT, arg=0.2)
    page.keyboard.press("PageDown")
    page.wait_for_function(AT, arg=0.8)
    assert "ontvangen" in page.locator("#annotation-status").inner_text()
    page.keyboard.press("PageUp")
    page.wait_for_function(AT, arg=0.2)
    assert page.locator("#annotation-list tr.selected td").nth(2).inner_text() == "initiatief"
    assert page.locator(".timeline .mark.selected").count() == 1

    # Enter opens it: another code, a last frame from the field, a note; saved by the form's button.
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "edit-code"
    page.select_option("#edit-code", "kans")
    page.keyboard.press("Tab")  # who
    page.keyboard.press("Tab")  # first frame
    page.keyboard.press("Tab")  # "this frame as the start"
    page.keyboard.press("Tab")  # last frame
    page.keyboard.type("12")
    page.keyboard.press("Tab")  # "this frame as the end"
    page.keyboard.press("Tab")  # note
    page.keyboard.type("Moeder benoemt wat het kind ziet.")
    page.keyboard.press("Tab")  # for the family
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # save
    page.wait_for_function(
        "() => document.getElementById('annotation-status').textContent.startsWith('Gewijzigd')"
    )
    first = next(a for a in _stored(world) if a["frame_in"] == 5)
    assert (first["code"], first["frame_out"], first["note"], first["for_family"]) == (
        "kans",
        12,
        "Moeder benoemt wat het kind ziet.",
        True,
    )
    kans = page.locator(".timeline .mark[data-code='kans']")
    assert (
        kans.evaluate("m => getComputedStyle(m).backgroundColor") == "rgb(245, 166, 35)"
    )  # #f5a623
    assert "Moeder benoemt" in page.locator("#annotation-list").inner_text()

    # A frame past the end is refused in Dutch, naming the problem; nothing changes.
    page.fill("#edit-frame-out", "900")
    page.get_by_role("button", name="Wijziging opslaan").click()
    page.wait_for_function(
        "() => document.getElementById('annotation-status').textContent.includes('voorbij het einde')"
    )
    assert next(a for a in _stored(world) if a["frame_in"] == 5)["frame_out"] == 12

    # Delete by keyboard, then undo it: the annotation is back (as a new one).
    page.get_by_role("button", name="Verwijderen benoemen").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelectorAll('#annotation-list tbody tr').length === 2"
    )
    assert [a["code"] for a in _stored(world)] == ["kans", "ontvangen"]
    page.locator("#annotation-undo").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelectorAll('#annotation-list tbody tr').length === 3"
    )
    assert [(a["frame_in"], a["code"]) for a in _stored(world)] == [
        (5, "kans"),
        (20, "ontvangen"),
        (40, "benoemen"),
    ]
    assert browser.barriers() == []

    # Besides each decision (on the recording), each write is logged with the annotation it wrote.
    records = _audit(trainer.id, object_type="annotation")
    written = [r.action for r in records if str(r.object_id) != world["recording_id"]]
    assert sorted(written) == ["create"] * 4 + ["delete", "update"]


def test_opleider_comments_on_an_annotation_and_the_trainer_answers_on_the_clip_page(
    api: Api,
    supervised: dict[str, Any],  # noqa: F811 - the fixture imported above
    browser: Browser,
) -> None:
    """Issue #23: on the clip page the opleider (supervision consent) sees the trainer's annotations in
    the clip and comments on one; the trainer reads it there and answers."""
    w = supervised
    made = httpx.post(
        f"{w['server']}/api/v1/recordings/{w['recording_id']}/annotations",
        headers=w["headers"],
        json={"frame_in": 50, "code": "kans", "actor": "ouder", "note": "Moeder wacht af."},
    )
    assert made.status_code == 201, made.text
    page = browser.sign_in(api, w["opleider"], offset_steps=1)
    browser.go(f"/begeleiding/fragmenten/{w['clip_id']}")
    thread = page.locator(f"#aantekening-{made.json()['id']}")
    assert "kans" in thread.inner_text()
    assert "Moeder wacht af." in thread.inner_text()
    thread.get_by_label("Reactie", exact=True).fill("Wat zag u hier bij de moeder?")
    thread.get_by_role("button", name="Reageren").click()
    assert page.locator("p.notice").inner_text() == "Reactie opgeslagen."
    assert browser.barriers() == []
    _sign_out(browser)

    page = browser.sign_in(api, w["trainer"], offset_steps=1)
    browser.go(f"/begeleiding/fragmenten/{w['clip_id']}")
    thread = page.locator(f"#aantekening-{made.json()['id']}")
    assert "Wat zag u hier bij de moeder?" in thread.inner_text()
    thread.get_by_label("Reactie", exact=True).fill("Ze volgt de blik van het kind.")
    thread.get_by_role("button", name="Reageren").click()
    said = page.locator(f"#aantekening-{made.json()['id']} .thread li")
    assert [t.split("\n")[-1] for t in said.all_inner_texts()] == [
        "Wat zag u hier bij de moeder?",
        "Ze volgt de blik van het kind.",
    ]
    assert w["opleider_name"] in said.first.inner_text()


def test_trainer_saves_the_annotations_as_a_file_and_reads_one_in(
    api: Api, browser: Browser, server: str, stream_worker: None, tmp_path: Path
) -> None:
    """ELAN, WebVTT and JSON-LD from the recording page; a file read in all or nothing, what is there
    skipped, a bad file refused by name in Dutch with nothing read."""
    trainer = api.account("trainer")
    world = _clip_with_video(api, trainer, server, tmp_path, "Bad", seconds=2)
    url = f"{server}/api/v1/recordings/{world['recording_id']}/annotations"
    for frame, code in ((5, "initiatief"), (20, "ontvangen")):
        made = httpx.post(url, headers=world["headers"], json={"frame_in": frame, "code": code})
        assert made.status_code == 201, made.text
    page = browser.sign_in(api, trainer, offset_steps=1)
    browser.go(f"/opnames/{world['recording_id']}")
    page.wait_for_function("() => document.getElementById('annotations').dataset.loaded === '1'")

    # Saved as ELAN from the page (the link, with the signed-in browser's session).
    with page.expect_download() as saved:
        page.get_by_role("link", name="ELAN (.eaf)").click()
    eaf = tmp_path / "bad.eaf"
    saved.value.save_as(eaf)
    assert b"<ANNOTATION_DOCUMENT" in eaf.read_bytes()

    # One annotation deleted, the file read in again: it comes back; the other is skipped.
    second = _stored(world)[1]["id"]
    assert httpx.delete(f"{url}/{second}", headers=world["headers"]).status_code == 200
    page.reload()
    page.wait_for_function("() => document.getElementById('annotations').dataset.loaded === '1'")
    assert page.locator("#annotation-list tbody tr").count() == 1
    page.get_by_label("Inlezen uit een bestand (ELAN, WebVTT of JSON-LD)").set_input_files(eaf)
    page.get_by_role("button", name="Inlezen", exact=True).click()
    page.wait_for_function(
        "() => document.getElementById('annotation-status').textContent.includes('ingelezen')"
    )
    said = page.locator("#annotation-status").inner_text()
    assert said == "bad.eaf: ingelezen, nieuw 1, overgeslagen (stond er al) 1."
    assert page.locator("#annotation-list tbody tr").count() == 2
    assert sorted(a["frame_in"] for a in _stored(world)) == [5, 20]

    # A file that is none of the three: refused by name, in Dutch, nothing read.
    wrong = tmp_path / "kapot.vtt"
    wrong.write_text("WEBVTT\n\nniet goed\n")
    page.get_by_label("Inlezen uit een bestand (ELAN, WebVTT of JSON-LD)").set_input_files(wrong)
    page.get_by_role("button", name="Inlezen", exact=True).click()
    page.wait_for_function(
        "() => document.getElementById('annotation-status').textContent.includes('niet ingelezen')"
    )
    assert (
        page.locator("#annotation-status").inner_text().startswith("kapot.vtt is niet ingelezen: ")
    )
    assert len(_stored(world)) == 2
    assert browser.barriers() == []
