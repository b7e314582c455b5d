"""The opleider's and gecommitteerde's pages: my trainees and the clips their families released, the
watermarked player, notes at a moment that the trainee reads too; refusals in Dutch; notes go with
the footage in a purge."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import select

from tests.factories import GrantFactory, SupervisionLinkFactory, bound
from tests.support.api import Api
from tests.support.browser import Browser
from tests.support.families import consent_body, family_with_recording
from tests.support.purge import DUE, GRACE, at, run
from tests.support.purge import world as purge_world  # noqa: F401 - the purge's own fixture
from tests.support.web import _audit, _clip_with_video, _cookie_sign_in
from vault.consents.models import SupervisionNote
from vault.db import unit_of_work
from vault.purge import Tombstone
from vault.recordings.models import Clip
from vault.web.supervisor import clock, parse_moment

PLAYING = """(after) => { const v = document.getElementById('video'); return v.currentTime > after && !v.paused; }"""


def test_opleider_watches_a_clip_and_notes_a_moment_the_trainee_reads_in_chromium(
    api: Api,
    supervised: dict[str, Any],
    browser: Browser,
    tmp_path: Path,
) -> None:
    w = supervised
    # A second family of the same trainer gave no supervision consent: counted, never shown.
    _clip_with_video(api, w["trainer"], w["server"], tmp_path, "Zonder toestemming")

    page = browser.sign_in(api, w["opleider"], offset_steps=1)
    assert page.url == browser.server + "/begeleiding"
    assert page.get_by_role("heading", level=1).inner_text() == "Begeleiding"
    section = page.locator("section.trainee")
    assert section.get_by_role("heading", level=2).inner_text() == w["trainer_name"]
    assert section.get_by_role("link", name="Bad").is_visible()
    assert "Zonder toestemming" not in page.content()
    assert (
        section.locator(".withheld li").inner_text()
        == "1 fragment zonder toestemming van het gezin"
    )
    browser.shot("opleider")
    # The list is logged once per family it concerns, not once per clip.
    lists = _audit(w["opleider"].id, object_type="clip_list")
    assert sorted(r.outcome for r in lists) == ["allowed", "denied"]
    assert all(r.action == "view" for r in lists)
    assert _audit(w["opleider"].id, object_type="clip") == []

    section.get_by_role("link", name="Bad").click()
    page.wait_for_url(f"{browser.server}/begeleiding/fragmenten/{w['clip_id']}")
    assert page.get_by_role("heading", level=1).inner_text() == "Bad"
    assert w["trainer_name"] in page.locator("dl.facts").inner_text()
    page.locator("#play").click()
    page.wait_for_function(PLAYING, arg=1.0, timeout=90_000)
    page.locator("#play").click()  # pausing fills in the moment
    page.wait_for_function("() => document.getElementById('moment').value !== ''")
    moment = page.get_by_label("Moment (minuten:seconden of seconden)").input_value()
    at_s = parse_moment(moment)
    assert at_s is not None
    assert 1.0 <= at_s <= 9.0
    # Typed in the note, a space or a full stop is text, not one of the player's shortcuts.
    page.get_by_label("Notitie", exact=True).press_sequentially(
        "Moeder volgt het initiatief van het kind: benoemen."
    )
    assert page.locator("#video").evaluate("v => v.paused")
    assert parse_moment(page.locator("#moment").input_value()) == at_s
    page.get_by_role("button", name="Notitie opslaan").click()
    page.wait_for_url(re.compile(r".*\?opgeslagen=notitie#notities$"))
    assert page.get_by_role("status").first.inner_text() == "Notitie opgeslagen."
    note = page.locator("li.note")
    assert (
        note.locator(".note-text").inner_text()
        == "Moeder volgt het initiatief van het kind: benoemen."
    )
    assert note.locator("a.moment").inner_text() == clock(at_s)
    browser.shot("opleider-fragment")
    # A note's moment takes the player there.
    page.wait_for_function("() => document.getElementById('video').readyState >= 1")
    note.locator("a.moment").click()
    page.wait_for_function(
        "(t) => Math.abs(document.getElementById('video').currentTime - t) < 0.05", arg=at_s
    )
    # Watching was logged: the clip opened, a viewing link issued, segments streamed.
    clip_id = w["clip_id"]
    assert {r.outcome for r in _audit(w["opleider"].id, action="view", object_id=clip_id)} == {
        "allowed"
    }
    streamed = _audit(w["opleider"].id, action="stream_segment")
    assert streamed
    assert {r.outcome for r in streamed} == {"allowed"}
    with unit_of_work() as db:
        saved = db.exec(
            select(SupervisionNote).where(SupervisionNote.clip_id == uuid.UUID(clip_id))
        ).one()
    assert saved.author_id == w["opleider"].id
    assert saved.at_s == round(at_s, 2)

    # The trainee reads it, without a form to add or delete.
    page.get_by_role("button", name="Afmelden").click()
    page.wait_for_url(re.compile(r".*/aanmelden\?afgemeld=1$"))
    browser.sign_in(api, w["trainer"], offset_steps=1)
    page = browser.go(f"/opnames/{w['recording_id']}")  # from the recording's list of clips
    page.get_by_role("link", name="Bad", exact=True).click()  # not "Kijkrichting … Bad"
    page.wait_for_url(f"{browser.server}/begeleiding/fragmenten/{clip_id}")
    assert page.get_by_role("heading", level=1).inner_text() == "Bad"
    assert (
        page.locator("li.note .note-text").inner_text()
        == "Moeder volgt het initiatief van het kind: benoemen."
    )
    assert w["opleider_name"] in page.locator("li.note").inner_text()
    assert page.get_by_role("button", name="Notitie opslaan").count() == 0
    assert page.get_by_role("button", name="Verwijderen").count() == 0
    assert page.get_by_role("link", name="← Mijn trajecten").count() == 1


def test_without_link_or_consent_the_clip_page_refuses_in_dutch(api: Api) -> None:
    trainer, opleider, stranger = (
        api.account("trainer"),
        api.account("opleider"),
        api.account("opleider"),
    )
    with unit_of_work() as db, bound(db):
        SupervisionLinkFactory(trainee_id=trainer.id, opleider_id=opleider.id)
    world = family_with_recording(api, trainer)
    clip_page = f"/begeleiding/fragmenten/{world['clip']['id']}"
    html = {"accept": "text/html"}

    _cookie_sign_in(api, stranger)
    refused = api.client.get(clip_page, headers=html)
    assert refused.status_code == 403
    assert "Er is geen supervisiekoppeling met de trainer van dit traject." in refused.text
    assert "Aansluiten" not in refused.text

    csrf = _cookie_sign_in(api, opleider)
    refused = api.client.get(clip_page, headers=html)
    assert refused.status_code == 403
    assert "Er is geen toestemming van het gezin voor dit doel." in refused.text
    assert "Aansluiten" not in refused.text
    note = api.client.post(
        f"{clip_page}/notities", data={"csrf": csrf, "moment": "0:05", "text": "x"}
    )
    assert note.status_code == 403
    assert "Er is geen toestemming van het gezin voor dit doel." in note.text
    denied = _audit(opleider.id, action="view", outcome="denied")
    assert {r.reason for r in denied} == {"no_consent"}

    # With consent: the page opens (this clip has no footage: no player, but its notes).
    given = api.client.post(
        f"/api/v1/families/{world['family']['id']}/consents",
        headers=world["headers"],
        json=consent_body(world, "supervision"),
    )
    assert given.status_code == 201
    opened = api.client.get(clip_page, headers=html)
    assert opened.status_code == 200
    assert "De beelden van dit fragment zijn er niet (meer)." in opened.text
    # A form without the session's token changes nothing; a bad moment is explained.
    forged = api.client.post(
        f"{clip_page}/notities", data={"csrf": "0" * 64, "moment": "0:05", "text": "x"}
    )
    assert forged.status_code == 403
    bad = api.client.post(
        f"{clip_page}/notities", data={"csrf": csrf, "moment": "5:00", "text": "te laat"}
    )
    assert bad.status_code == 422
    assert "tussen 0:00 en 0:30" in bad.text
    assert "te laat" in bad.text  # nothing to type again
    saved = api.client.post(
        f"{clip_page}/notities",
        data={"csrf": csrf, "moment": "12,5", "text": "Goed moment"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    with unit_of_work() as db:
        saved_note = db.exec(
            select(SupervisionNote).where(SupervisionNote.author_id == opleider.id)
        ).one()
    assert saved_note.at_s == 12.5
    # Only the author deletes a note.
    other = api.account("opleider")
    with unit_of_work() as db, bound(db):
        SupervisionLinkFactory(trainee_id=trainer.id, opleider_id=other.id)
    other_csrf = _cookie_sign_in(api, other)
    assert other.id != opleider.id
    gone = api.client.post(
        f"{clip_page}/notities/{saved_note.id}/verwijderen", data={"csrf": other_csrf}
    )
    assert gone.status_code == 404
    csrf = _cookie_sign_in(api, opleider, offset_steps=1)
    deleted = api.client.post(
        f"{clip_page}/notities/{saved_note.id}/verwijderen",
        data={"csrf": csrf},
        follow_redirects=False,
    )
    assert deleted.status_code == 303
    with unit_of_work() as db:
        assert db.get(SupervisionNote, saved_note.id) is None


def test_a_gecommitteerde_sees_clips_only_while_the_grant_runs(
    api: Api, supervised: dict[str, Any]
) -> None:
    w = supervised
    expired, current = api.account("gecommitteerde"), api.account("gecommitteerde")
    now = datetime.now(UTC)
    with unit_of_work() as db, bound(db):
        GrantFactory(
            user_id=expired.id,
            trainee_id=w["trainer"].id,
            valid_from=now - timedelta(days=30),
            valid_until=now - timedelta(days=1),
            confirmed_at=now,
        )
        GrantFactory(
            user_id=current.id,
            trainee_id=w["trainer"].id,
            valid_from=now - timedelta(days=1),
            valid_until=now + timedelta(days=30),
            confirmed_at=now,
        )
    html = {"accept": "text/html"}

    _cookie_sign_in(api, current)
    start = api.client.get("/begeleiding")
    assert start.status_code == 200
    assert ">Bad</a>" in start.text

    _cookie_sign_in(api, expired)
    start = api.client.get("/begeleiding")
    assert start.status_code == 200
    assert "U heeft nu geen geldige opdracht als gecommitteerde." in start.text
    english = api.client.get("/begeleiding", headers={"accept-language": "en"})
    assert "You hold no valid assessor grant at the moment." in english.text
    assert "Bad" not in start.text
    assert w["trainer_name"] not in start.text
    refused = api.client.get(f"/begeleiding/fragmenten/{w['clip_id']}", headers=html)
    assert refused.status_code == 403
    assert "Er is geen geldige opdracht als gecommitteerde voor dit traject." in refused.text
    # Other roles have no supervision start page.
    trainer_csrf = _cookie_sign_in(api, api.account("trainer"))
    assert trainer_csrf
    assert api.client.get("/begeleiding", headers=html).status_code == 403


def test_moments_are_read_as_minutes_and_seconds_or_seconds() -> None:
    assert parse_moment("1:05") == 65
    assert parse_moment(" 0:04.5 ") == 4.5
    assert parse_moment("12,5") == 12.5
    assert parse_moment("7") == 7
    for wrong in ("", "1:75", "-3", "abc", "1:2:3", "1e9"):
        assert parse_moment(wrong) is None, wrong
    assert clock(65) == "1:05"
    assert clock(4.5) == "0:04.5"


def test_a_purge_removes_the_notes_with_the_footage(purge_world: Any) -> None:  # noqa: F811
    w = purge_world
    db = w["db"]
    clips = []
    for recording in w["recordings"]:
        clip = Clip(
            recording_id=recording.id, start_s=0, end_s=5, title="x", created_by=w["trainer"].id
        )
        db.add(clip)
        db.flush()
        db.add(
            SupervisionNote(
                clip_id=clip.id, author_id=w["trainer"].id, at_s=1, text="Aansluiten bij het kind"
            )
        )
        clips.append(clip.id)
    db.commit()
    assert run(w, at(DUE)) is None  # marked: the notes stay until the footage really goes
    assert len(db.exec(select(SupervisionNote)).all()) == 2
    assert run(w, at(DUE) + GRACE) is not None
    assert db.exec(select(SupervisionNote)).all() == []
    assert len(db.exec(select(Tombstone)).all()) == 2


def test_a_clip_made_for_the_wok_is_not_released_for_supervision(
    api: Api, supervised: dict[str, Any]
) -> None:
    """The family gave consent for supervision and for the WOK; the trainer made one clip for each.
    The opleider's list shows the supervision clip only, says why one is withheld, and the WOK clip's
    own page refuses in Dutch."""
    w = supervised
    given = api.client.post(
        f"/api/v1/families/{w['family']['id']}/consents",
        headers=w["headers"],
        json=consent_body(w, "wok"),
    )
    assert given.status_code == 201, given.text
    made = {}
    for title, purpose in (("Voor de WOK", "wok"), ("Voor supervisie", "supervision")):
        clip = api.client.post(
            f"/api/v1/recordings/{w['recording_id']}/clips",
            headers=w["headers"],
            json={"start_s": 0, "end_s": 2, "title": title, "purpose": purpose},
        )
        assert clip.status_code == 201, clip.text
        made[purpose] = clip.json()["id"]

    _cookie_sign_in(api, w["opleider"])
    start = api.client.get("/begeleiding")
    assert start.status_code == 200
    assert ">Voor supervisie</a>" in start.text
    assert ">Bad</a>" in start.text  # made for review with the family: the family's consent decides
    assert "Voor de WOK" not in start.text
    assert "1 fragment met een ander doel dan supervisie" in start.text
    refused = api.client.get(
        f"/begeleiding/fragmenten/{made['wok']}", headers={"accept": "text/html"}
    )
    assert refused.status_code == 403
    assert "Dit fragment heeft de trainer voor een ander doel gemaakt." in refused.text
    assert "Voor de WOK" not in refused.text
    denied = _audit(w["opleider"].id, action="view", outcome="denied", object_id=made["wok"])
    assert [r.reason for r in denied] == ["clip_for_other_purpose"]
