"""The trainer's codebook and annotations through the API (issue #23): frame-accurate, under the same
access decision as the footage, every read and write in the audit log, problems named in Dutch."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from fractions import Fraction

from sqlmodel import select

from tests.support.annotations import denials, wok_peer, world
from tests.support.api import Api
from tests.support.families import consent_body
from vault.audit import AuditRecord
from vault.db import unit_of_work
from vault.domain.models import SupervisionLink
from vault.recordings.models import Recording


def test_the_shipped_codebook_is_the_basiscommunicatie(api: Api) -> None:
    w = world(api)
    book = api.client.get("/api/v1/codebook", headers=w["headers"])
    assert book.status_code == 200, book.text
    body = book.json()
    assert body["version"] == 1
    assert [a["key"] for a in body["actors"]] == ["kind", "ouder", "ander"]
    assert {c["nl"] for c in body["codes"]} >= {
        "initiatief",
        "ontvangen",
        "benoemen",
        "beurt geven",
        "beurt nemen",
        "gezamenlijke aandacht",
        "leiding geven",
        "afsluiten",
    }
    assert {m["nl"] for m in body["moments"]} == {"geslaagd moment", "kans"}
    assert {m["nl"] for m in body["modifiers"]} == {"verbaal", "non-verbaal"}
    shortcuts = [e["shortcut"] for e in body["codes"] + body["moments"]]
    assert len(set(shortcuts)) == len(shortcuts)
    assert all(e["colour"].startswith("#") and e["en"] for e in body["codes"] + body["actors"])


def test_a_new_codebook_version_by_the_administrator_only(api: Api) -> None:
    w = world(api)
    admin = api.account("administrator")
    book = api.client.get("/api/v1/codebook", headers=w["headers"]).json()
    made = api.client.post(
        f"{w['url']}",
        headers=w["headers"],
        json={"frame_in": 10, "code": "initiatief", "actor": "kind"},
    ).json()
    changed = {k: book[k] for k in ("actors", "codes", "moments", "modifiers")}
    changed["codes"] = [
        *changed["codes"],
        {
            "key": "aansluiten",
            "nl": "aansluiten",
            "en": "attuning",
            "colour": "#123456",
            "shortcut": "j",
        },
    ]
    refused = api.client.post("/api/v1/codebook", headers=w["headers"], json=changed)
    assert refused.status_code == 403
    new = api.client.post("/api/v1/codebook", headers=api.as_(admin), json=changed)
    assert new.status_code == 201, new.text
    assert new.json()["version"] == 2
    clash = {**changed, "codes": [*changed["codes"], {**changed["codes"][0], "key": "x"}]}
    bad = api.client.post("/api/v1/codebook", headers=api.as_(admin), json=clash)
    assert bad.status_code == 422
    # The older annotation keeps the version it was made with; a new one uses version 2.
    listed = api.client.get(w["url"], headers=w["headers"]).json()["items"]
    assert listed[0]["codebook_id"] == made["codebook_id"] == book["id"]
    second = api.client.post(
        w["url"], headers=w["headers"], json={"frame_in": 20, "code": "aansluiten"}
    )
    assert second.status_code == 201, second.text
    assert second.json()["codebook_id"] == new.json()["id"]


def test_frames_round_trip_exactly(api: Api) -> None:
    w = world(api)
    h = w["headers"]
    point = api.client.post(
        w["url"],
        headers=h,
        json={
            "frame_in": 7191,
            "code": "initiatief",
            "actor": "kind",
            "modifiers": ["non_verbaal"],
            "note": "Kijkt naar moeder.",
        },
    )
    assert point.status_code == 201, point.text
    span = api.client.post(
        w["url"],
        headers=h,
        json={
            "frame_in": 300,
            "frame_out": 1198,
            "code": "gezamenlijke_aandacht",
            "actor": "ouder",
        },
    )
    assert span.status_code == 201, span.text
    got = {a["id"]: a for a in api.client.get(w["url"], headers=h).json()["items"]}
    p, s = got[point.json()["id"]], got[span.json()["id"]]
    assert p["rate"] == "30000/1001"
    assert (p["frame_in"], p["frame_out"]) == (7191, None)
    assert (s["frame_in"], s["frame_out"]) == (300, 1198)
    rate = Fraction(p["rate"])
    assert p["start_s"] == float(7191 / rate)
    assert p["end_s"] == float(7192 / rate)
    assert round(Fraction(p["start_s"]) * rate) == 7191  # the seconds give the frame back
    assert s["end_s"] == float(1199 / rate)
    assert p["modifiers"] == ["non_verbaal"]
    assert p["note"] == "Kijkt naar moeder."

    # A clip (10–40 s) shows what falls inside it: the span (10.0–40.0 s), not the point at 239.9 s.
    clip = api.client.get(f"/api/v1/clips/{w['clip']['id']}/annotations", headers=h).json()
    assert [a["id"] for a in clip["items"]] == [span.json()["id"]]
    assert clip["clip_start_s"] == 10

    changed = api.client.put(
        f"{w['url']}/{point.json()['id']}",
        headers=h,
        json={"frame_in": 7190, "code": "kans", "actor": "kind"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["frame_in"] == 7190
    assert changed.json()["code"] == "kans"
    gone = api.client.delete(f"{w['url']}/{span.json()['id']}", headers=h)
    assert gone.status_code == 200
    assert gone.json()["id"] == span.json()["id"]
    assert [a["id"] for a in api.client.get(w["url"], headers=h).json()["items"]] == [
        point.json()["id"]
    ]
    with unit_of_work() as db:
        writes = db.exec(
            select(AuditRecord).where(
                AuditRecord.object_type == "annotation", AuditRecord.outcome == "success"
            )
        ).all()
        assert [r.action for r in writes] == ["create", "create", "update", "delete"]
        assert all(r.family_id == uuid.UUID(w["family"]["id"]) for r in writes)


def test_bad_input_is_named_in_dutch(api: Api) -> None:
    w = world(api)
    h = w["headers"]
    cases = [
        ({"frame_in": 1, "code": "knuffelen"}, "code", "codeboek"),
        ({"frame_in": 1, "code": "initiatief", "actor": "opa"}, "actor", "actor"),
        ({"frame_in": 1, "code": "initiatief", "modifiers": ["luid"]}, "modifiers", "kenmerk"),
        (
            {"frame_in": 7193, "code": "initiatief"},
            "frame_in",
            "voorbij het einde",
        ),  # 240 s = 7192.8 frames
        (
            {"frame_in": 1, "frame_out": 99999, "code": "initiatief"},
            "frame_out",
            "voorbij het einde",
        ),
    ]
    for body, field, words in cases:
        answer = api.client.post(w["url"], headers=h, json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json().get("field") == field, answer.json()
        assert words in answer.json()["detail"], answer.json()
    backwards = api.client.post(
        w["url"], headers=h, json={"frame_in": 10, "frame_out": 5, "code": "initiatief"}
    )
    assert backwards.status_code == 422
    assert "frame_out" in json.dumps(backwards.json())
    # No frame rate known (not checked yet): refused, nothing stored.
    with unit_of_work() as db:
        recording = db.get(Recording, uuid.UUID(w["recording"]["id"]))
        assert recording is not None
        recording.probe = "{}"
        db.add(recording)
    unknown = api.client.post(w["url"], headers=h, json={"frame_in": 1, "code": "initiatief"})
    assert unknown.status_code == 409
    assert "beeldfrequentie" in unknown.json()["detail"]
    assert api.client.get(w["url"], headers=h).json()["total"] == 0


def test_rights_follow_the_footage(api: Api) -> None:
    w = world(api)
    h, trainer = w["headers"], w["trainer"]
    made = api.client.post(
        w["url"], headers=h, json={"frame_in": 400, "frame_out": 500, "code": "ontvangen"}
    )
    assert made.status_code == 201
    clip_annotations = f"/api/v1/clips/{w['clip']['id']}/annotations"
    stream = f"/api/v1/clips/{w['clip']['id']}/stream"

    # An opleider without a supervision link: neither the footage nor the annotations.
    stranger = api.account("opleider")
    hs = api.as_(stranger)
    assert api.client.post(stream, headers=hs).status_code == 403
    refused = api.client.get(clip_annotations, headers=hs)
    assert refused.status_code == 403
    assert refused.json()["reason"] == "no_supervision_link"

    # With a link but without the family's supervision consent: neither.
    opleider = api.account("opleider")
    with unit_of_work() as db:
        db.add(
            SupervisionLink(
                trainee_id=trainer.id, opleider_id=opleider.id, confirmed_at=datetime.now(UTC)
            )
        )
    ho = api.as_(opleider)
    assert api.client.post(stream, headers=ho).json()["reason"] == "no_consent"
    assert api.client.get(clip_annotations, headers=ho).json()["reason"] == "no_consent"

    given = api.client.post(
        f"/api/v1/families/{w['family']['id']}/consents",
        headers=h,
        json=consent_body(w, "supervision"),
    )
    assert given.status_code == 201
    assert given.json()["status"] == "given"
    seen = api.client.get(clip_annotations, headers=ho)
    assert seen.status_code == 200, seen.text
    assert [a["id"] for a in seen.json()["items"]] == [made.json()["id"]]
    # ... on the clip only, read only.
    assert api.client.get(w["url"], headers=ho).json()["reason"] == "annotations_on_a_clip"
    assert api.client.get(f"{w['url']}/export", headers=ho).status_code == 403
    write = api.client.post(w["url"], headers=ho, json={"frame_in": 1, "code": "initiatief"})
    assert write.status_code == 403
    assert api.client.delete(f"{w['url']}/{made.json()['id']}", headers=ho).status_code == 403

    # A trainer of another organisation: nothing, and each refusal is in the log.
    other = api.account("trainer", api.organisation("Andere organisatie"))
    hx = api.as_(other)
    for method, url, body in (
        ("get", w["url"], None),
        ("post", w["url"], {"frame_in": 1, "code": "initiatief"}),
        ("get", clip_annotations, None),
        ("get", f"{w['url']}/export?format=eaf", None),
        ("put", f"{w['url']}/{made.json()['id']}", {"frame_in": 1, "code": "initiatief"}),
        ("delete", f"{w['url']}/{made.json()['id']}", None),
    ):
        answer = api.client.request(method, url, headers=hx, json=body)
        assert answer.status_code == 403, (method, url, answer.text)
        assert answer.json()["reason"] == "not_assigned"
    logged = denials(other.id)
    assert len(logged) >= 6
    assert {r.object_type for r in logged} <= {"annotation", "annotation_export"}
    assert all(r.reason == "not_assigned" for r in logged)
    # An unknown recording is a 404, logged as well.
    missing = api.client.get(f"/api/v1/recordings/{uuid.uuid4()}/annotations", headers=hx)
    assert missing.status_code == 404

    # Roles without footage see no annotations either.
    for role in ("administrator", "privacy_officer"):
        assert api.client.get(w["url"], headers=api.as_(api.account(role))).status_code == 403
    # The annotation is unchanged by all of this.
    assert api.client.get(w["url"], headers=h).json()["items"][0]["frame_out"] == 500


def test_an_opleider_comments_on_an_annotation_and_the_trainer_answers(api: Api) -> None:
    """A thread on an annotation, through the clip it lies in: only with the supervision consent that
    lets the opleider watch the clip, each message in the audit log, problems named in Dutch."""
    w = world(api)
    h, trainer = w["headers"], w["trainer"]
    made = api.client.post(w["url"], headers=h, json={"frame_in": 400, "code": "ontvangen"}).json()
    thread = f"/api/v1/clips/{w['clip']['id']}/annotations/{made['id']}/comments"
    opleider = api.account("opleider")
    with unit_of_work() as db:
        db.add(
            SupervisionLink(
                trainee_id=trainer.id, opleider_id=opleider.id, confirmed_at=datetime.now(UTC)
            )
        )
    ho = api.as_(opleider)

    # Without the family's supervision consent the opleider neither reads nor writes the thread.
    for method, body in (("get", None), ("post", {"body": "Wat zag u hier?"})):
        refused = api.client.request(method, thread, headers=ho, json=body)
        assert refused.status_code == 403, refused.text
        assert refused.json()["reason"] == "no_consent"
    given = api.client.post(
        f"/api/v1/families/{w['family']['id']}/consents",
        headers=h,
        json=consent_body(w, "supervision"),
    )
    assert given.status_code == 201

    asked = api.client.post(thread, headers=ho, json={"body": "  Wat zag u hier bij de moeder?  "})
    assert asked.status_code == 201, asked.text
    answered = api.client.post(thread, headers=h, json={"body": "Ze volgt de blik van het kind."})
    assert answered.status_code == 201, answered.text
    for who in (h, ho):
        read = api.client.get(thread, headers=who)
        assert read.status_code == 200, read.text
        assert [(c["author_id"], c["body"]) for c in read.json()["items"]] == [
            (str(opleider.id), "Wat zag u hier bij de moeder?"),
            (str(trainer.id), "Ze volgt de blik van het kind."),
        ]

    # An empty message is named; an annotation outside the clip (10-40 s) is not found through it.
    empty = api.client.post(thread, headers=ho, json={"body": "   "})
    assert empty.status_code == 422
    assert "body" in empty.text
    outside = api.client.post(w["url"], headers=h, json={"frame_in": 3000, "code": "kans"}).json()
    missing = api.client.get(
        f"/api/v1/clips/{w['clip']['id']}/annotations/{outside['id']}/comments", headers=ho
    )
    assert missing.status_code == 404
    assert "niet gevonden" in missing.json()["detail"]

    # Another organisation's trainer: nothing, and the refusal is logged.
    other = api.account("trainer", api.organisation("Andere organisatie"))
    assert api.client.get(thread, headers=api.as_(other)).json()["reason"] == "not_assigned"
    assert denials(other.id)

    with unit_of_work() as db:
        logged = db.exec(
            select(AuditRecord).where(AuditRecord.object_type == "annotation_comment")
        ).all()
        assert sorted(str(r.user_id) for r in logged) == sorted([str(opleider.id), str(trainer.id)])
        assert {r.action for r in logged} == {"create"}
        assert all(
            "moeder" not in json.dumps(r.detail or {}).lower() for r in logged
        )  # no text in the log


def test_a_wok_viewer_neither_reads_nor_writes_an_annotations_thread(api: Api) -> None:
    """The clip is shared into a WOK that is on, and the peer may watch it; its annotations' threads
    stay closed to them, read and write, and each refusal is in the log (ADR 0011, 4 and 10)."""

    w = world(api)
    h = w["headers"]
    made = api.client.post(w["url"], headers=h, json={"frame_in": 400, "code": "ontvangen"}).json()
    thread = f"/api/v1/clips/{w['clip']['id']}/annotations/{made['id']}/comments"
    answered = api.client.post(thread, headers=h, json={"body": "Hier kijkt ze mee."})
    assert answered.status_code == 201, answered.text

    peer = wok_peer(api, w)
    hp = api.as_(peer)

    for method, body in (("get", None), ("post", {"body": "Mooi moment!"})):
        refused = api.client.request(method, thread, headers=hp, json=body)
        assert refused.status_code == 403, (method, refused.text)
        assert "Mooi" not in refused.text
        assert "kijkt ze" not in refused.text
    logged = denials(peer.id)
    assert len(logged) == 2
    assert {r.object_type for r in logged} == {"annotation"}
    assert {r.reason for r in logged} == {refused.json()["reason"]}
    # Nothing was added to the thread.
    read = api.client.get(thread, headers=h).json()
    assert [c["body"] for c in read["items"]] == ["Hier kijkt ze mee."]
